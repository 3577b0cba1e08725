package dev.tensorj.backend.cuda;

import dev.tensorj.backend.BackendException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUjit_option;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;
import jcuda.driver.JITOptions;

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
            CUmodule m = modules.computeIfAbsent(k.module, name -> load(ctx, name, read(k.resource())));
            CUfunction f = new CUfunction();
            JCudaDriver.cuModuleGetFunction(f, m, k.symbol);
            functions[k.ordinal()] = f;
        }
    }

    private static byte[] read(String resource) {
        try (InputStream in = CudaKernels.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("kernel resource " + resource + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    /** Bytes for each JIT log: ptxas names the file, line and instruction, a few lines per error. */
    private static final int JIT_LOG_BYTES = 16 * 1024;

    /**
     * JIT-compiles {@code ptx} (module {@code module}) into the current context, {@code ctx}'s. A
     * failure carries the JIT's error log: the bare error name ({@code CUDA_ERROR_INVALID_PTX})
     * says nothing of which line or why. Package-private so a test can feed it broken PTX.
     */
    static CUmodule load(CudaContext ctx, String module, byte[] ptx) {
        JITOptions jit = new JITOptions();
        jit.putBytes(CUjit_option.CU_JIT_ERROR_LOG_BUFFER, new byte[JIT_LOG_BYTES]);
        jit.putInt(CUjit_option.CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES, JIT_LOG_BYTES);
        jit.putBytes(CUjit_option.CU_JIT_INFO_LOG_BUFFER, new byte[JIT_LOG_BYTES]);
        jit.putInt(CUjit_option.CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES, JIT_LOG_BYTES);
        CUmodule m = new CUmodule();
        // PTX is read as a C string. This JCuda call returns its code even with exceptions enabled.
        int rc = JCudaDriver.cuModuleLoadDataJIT(m, Pointer.to(Arrays.copyOf(ptx, ptx.length + 1)), jit);
        if (rc != CUresult.CUDA_SUCCESS) {
            String name = CUresult.stringFor(rc);
            String error = logText(jit, CUjit_option.CU_JIT_ERROR_LOG_BUFFER);
            String info = logText(jit, CUjit_option.CU_JIT_INFO_LOG_BUFFER);
            throw BackendException.deviceError("init (loading kernels)", name, name + " loading kernel module " + module
                    + ".ptx on " + ctx.device + "; JIT error log: " + (error.isEmpty() ? "(empty)" : error)
                    + (info.isEmpty() ? "" : "; JIT info log: " + info), null);
        }
        return m;
    }

    private static String logText(JITOptions jit, int option) {
        String s = jit.getString(option);
        return s == null ? "" : s.trim();
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
