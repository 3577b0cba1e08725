package dev.tensorj.backend.cuda;

import dev.tensorj.backend.Backend;
import dev.tensorj.backend.BackendException;
import dev.tensorj.backend.BinaryOp;
import dev.tensorj.backend.BroadcastPlan;
import dev.tensorj.backend.CompareOp;
import dev.tensorj.backend.IndexPlan;
import dev.tensorj.backend.RandomKind;
import dev.tensorj.backend.ScalarType;
import dev.tensorj.backend.Storage;
import dev.tensorj.backend.UnaryOp;
import java.lang.ref.Reference;
import java.util.Locale;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasOperation;

/**
 * One CUDA device. Every op is queued on the device's stream and returns at once; only
 * {@link #toHost} waits. Storages come from the device's {@link BlockPool}. The softmax and
 * cross-entropy, index, random and layer-norm launches live in {@link CudaSoftmax}, {@link CudaIndex},
 * {@link CudaRandom} and {@link CudaLayerNorm}; this class is the one {@link Backend} and hands those calls to them.
 *
 * <p>Each method ends with reachability fences on its storages: a storage that became unreachable
 * mid-call could have its block returned, and handed to another thread, before our kernel is queued.
 */
final class CudaBackend implements Backend {
    private static final Pointer ONE = Pointer.to(new float[] {1f});
    private static final Pointer ZERO = Pointer.to(new float[] {0f});

    private final String device; // cuda:N, for messages
    private final CudaContext ctx;
    private final CudaKernels kernels;
    private final BlockPool<CUdeviceptr> pool;
    private final CudaSoftmax softmax;
    private final CudaIndex indexing;
    private final CudaRandom random;
    private final CudaLayerNorm layerNorm;

    CudaBackend(int index) {
        this.ctx = CudaContext.open(index);
        this.device = ctx.device;
        try {
            this.kernels = new CudaKernels(ctx);
        } catch (jcuda.CudaException e) {
            throw CudaErrors.wrap("init (loading kernels)", device, e);
        }
        long total = new DeviceMemory(ctx).memoryInfo()[1];
        // See GcPolicy: collect at least every gcSlackBytes fresh bytes, at most every gcIntervalMs.
        long slack = Long.getLong("tensorj.cuda.gcSlackBytes", Math.max(256L << 20, total / 8));
        long intervalMs = Long.getLong("tensorj.cuda.gcIntervalMs", 100);
        this.pool = new BlockPool<>(new DeviceMemory(ctx), slack, intervalMs * 1_000_000,
                BlockPool::gcAndWait, System::nanoTime);
        this.softmax = new CudaSoftmax(ctx, kernels, device);
        this.indexing = new CudaIndex(ctx, kernels, device);
        this.random = new CudaRandom(ctx, kernels, device);
        this.layerNorm = new CudaLayerNorm(ctx, kernels, device);
    }

    CudaContext context() {
        return ctx;
    }

    BlockPool<CUdeviceptr> pool() {
        return pool;
    }

    static CUdeviceptr ptr(Storage s) {
        return ((CudaStorage) s).ptr;
    }

    private BackendException error(String op, jcuda.CudaException e) {
        return CudaErrors.wrap(op, device, e);
    }

    @Override
    public Storage allocate(ScalarType type, long numel) {
        return allocate("allocate", type, numel);
    }

    private CudaStorage allocate(String op, ScalarType type, long numel) {
        if (numel == 0) {
            return new CudaStorage(type, 0, pool, null);
        }
        return new CudaStorage(type, numel, pool, pool.acquire(op, numel * type.byteSize()));
    }

    /**
     * A synchronous copy through the legacy default stream. That stream waits for all work queued
     * on our (blocking) stream first, so the new block, which may be a recycled one that a queued
     * kernel still reads, is never overwritten early. Transfers are rare (inputs, {@code to()}),
     * so a pinned staging buffer for an asynchronous copy is not worth its complexity yet.
     */
    @Override
    public Storage fromHost(float[] data) {
        return fromHost(ScalarType.F32, data.length, Pointer.to(data));
    }

