package dev.tensorj.backend.cpu;

import dev.tensorj.backend.Backend;
import dev.tensorj.backend.BinaryOp;
import dev.tensorj.backend.BroadcastPlan;
import dev.tensorj.backend.CompareOp;
import dev.tensorj.backend.IndexPlan;
import dev.tensorj.backend.RandomKind;
import dev.tensorj.backend.ScalarType;
import dev.tensorj.backend.Storage;
import dev.tensorj.backend.UnaryOp;

/**
 * The host backend: Java loops over {@code float[]} (and {@code long[]}, {@code boolean[]} for the
 * type-generic calls), split across cores where it pays.
 */
public final class CpuBackend implements Backend {
    public static final CpuBackend INSTANCE = new CpuBackend();
    /**
     * From this many multiply-adds a product goes to OpenBLAS on the arrays themselves
     * ({@link JniBlas}), and from {@link #OPENBLAS_MIN_MACS} through native copies where that glue
     * is missing; below, the Java kernel, which has no call to make. Measured on the development
     * machine (2-vCPU Xeon, 2 threads, Java 17 and 25 alike): a JNI call with its three critical
     * arrays costs about 120 ns, so the Java kernel wins up to 8×8×4 (95 against 120 ns) and loses
     * from 32×1×10 (350-380 against 220 ns) and 8×8×8 (160 against 125 ns). Through copies a call
     * costs about 200 ns: 194 ns for 8×8×8 against the Java kernel's 306, 0.98 µs for 32³ against
     * 12.4, while at 32×1×10 (0.49 against 0.70 µs) Java wins.
     */
    static final long JNI_BLAS_MIN_MACS = Long.getLong("tensorj.cpu.jniBlasMinMacs", 300);
    static final long OPENBLAS_MIN_MACS = Long.getLong("tensorj.cpu.openblasMinMacs", 512);

    /** The most elements a cpu tensor holds: the largest {@code float[]} a JVM allocates. */
    public static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private CpuBackend() {}

    static float[] data(Storage s) {
        return ((CpuStorage) s).data;
    }

    @Override
    public Storage allocate(ScalarType type, long numel) {
        checkSize(numel);
        return CpuStorage.uninitialised(type, (int) numel);
    }

    @Override
    public Storage allocateZeroed(ScalarType type, long numel) {
        checkSize(numel);
        return CpuStorage.zeroed(type, (int) numel);
    }

    private static void checkSize(long numel) {
        if (numel > MAX_ELEMENTS) { // Tensor.empty names the op first; this guards direct callers
            throw new IllegalArgumentException(
                    "cpu tensors hold at most " + MAX_ELEMENTS + " elements, asked for " + numel);
        }
    }

    @Override
    public Storage fromHost(float[] data) {
        return copyOf(ScalarType.F32, data, data.length);
    }

    @Override
    public Storage fromHost(long[] data) {
        return copyOf(ScalarType.I64, data, data.length);
    }

    @Override
    public Storage fromHost(boolean[] data) {
        return copyOf(ScalarType.BOOL, data, data.length);
    }

    /** A storage holding a copy of the host array {@code data}: every element written, so uninitialised is enough. */
    private static Storage copyOf(ScalarType type, Object data, int length) {
        CpuStorage s = CpuStorage.uninitialised(type, length);
        System.arraycopy(data, 0, s.array(), 0, length);
        return s;
    }

    @Override
    public void toHost(Storage src, float[] dst) {
        toHost(src, ScalarType.F32, dst, dst.length);
    }

    @Override
    public void toHost(Storage src, long[] dst) {
        toHost(src, ScalarType.I64, dst, dst.length);
    }

    @Override
    public void toHost(Storage src, boolean[] dst) {
        toHost(src, ScalarType.BOOL, dst, dst.length);
    }

