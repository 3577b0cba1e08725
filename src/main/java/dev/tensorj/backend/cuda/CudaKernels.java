package dev.tensorj.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

/**
 * Loads the shipped PTX into one device's context and launches kernels on its stream.
 *
 * <p>PTX goes through the driver's JIT ({@code cuModuleLoadData}) rather than nvPTXCompiler: the
 * driver is always at least as new as the GPU it drives (nvPTXCompiler 12.0 in JCuda 12.6 does not
 * know sm_100 or sm_120), it caches the result on disk, and it needs no further native library.
 * The PTX declares ISA 7.5, which every R495+ driver accepts. CI compiles the same PTX with
 * nvPTXCompiler for sm_75/80/90 (KernelCompileTest), so a broken kernel fails there, not here.
 */
final class CudaKernels {
    static final int BLOCK = 256;

    private final CudaContext ctx;
    private final CUfunction[] functions = new CUfunction[Kernel.values().length];
    private final int maxBlocks;

    CudaKernels(CudaContext ctx) {
        this.ctx = ctx;
        // A few waves of resident blocks; the grid-stride loops cover the rest.
        this.maxBlocks = Math.max(1, ctx.multiprocessors) * 32;
        Map<String, CUmodule> modules = new HashMap<>();
        ctx.bind();
        for (Kernel k : Kernel.values()) {
            CUmodule m = modules.computeIfAbsent(k.module, name -> load(k.resource()));
            CUfunction f = new CUfunction();
            JCudaDriver.cuModuleGetFunction(f, m, k.symbol);
            functions[k.ordinal()] = f;
        }
    }

    private static CUmodule load(String resource) {
        byte[] ptx;
        try (InputStream in = CudaKernels.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("kernel resource " + resource + " is missing from the jar");
            }
            ptx = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        CUmodule m = new CUmodule();
        JCudaDriver.cuModuleLoadData(m, Arrays.copyOf(ptx, ptx.length + 1)); // PTX is read as a C string
        return m;
    }

    /** Blocks for a grid-stride loop over {@code n} elements. */
    int grid(long n) {
        return (int) Math.max(1, Math.min((n + BLOCK - 1) / BLOCK, maxBlocks));
    }

    /** Blocks for a loop over {@code units} work items of one block each. */
    int gridOfBlocks(long units) {
        return (int) Math.max(1, Math.min(units, maxBlocks));
    }

    /** Launches a 1-d grid of {@link #BLOCK}-thread blocks covering {@code n} elements. */
    void launch(Kernel k, long n, Object... args) {
        launchBlocks(k, grid(n), BLOCK, 1, args);
    }

    /**
     * Queues {@code k} on the device's stream. Arguments, in the kernel's order: {@link Integer},
     * {@link Long}, {@link Float}, {@link CUdeviceptr} (null for a null pointer) or {@code long[]}
     * (a struct passed by value).
     */
    void launchBlocks(Kernel k, int blocks, int blockX, int blockY, Object... args) {
        k.checkArguments(args);
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            params[i] = param(args[i]);
        }
        JCudaDriver.cuLaunchKernel(functions[k.ordinal()], blocks, 1, 1, blockX, blockY, 1, 0,
                ctx.stream, Pointer.to(params), null);
    }

    private static Pointer param(Object a) {
        if (a == null) {
            return Pointer.to(new CUdeviceptr());
        } else if (a instanceof CUdeviceptr) {
            return Pointer.to((CUdeviceptr) a);
        } else if (a instanceof Integer) {
            return Pointer.to(new int[] {(Integer) a});
        } else if (a instanceof Long) {
            return Pointer.to(new long[] {(Long) a});
        } else if (a instanceof Float) {
            return Pointer.to(new float[] {(Float) a});
        } else if (a instanceof long[]) {
            return Pointer.to((long[]) a);
        }
        throw new IllegalArgumentException("unsupported kernel argument " + a.getClass());
    }
}