    @Override
    public Storage fromHost(long[] data) {
        return fromHost(ScalarType.I64, data.length, Pointer.to(data));
    }

    /** Bools travel as bytes 0 and 1 (JCuda has no pointer to a {@code boolean[]}). */
    @Override
    public Storage fromHost(boolean[] data) {
        byte[] bytes = new byte[data.length];
        for (int i = 0; i < data.length; i++) {
            bytes[i] = data[i] ? (byte) 1 : (byte) 0;
        }
        return fromHost(ScalarType.BOOL, data.length, Pointer.to(bytes));
    }

    private Storage fromHost(ScalarType type, int length, Pointer host) {
        // No length to check: the block and the copy are both sized from the array's length.
        CudaStorage s = allocate("fromHost", type, length);
        if (length > 0) {
            try {
                ctx.bind();
                JCudaDriver.cuMemcpyHtoD(s.ptr, host, (long) length * type.byteSize());
            } catch (jcuda.CudaException e) {
                throw error("fromHost", e);
            }
        }
        return s;
    }

    @Override
    public void toHost(Storage src, float[] dst) {
        toHost(src, ScalarType.F32, dst.length, Pointer.to(dst));
    }

    @Override
    public void toHost(Storage src, long[] dst) {
        toHost(src, ScalarType.I64, dst.length, Pointer.to(dst));
    }

    @Override
    public void toHost(Storage src, boolean[] dst) {
        byte[] bytes = new byte[dst.length];
        toHost(src, ScalarType.BOOL, dst.length, Pointer.to(bytes));
        for (int i = 0; i < dst.length; i++) {
            dst[i] = bytes[i] != 0;
        }
    }

    private void toHost(Storage src, ScalarType type, int length, Pointer host) {
        // The driver copies src's bytes to wherever host points: a short array would be overrun.
        src.requireType("toHost", type);
        if (length != src.numel()) {
            throw new IllegalArgumentException("toHost: the " + device + " storage holds " + src.numel()
                    + " elements but the host array has " + length);
        }
        try {
            ctx.bind();
            // Waits for the queued ops; an asynchronous kernel failure surfaces here.
            JCudaDriver.cuStreamSynchronize(ctx.stream);
            if (src.numel() > 0) {
                JCudaDriver.cuMemcpyDtoH(host, ptr(src), src.bytes());
            }
        } catch (jcuda.CudaException e) {
            throw error("toHost", e);
        } finally {
            Reference.reachabilityFence(src);
        }
    }

    @Override
    public void copy(Storage src, Storage dst) {
        if (src.numel() == 0) {
            return;
        }
        try {
            ctx.bind();
            JCudaDriver.cuMemcpyDtoDAsync(ptr(dst), ptr(src), src.bytes(), ctx.stream);
        } catch (jcuda.CudaException e) {
            throw error("copy", e);
        } finally {
            Reference.reachabilityFence(src);
            Reference.reachabilityFence(dst);
        }
    }

    /** A 32-bit memset of the float's bits: exact for every value, NaN payloads included. */
    @Override
    public void fill(Storage out, float value) {
        out.requireType("fill", ScalarType.F32);
        if (out.numel() == 0) {
            return;
        }
        try {
            ctx.bind();
            JCudaDriver.cuMemsetD32Async(ptr(out), Float.floatToRawIntBits(value), out.numel(), ctx.stream);
        } catch (jcuda.CudaException e) {
            throw error("fill", e);
        } finally {
            Reference.reachabilityFence(out);
        }
    }

    /** A kernel: the driver's memsets are at most 32 bits wide. */
    @Override
    public void fill(Storage out, long value) {
        out.requireType("fill", ScalarType.I64);
        long n = out.numel();
        if (n == 0) {
            return;
        }
        try {
            ctx.bind();
            kernels.launch(Kernel.FILL_I64, n, ptr(out), value, n);
        } catch (jcuda.CudaException e) {
            throw error("fill", e);
        } finally {
            Reference.reachabilityFence(out);
        }
    }