    private static void toHost(Storage src, ScalarType type, Object dst, int length) {
        src.requireType("toHost", type);
        if (length != src.numel()) { // as the cuda backend, where a longer array would hide a bug
            throw new IllegalArgumentException("toHost: the cpu storage holds " + src.numel()
                    + " elements but the host array has " + length);
        }
        System.arraycopy(((CpuStorage) src).array(), 0, dst, 0, (int) src.numel());
    }

    @Override
    public void copy(Storage src, Storage dst) {
        System.arraycopy(((CpuStorage) src).array(), 0, ((CpuStorage) dst).array(), 0, (int) src.numel());
    }

    @Override
    public void fill(Storage out, float value) {
        out.requireType("fill", ScalarType.F32);
        java.util.Arrays.fill(data(out), value);
    }

    @Override
    public void fill(Storage out, long value) {
        out.requireType("fill", ScalarType.I64);
        java.util.Arrays.fill(((CpuStorage) out).longs, value);
    }

    @Override
    public void fill(Storage out, boolean value) {
        out.requireType("fill", ScalarType.BOOL);
        java.util.Arrays.fill(((CpuStorage) out).bools, value);
    }

    @Override
    public void cast(Storage x, Storage out) {
        CpuCast.cast((CpuStorage) x, (CpuStorage) out);
    }

    @Override
    public void unary(UnaryOp op, Storage x, Storage out) {
        float[] a = data(x);
        float[] o = data(out);
        if (CpuThreads.serial(o.length, CpuThreads.PARALLEL_MIN_ELEMENTS)) {
            unaryRange(op, a, o, 0, o.length);
        } else {
            CpuThreads.parallelFor(o.length, CpuThreads.PARALLEL_MIN_ELEMENTS, (from, to) -> unaryRange(op, a, o, from, to));
        }
    }

    private static void unaryRange(UnaryOp op, float[] a, float[] o, int from, int to) {
        switch (op) {
            case NEG:
                for (int i = from; i < to; i++) o[i] = -a[i];
                break;
            case RELU:
                // Math.max compiles to a branch-free vmaxss; a branch costs dearly on random data.
                for (int i = from; i < to; i++) o[i] = Math.max(a[i], 0f);
                break;
            default:
                CpuUnary.range(op, a, o, from, to);
        }
    }

    @Override
    public void binary(BinaryOp op, Storage a, Storage b, Storage out, BroadcastPlan plan) {
        CpuElementwise.binary(op, data(a), data(b), data(out), plan);
    }

    @Override
    public void compare(CompareOp op, Storage a, Storage b, Storage out, BroadcastPlan plan) {
        CpuCompare.compare(op, (CpuStorage) a, (CpuStorage) b, (CpuStorage) out, plan);
    }

    @Override
    public void where(Storage cond, Storage a, Storage b, Storage out, BroadcastPlan plan) {
        CpuCompare.where((CpuStorage) cond, (CpuStorage) a, (CpuStorage) b, (CpuStorage) out, plan);
    }

    @Override
    public void binaryScalar(BinaryOp op, Storage a, float scalar, Storage out) {
        float[] x = data(a);
        float[] o = data(out);
        if (CpuThreads.serial(o.length, CpuThreads.PARALLEL_MIN_ELEMENTS)) {
            CpuElementwise.scalarRange(op, x, scalar, o, 0, o.length);
        } else {
            CpuThreads.parallelFor(o.length, CpuThreads.PARALLEL_MIN_ELEMENTS,
                    (from, to) -> CpuElementwise.scalarRange(op, x, scalar, o, from, to));
        }
    }

    @Override
    public void axpy(float alpha, Storage x, Storage y, Storage out) {
        float[] xs = data(x);
        float[] ys = data(y);
        float[] o = data(out);
        if (CpuThreads.serial(o.length, CpuThreads.PARALLEL_MIN_ELEMENTS)) {
            axpyRange(alpha, xs, ys, o, 0, o.length);
        } else {
            CpuThreads.parallelFor(o.length, CpuThreads.PARALLEL_MIN_ELEMENTS, (from, to) -> axpyRange(alpha, xs, ys, o, from, to));
        }
    }