    /** An 8-bit memset of 0 or 1. */
    @Override
    public void fill(Storage out, boolean value) {
        out.requireType("fill", ScalarType.BOOL);
        if (out.numel() == 0) {
            return;
        }
        try {
            ctx.bind();
            JCudaDriver.cuMemsetD8Async(ptr(out), (byte) (value ? 1 : 0), out.numel(), ctx.stream);
        } catch (jcuda.CudaException e) {
            throw error("fill", e);
        } finally {
            Reference.reachabilityFence(out);
        }
    }

    @Override
    public void cast(Storage x, Storage out) {
        if (x.type() == out.type()) {
            copy(x, out);
            return;
        }
        long n = out.numel();
        if (n == 0) {
            return;
        }
        try {
            ctx.bind();
            kernels.launch(Kernel.CAST, n, x.type().ordinal(), out.type().ordinal(), ptr(x), ptr(out), n);
        } catch (jcuda.CudaException e) {
            throw error("to", e);
        } finally {
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(out);
        }
    }

    @Override
    public void unary(UnaryOp op, Storage x, Storage out) {
        long n = out.numel();
        try {
            ctx.bind();
            kernels.launch(Kernel.UNARY, n, op.ordinal(), ptr(x), ptr(out), n);
        } catch (jcuda.CudaException e) {
            throw error(op.name().toLowerCase(Locale.ROOT), e);
        } finally {
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(out);
        }
    }

    @Override
    public void binary(BinaryOp op, Storage a, Storage b, Storage out, BroadcastPlan p) {
        try {
            ctx.bind();
            launchBinary(op.ordinal(), p, ptr(a), ptr(b), ptr(out));
        } catch (jcuda.CudaException e) {
            throw error(op.name().toLowerCase(Locale.ROOT), e);
        } finally {
            Reference.reachabilityFence(a);
            Reference.reachabilityFence(b);
            Reference.reachabilityFence(out);
        }
    }

    private void launchBinary(int op, BroadcastPlan p, CUdeviceptr a, CUdeviceptr b, CUdeviceptr out) {
        long n = p.numel;
        switch (p.kind) {
            case CONTIGUOUS:
                kernels.launch(Kernel.BINARY_CONTIG, n, op, a, b, out, n);
                return;
            case A_ONE:
            case B_ONE:
                kernels.launch(Kernel.BINARY_ONE, n, op, a, b, out, n, p.kind == BroadcastPlan.Kind.A_ONE ? 1 : 0);
                return;
            case A_ROW:
            case B_ROW: {
                int aIsRow = p.kind == BroadcastPlan.Kind.A_ROW ? 1 : 0;
                if (p.fitsInt()) {
                    kernels.launch(Kernel.BINARY_ROW_I32, n, op, a, b, out, (int) n, (int) p.cols(), aIsRow);
                } else {
                    kernels.launch(Kernel.BINARY_ROW_I64, n, op, a, b, out, n, p.cols(), aIsRow);
                }
                return;
            }
            default: {
                long[] packed = BroadcastLaunch.pack(p);
                long kn = BroadcastLaunch.kernelNumel(p);
                boolean narrow = p.fitsInt();
                for (long l = 0, launches = BroadcastLaunch.hostLaunches(p); l < launches; l++) {
                    long[] off = BroadcastLaunch.hostOffsets(p, l);
                    kernels.launch(narrow ? Kernel.BINARY_ND_I32 : Kernel.BINARY_ND_I64, kn, op,
                            offset(a, off[0]), offset(b, off[1]), offset(out, off[2]),
                            narrow ? (Object) (int) kn : (Object) kn, packed);
                }
            }
        }
    }

    private static CUdeviceptr offset(CUdeviceptr p, long elements) {
        return elements == 0 ? p : p.withByteOffset(elements * Sizeof.FLOAT);
    }

    /**
     * The contiguous kernel for same-shape operands, else the general one (a scalar operand is a
     * stride-0 element); beyond {@link BroadcastLaunch#MAX_KERNEL_RANK} dimensions the outer ones
     * loop here, as for {@link #binary}.
     */
    @Override
    public void compare(CompareOp op, Storage a, Storage b, Storage out, BroadcastPlan p) {
        int type = a.type().ordinal();
        int size = a.type().byteSize();
        try {
            ctx.bind();
            if (p.kind == BroadcastPlan.Kind.CONTIGUOUS) {
                kernels.launch(Kernel.COMPARE_CONTIG, p.numel, op.ordinal(), type, ptr(a), ptr(b), ptr(out), p.numel);
                return;
            }
            long[] packed = BroadcastLaunch.pack(p);
            long kn = BroadcastLaunch.kernelNumel(p);
            for (long l = 0, launches = BroadcastLaunch.hostLaunches(p); l < launches; l++) {
                long[] off = BroadcastLaunch.hostOffsets(p, l);
                kernels.launch(Kernel.COMPARE_ND, kn, op.ordinal(), type, offset(ptr(a), off[0], size),
                        offset(ptr(b), off[1], size), offset(ptr(out), off[2], 1), kn, packed);
            }
        } catch (jcuda.CudaException e) {
            throw error(op.name().toLowerCase(Locale.ROOT), e);
        } finally {
            Reference.reachabilityFence(a);
            Reference.reachabilityFence(b);
            Reference.reachabilityFence(out);
        }
    }

    @Override
    public void where(Storage cond, Storage a, Storage b, Storage out, BroadcastPlan p) {
        try {
            ctx.bind();
            if (p.kind == BroadcastPlan.Kind.CONTIGUOUS) {
                kernels.launch(Kernel.WHERE_CONTIG, p.numel, ptr(cond), ptr(a), ptr(b), ptr(out), p.numel);
                return;
            }
            long[] packed = BroadcastLaunch.pack(p);
            long kn = BroadcastLaunch.kernelNumel(p);
            for (long l = 0, launches = BroadcastLaunch.hostLaunches(p); l < launches; l++) {
                long[] off = BroadcastLaunch.hostOffsets(p, l);
                kernels.launch(Kernel.WHERE_ND, kn, offset(ptr(cond), off[2], 1), offset(ptr(a), off[0], Sizeof.FLOAT),
                        offset(ptr(b), off[1], Sizeof.FLOAT), offset(ptr(out), off[2], Sizeof.FLOAT), kn, packed);
            }
        } catch (jcuda.CudaException e) {
            throw error("where", e);
        } finally {
            Reference.reachabilityFence(cond);
            Reference.reachabilityFence(a);
            Reference.reachabilityFence(b);
            Reference.reachabilityFence(out);
        }
    }

    private static CUdeviceptr offset(CUdeviceptr p, long elements, int elementBytes) {
        return elements == 0 ? p : p.withByteOffset(elements * elementBytes);
    }

    @Override
    public void binaryScalar(BinaryOp op, Storage a, float scalar, Storage out) {
        long n = out.numel();
        try {
            ctx.bind();
            kernels.launch(Kernel.BINARY_SCALAR, n, op.ordinal(), ptr(a), scalar, ptr(out), n);
        } catch (jcuda.CudaException e) {
            throw error(op.name().toLowerCase(Locale.ROOT), e);
        } finally {
            Reference.reachabilityFence(a);
            Reference.reachabilityFence(out);
        }
    }

    @Override
    public void axpy(float alpha, Storage x, Storage y, Storage out) {
        long n = out.numel();
        try {
            ctx.bind();
            kernels.launch(Kernel.AXPY, n, alpha, ptr(x), ptr(y), ptr(out), n);
        } catch (jcuda.CudaException e) {
            throw error("axpy", e);
        } finally {
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(y);
            Reference.reachabilityFence(out);
        }
    }