    private static void axpyRange(float alpha, float[] xs, float[] ys, float[] o, int from, int to) {
        for (int i = from; i < to; i++) {
            o[i] = ys[i] + alpha * xs[i];
        }
    }

    @Override
    public void matmul(Storage a, Storage b, Storage c, int m, int n, int k,
                       boolean transA, boolean transB) {
        sgemm(data(a), 0, data(b), 0, data(c), 0, m, n, k, transA, transB);
    }

    /** One product per matrix, each on the path its own size chooses; offsets fit an int, as arrays do. */
    @Override
    public void matmulBatched(Storage a, Storage b, Storage c, int batch, int m, int n, int k,
                              boolean transA, boolean transB, long strideA, long strideB, long strideC) {
        float[] x = data(a);
        float[] y = data(b);
        float[] z = data(c);
        for (int i = 0; i < batch; i++) {
            sgemm(x, (int) (i * strideA), y, (int) (i * strideB), z, (int) (i * strideC), m, n, k, transA, transB);
        }
    }

    /** {@code c = op(a)·op(b)} for matrices starting at the offsets: the one choice of path. */
    private static void sgemm(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int n, int k,
                              boolean transA, boolean transB) {
        long macs = k == 0 ? 0 : (long) m * n * k;
        // The bound comes first, so tiny products never load OpenBLAS.
        if (macs >= JNI_BLAS_MIN_MACS && JniBlas.AVAILABLE) {
            JniBlas.sgemm(a, aOff, b, bOff, c, cOff, m, n, k, transA, transB);
        } else if (macs >= OPENBLAS_MIN_MACS && OpenBlas.AVAILABLE) {
            OpenBlas.sgemmCopying(a, aOff, b, bOff, c, cOff, m, n, k, transA, transB);
        } else {
            CpuMatmul.sgemm(a, aOff, b, bOff, c, cOff, m, n, k, transA, transB);
        }
    }

    @Override
    public void sumAxis(Storage x, long outer, long len, long inner, Storage out) {
        // outer·len·inner is x's length, at most MAX_ELEMENTS, so every factor fits an int.
        CpuReduce.sumAxis(data(x), (int) outer, (int) len, (int) inner, data(out));
    }

    @Override
    public void extremeAxis(boolean max, Storage x, long outer, long len, long inner, Storage values,
            Storage indices) {
        CpuReduce.extremeAxis(max, data(x), (int) outer, (int) len, (int) inner, data(values), ((CpuStorage) indices).longs);
    }

    @Override
    public void gather(Storage x, Storage index, Storage out, IndexPlan plan) {
        CpuIndex.gather(data(x), ((CpuStorage) index).longs, data(out), plan);
    }

    @Override
    public void scatterAdd(Storage src, Storage index, Storage out, IndexPlan plan) {
        CpuIndex.scatterAdd(data(src), ((CpuStorage) index).longs, data(out), plan);
    }

    @Override
    public void softmax(boolean log, Storage x, long outer, long len, long inner, Storage out) {
        CpuSoftmax.softmax(log, data(x), (int) outer, (int) len, (int) inner, data(out));
    }

    @Override
    public void softmaxBackward(boolean log, Storage y, Storage g, long outer, long len, long inner, Storage gx) {
        CpuSoftmax.softmaxBackward(log, data(y), data(g), (int) outer, (int) len, (int) inner, data(gx));
    }

    @Override
    public void crossEntropy(Storage x, Storage target, Storage weight, long n, long c, long ignoreIndex,
            float smoothing, Storage loss, Storage stats) {
        CpuSoftmax.crossEntropy(data(x), ((CpuStorage) target).longs, weight == null ? null : data(weight), (int) n,
                (int) c, ignoreIndex, smoothing, data(loss), data(stats));
    }

    @Override
    public void crossEntropyBackward(Storage x, Storage target, Storage weight, Storage stats, Storage g,
            boolean gPerRow, long n, long c, long ignoreIndex, float smoothing, Storage gx) {
        CpuSoftmax.crossEntropyBackward(data(x), ((CpuStorage) target).longs, weight == null ? null : data(weight),
                data(stats), data(g), gPerRow, (int) n, (int) c, ignoreIndex, smoothing, data(gx));
    }