    @Override
    public void matmul(Storage a, Storage b, Storage c, int m, int n, int k, boolean transA, boolean transB) {
        if (k == 0) {
            fill(c, 0f); // an empty sum; cuBLAS would reject the zero leading dimensions anyway
            return;
        }
        GemmArgs g = GemmArgs.rowMajor(m, n, k, transA, transB);
        try {
            ctx.bind();
            synchronized (ctx.cublasLock) {
                JCublas2.cublasSgemm(ctx.cublas, op(g.transFirst()), op(g.transSecond()), g.rows(), g.cols(), g.k(),
                        ONE, ptr(b), g.ldFirst(), ptr(a), g.ldSecond(), ZERO, ptr(c), g.ldc());
            }
        } catch (jcuda.CudaException e) {
            throw error("matmul", e);
        } finally {
            Reference.reachabilityFence(a);
            Reference.reachabilityFence(b);
            Reference.reachabilityFence(c);
        }
    }

    /**
     * One {@code cublasSgemmStridedBatched} for the whole batch, the operands swapped as in
     * {@link #matmul} ({@link GemmArgs}): cuBLAS's first matrix is {@code b}, with {@code b}'s stride.
     */
    @Override
    public void matmulBatched(Storage a, Storage b, Storage c, int batch, int m, int n, int k,
                              boolean transA, boolean transB, long strideA, long strideB, long strideC) {
        if (k == 0) {
            fill(c, 0f); // every product an empty sum: c holds the batch's matrices and nothing else
            return;
        }
        GemmArgs g = GemmArgs.rowMajor(m, n, k, transA, transB);
        try {
            ctx.bind();
            synchronized (ctx.cublasLock) {
                JCublas2.cublasSgemmStridedBatched(ctx.cublas, op(g.transFirst()), op(g.transSecond()), g.rows(),
                        g.cols(), g.k(), ONE, ptr(b), g.ldFirst(), strideB, ptr(a), g.ldSecond(), strideA, ZERO,
                        ptr(c), g.ldc(), strideC, batch);
            }
        } catch (jcuda.CudaException e) {
            throw error("matmul", e);
        } finally {
            Reference.reachabilityFence(a);
            Reference.reachabilityFence(b);
            Reference.reachabilityFence(c);
        }
    }

    private static int op(boolean trans) {
        return trans ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
    }

    @Override
    public void sumAxis(Storage x, long outer, long len, long inner, Storage out) {
        ReducePlan plan = ReducePlan.of(outer, len, inner, ctx.multiprocessors);
        int chunks = plan.chunks();
        BlockPool.Block<CUdeviceptr> scratch = chunks == 1 ? null
                : pool.acquire("sum", plan.partials(outer, inner) * Sizeof.DOUBLE);
        CUdeviceptr partials = scratch == null ? null : scratch.handle();
        try {
            ctx.bind();
            if (plan.rowKernel()) {
                kernels.launchBlocks(Kernel.SUM_ROWS, kernels.gridOfBlocks(outer * chunks), CudaKernels.BLOCK, 1,
                        ptr(x), ptr(out), partials, outer, len, chunks);
            } else {
                kernels.launch(Kernel.SUM_COLS, outer * chunks * inner,
                        ptr(x), ptr(out), partials, outer, len, inner, chunks);
            }
            if (scratch != null) {
                kernels.launch(Kernel.SUM_FINISH, outer * inner, partials, ptr(out), outer, chunks, inner);
            }
        } catch (jcuda.CudaException e) {
            throw error("sum", e);
        } finally {
            if (scratch != null) {
                pool.release(scratch.handle(), scratch.size()); // stream-ordered: reused only after these kernels
            }
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(out);
        }
    }

    @Override
    public void extremeAxis(boolean max, Storage x, long outer, long len, long inner, Storage values,
            Storage indices) {
        try {
            ctx.bind();
            kernels.launch(Kernel.EXTREME_AXIS, outer * inner, max ? 1 : 0, ptr(x), ptr(values), ptr(indices),
                    outer, len, inner);
        } catch (jcuda.CudaException e) {
            throw error(max ? "max" : "min", e);
        } finally {
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(values);
            Reference.reachabilityFence(indices);
        }
    }

    @Override
    public void softmax(boolean log, Storage x, long outer, long len, long inner, Storage out) {
        softmax.softmax(log, x, outer, len, inner, out);
    }

    @Override
    public void softmaxBackward(boolean log, Storage y, Storage g, long outer, long len, long inner, Storage gx) {
        softmax.softmaxBackward(log, y, g, outer, len, inner, gx);
    }

    @Override
    public void crossEntropy(Storage x, Storage target, Storage weight, long n, long c, long ignoreIndex,
            float smoothing, Storage loss, Storage stats) {
        softmax.crossEntropy(x, target, weight, n, c, ignoreIndex, smoothing, loss, stats);
    }

    @Override
    public void crossEntropyBackward(Storage x, Storage target, Storage weight, Storage stats, Storage g,
            boolean gPerRow, long n, long c, long ignoreIndex, float smoothing, Storage gx) {
        softmax.crossEntropyBackward(x, target, weight, stats, g, gPerRow, n, c, ignoreIndex, smoothing, gx);
    }

    @Override
    public void gather(Storage x, Storage index, Storage out, IndexPlan plan) {
        indexing.gather(x, index, out, plan);
    }

    @Override
    public void scatterAdd(Storage src, Storage index, Storage out, IndexPlan plan) {
        indexing.scatterAdd(src, index, out, plan);
    }

    @Override
    public void transpose(Storage x, int rows, int cols, Storage out) {
        long tiles = ((rows + 31L) / 32) * ((cols + 31L) / 32);
        try {
            ctx.bind();
            kernels.launchBlocks(Kernel.TRANSPOSE, kernels.gridOfBlocks(tiles), 32, 8, ptr(x), ptr(out), rows, cols);
        } catch (jcuda.CudaException e) {
            throw error("t", e);
        } finally {
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(out);
        }
    }

    /**
     * A device-to-device memcpy where both sides are contiguous, else {@code tj_strided_copy}
     * (64-bit index math); beyond {@link BroadcastLaunch#MAX_KERNEL_RANK} collapsed dimensions the
     * outer ones loop here, as for {@link #binary}.
     */
    @Override
    public void stridedCopy(Storage src, long srcOffset, Storage dst, long dstOffset, BroadcastPlan p) {
        if (p.numel == 0) {
            return;
        }
        int size = src.type().byteSize();
        try {
            ctx.bind();
            if (p.kind == BroadcastPlan.Kind.CONTIGUOUS) {
                JCudaDriver.cuMemcpyDtoDAsync(offset(ptr(dst), dstOffset, size), offset(ptr(src), srcOffset, size),
                        p.numel * size, ctx.stream);
                return;
            }
            long[] packed = BroadcastLaunch.pack(p);
            long kn = BroadcastLaunch.kernelNumel(p);
            for (long l = 0, launches = BroadcastLaunch.hostLaunches(p); l < launches; l++) {
                long[] off = BroadcastLaunch.hostOffsets(p, l);
                kernels.launch(Kernel.STRIDED_COPY, kn, size, offset(ptr(src), srcOffset + off[0], size),
                        offset(ptr(dst), dstOffset + off[1], size), kn, packed);
            }
        } catch (jcuda.CudaException e) {
            throw error("strided_copy", e);
        } finally {
            Reference.reachabilityFence(src);
            Reference.reachabilityFence(dst);
        }
    }

    @Override
    public void random(RandomKind kind, long seed, long offset, Storage out, float a, float b) {
        random.random(kind, seed, offset, out, a, b);
    }

    @Override
    public void randint(long seed, long offset, Storage out, long low, long high) {
        random.randint(seed, offset, out, low, high);
    }

    @Override
    public void synchronize() {
        try {
            ctx.synchronize();
        } catch (jcuda.CudaException e) {
            throw error("synchronize", e);
        }
    }

    @Override
    public void layerNorm(Storage x, Storage weight, Storage bias, long rows, long len, float eps, Storage out,
            Storage stats) {
        layerNorm.forward(x, weight, bias, rows, len, eps, out, stats);
    }

    @Override
    public void layerNormBackward(Storage x, Storage weight, Storage stats, Storage g, long rows, long len,
            Storage gx, Storage gWeight, Storage gBias) {
        layerNorm.backward(x, weight, stats, g, rows, len, gx, gWeight, gBias);
    }
}