    @Override
    public void transpose(Storage x, int rows, int cols, Storage out) {
        float[] src = data(x);
        float[] dst = data(out);
        final int tile = 32; // cache-sized tiles keep both the reads and the writes local
        for (int r0 = 0; r0 < rows; r0 += tile) {
            int r1 = Math.min(rows, r0 + tile);
            for (int c0 = 0; c0 < cols; c0 += tile) {
                int c1 = Math.min(cols, c0 + tile);
                for (int r = r0; r < r1; r++) {
                    for (int c = c0; c < c1; c++) {
                        dst[c * rows + r] = src[r * cols + c];
                    }
                }
            }
        }
    }

    /** An odometer over all but the innermost dimension; the innermost is one loop (an arraycopy where both step by 1). */
    @Override
    public void stridedCopy(Storage src, long srcOffset, Storage dst, long dstOffset, BroadcastPlan p) {
        if (p.numel == 0) {
            return;
        }
        CpuStorage s = (CpuStorage) src;
        CpuStorage d = (CpuStorage) dst;
        int r = p.rank();
        if (r == 0) {
            System.arraycopy(s.array(), (int) srcOffset, d.array(), (int) dstOffset, 1);
            return;
        }
        int inner = (int) p.shape[r - 1];
        int sa = (int) p.aStrides[r - 1];
        int db = (int) p.bStrides[r - 1];
        long outer = p.numel / inner;
        long[] idx = new long[r];
        long so = srcOffset;
        long dOff = dstOffset;
        for (long o = 0; o < outer; o++) {
            int si = (int) so;
            int di = (int) dOff;
            if (sa == 1 && db == 1) {
                System.arraycopy(s.array(), si, d.array(), di, inner);
            } else if (s.data != null) {
                for (int i = 0; i < inner; i++) {
                    d.data[di + i * db] = s.data[si + i * sa];
                }
            } else if (s.longs != null) {
                for (int i = 0; i < inner; i++) {
                    d.longs[di + i * db] = s.longs[si + i * sa];
                }
            } else {
                for (int i = 0; i < inner; i++) {
                    d.bools[di + i * db] = s.bools[si + i * sa];
                }
            }
            for (int k = r - 2; k >= 0; k--) {
                idx[k]++;
                so += p.aStrides[k];
                dOff += p.bStrides[k];
                if (idx[k] < p.shape[k]) {
                    break;
                }
                so -= p.shape[k] * p.aStrides[k];
                dOff -= p.shape[k] * p.bStrides[k];
                idx[k] = 0;
            }
        }
    }

    @Override
    public void random(RandomKind kind, long seed, long offset, Storage out, float a, float b) {
        CpuRandom.random(kind, seed, offset, data(out), a, b);
    }

    @Override
    public void randint(long seed, long offset, Storage out, long low, long high) {
        CpuRandom.randint(seed, offset, ((CpuStorage) out).longs, low, high);
    }

    @Override
    public void synchronize() {
        // Kernels here run synchronously on the calling thread.
    }

    @Override
    public void layerNorm(Storage x, Storage weight, Storage bias, long rows, long len, float eps, Storage out,
            Storage stats) {
        CpuLayerNorm.forward(data(x), weight == null ? null : data(weight), bias == null ? null : data(bias),
                (int) rows, (int) len, eps, data(out), data(stats));
    }

    @Override
    public void layerNormBackward(Storage x, Storage weight, Storage stats, Storage g, long rows, long len,
            Storage gx, Storage gWeight, Storage gBias) {
        CpuLayerNorm.backward(data(x), weight == null ? null : data(weight), data(stats), data(g), (int) rows,
                (int) len, data(gx), gWeight == null ? null : data(gWeight), gBias == null ? null : data(gBias));
    }
}
