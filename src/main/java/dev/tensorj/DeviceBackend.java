package dev.tensorj;

import dev.tensorj.backend.Backend;
import dev.tensorj.backend.BackendException;
import dev.tensorj.backend.BinaryOp;
import dev.tensorj.backend.BroadcastPlan;
import dev.tensorj.backend.CompareOp;
import dev.tensorj.backend.IndexPlan;
import dev.tensorj.backend.RandomKind;
import dev.tensorj.backend.Storage;
import dev.tensorj.backend.UnaryOp;

/**
 * A device's backend as the engine sees it: the one place where every backend call passes, so
 * it is where placement is counted (into the device's {@link DeviceCounters}), where storages are
 * registered for leak reports, and where a {@link BackendException} becomes the public exception.
 * A copy between devices counts host→device on the receiving device and device→host on the
 * sending one; cpu's own copies in and out of Java arrays count as neither. Bytes are the
 * storages' own ({@code numel × dtype size}).
 *
 * <p>Each method calls its backend in a try block of its own rather than through a shared method
 * taking a lambda: that method's call site sees every caller's lambda class, so the JIT cannot
 * inline it, and each call allocated its capturing lambda (32-56 bytes per kernel, a large part of
 * a small training step's heap).
 */
final class DeviceBackend {
    /**
     * Counters are always on; {@code -Dtensorj.counters=false} exists only to measure what they
     * cost (a static final, so the JIT drops the counting entirely).
     */
    private static final boolean COUNTING = !"false".equals(System.getProperty("tensorj.counters"));

    private final Device device;
    private final Backend inner;
    private final DeviceCounters c;
    private final boolean countsTransfers;

    DeviceBackend(Device device, Backend inner) {
        this.device = device;
        this.inner = inner;
        this.c = DeviceCounters.of(device);
        this.countsTransfers = !device.isCpu();
    }

    Device device() {
        return device;
    }

    /** An op was dispatched to this device (counted once per op, before its kernels). */
    void countOp() {
        if (COUNTING) {
            c.cell().ops++;
        }
    }

    private void launched() {
        if (COUNTING) {
            c.cell().launches++;
        }
    }

    private Storage allocated(Storage s, boolean fromHost) {
        if (COUNTING) {
            DeviceCounters.Cell cell = c.cell();
            long bytes = s.bytes();
            cell.allocations++;
            cell.bytesAllocated += bytes;
            if (fromHost && countsTransfers) {
                cell.bytesHostToDevice += bytes;
            }
        }
        LeakTracker.track(s, device);
        return s;
    }

    private void copiedToHost(Storage src) {
        if (COUNTING && countsTransfers) {
            c.cell().bytesDeviceToHost += src.bytes();
        }
    }

    /** The public exception for a backend's failure on {@code device}. */
    static TensorjException translate(Device device, BackendException e) {
        return translate(device, e, e.op());
    }

    /** As {@link #translate(Device, BackendException)}, naming {@code op} as the op that failed. */
    static TensorjException translate(Device device, BackendException e, String op) {
        switch (e.kind()) {
            case OUT_OF_MEMORY: {
                long[] m = e.memory();
                return new CudaOutOfMemoryException(op, device, m[0], m[1], m[2]);
            }
            case UNAVAILABLE:
                return new CudaUnavailableException(e.getMessage(), e.getCause());
            default:
                return new CudaException(op, e.errorName(), e.getMessage(), e.getCause());
        }
    }

    Storage allocate(DType dtype, long numel) {
        Storage s;
        try {
            s = inner.allocate(dtype.scalarType(), numel);
        } catch (BackendException e) {
            throw translate(device, e);
        }
        return allocated(s, false);
    }

    /**
     * As {@link #allocate}, every element zero: counted as an allocation and, when there are
     * elements, one launch (the fill it stands for), whether or not the backend had to clear it.
     */
    Storage allocateZeroed(DType dtype, long numel) {
        Storage s;
        try {
            s = inner.allocateZeroed(dtype.scalarType(), numel);
        } catch (BackendException e) {
            throw translate(device, e);
        }
        allocated(s, false);
        if (numel > 0) {
            launched();
        }
        return s;
    }

    Storage fromHost(float[] data) {
        Storage s;
        try {
            s = inner.fromHost(data);
        } catch (BackendException e) {
            throw translate(device, e);
        }
        return allocated(s, true);
    }

    Storage fromHost(long[] data) {
        Storage s;
        try {
            s = inner.fromHost(data);
        } catch (BackendException e) {
            throw translate(device, e);
        }
        return allocated(s, true);
    }

    Storage fromHost(boolean[] data) {
        Storage s;
        try {
            s = inner.fromHost(data);
        } catch (BackendException e) {
            throw translate(device, e);
        }
        return allocated(s, true);
    }

    void toHost(Storage src, float[] dst) {
        try {
            inner.toHost(src, dst);
        } catch (BackendException e) {
            throw translate(device, e);
        }
        copiedToHost(src);
    }

    void toHost(Storage src, long[] dst) {
        try {
            inner.toHost(src, dst);
        } catch (BackendException e) {
            throw translate(device, e);
        }
        copiedToHost(src);
    }

    void toHost(Storage src, boolean[] dst) {
        try {
            inner.toHost(src, dst);
        } catch (BackendException e) {
            throw translate(device, e);
        }
        copiedToHost(src);
    }

    void copy(Storage src, Storage dst) {
        launched();
        try {
            inner.copy(src, dst);
        } catch (BackendException e) {
            throw translate(device, e);
        }
    }

    void fill(Storage out, float value) {
        launched();
        try {
            inner.fill(out, value);
        } catch (BackendException e) {
            throw translate(device, e);
        }
    }

    void fill(Storage out, long value) {
        launched();
        try {
            inner.fill(out, value);
        } catch (BackendException e) {
            throw translate(device, e);
        }
    }

    void fill(Storage out, boolean value) {
        launched();
        try {
            inner.fill(out, value);
        } catch (BackendException e) {
            throw translate(device, e);
        }
    }

    /** Converts {@code x} into {@code out} (same length, any two dtypes). */
    void cast(Storage x, Storage out) {
        launched();
        try {
            inner.cast(x, out);
        } catch (BackendException e) {
            throw translate(device, e);
        }
    }

    void unary(UnaryOp op, Storage x, Storage out) {
        launched();
        try {
            inner.unary(op, x, out);
        } catch (BackendException e) {
            throw translate(device, e);
        }
    }

    void binary(BinaryOp op, Storage a, Storage b, Storage out, BroadcastPlan plan) {
        launched();
        try {
            inner.binary(op, a, b, out, plan);
        } catch (BackendException e) {
            throw translate(device, e);
        }
    }

    void compare(CompareOp op, Storage a, Storage b, Storage out, BroadcastPlan plan) {
        launched();
        try {
            inner.compare(op, a, b, out, plan);
        } catch (BackendException e) {
            throw translate(device, e);
        }
    }

    void where(Storage cond, Storage a, Storage b, Storage out, BroadcastPlan plan) {
        launched();
        try {
            inner.where(cond, a, b, out, plan);
        } catch (BackendException e) {
            throw translate(device, e);
        }
    }

    void binaryScalar(BinaryOp op, Storage a, float scalar, Storage out) {
        launched();
        try {
            inner.binaryScalar(op, a, scalar, out);
        } catch (BackendException e) {
            throw translate(device, e);
        }
    }

    void axpy(float alpha, Storage x, Storage y, Storage out) {
        launched();
        try {
            inner.axpy(alpha, x, y, out);
        } catch (BackendException e) {
            throw translate(device, e);
        }
    }

    void matmul(Storage a, Storage b, Storage out, int m, int n, int k, boolean transA, boolean transB) {
        if (COUNTING) {
            DeviceCounters.Cell cell = c.cell();
            cell.launches++;
            cell.flops += 2L * m * n * k;
        }
        try {
            inner.matmul(a, b, out, m, n, k, transA, transB);
        } catch (BackendException e) {
            throw translate(device, e);
        }
    }

    /** Counted as one launch, as it is on CUDA (one strided-batched cuBLAS call), on every device. */
    void matmulBatched(Storage a, Storage b, Storage out, int batch, int m, int n, int k, boolean transA,
                       boolean transB, long strideA, long strideB, long strideC) {
        if (COUNTING) {
            DeviceCounters.Cell cell = c.cell();
            cell.launches++;
            cell.flops += 2L * batch * m * n * k;
        }
        try {
            inner.matmulBatched(a, b, out, batch, m, n, k, transA, transB, strideA, strideB, strideC);
        } catch (BackendException e) {
            throw translate(device, e);
        }
    }

    void sumAxis(Storage x, long outer, long len, long innerSize, Storage out) {
        launched();
        try {
            inner.sumAxis(x, outer, len, innerSize, out);
        } catch (BackendException e) {
            throw translate(device, e);
        }
    }

    void extremeAxis(boolean max, Storage x, long outer, long len, long innerSize, Storage values, Storage indices) {
        launched();
        try {
            inner.extremeAxis(max, x, outer, len, innerSize, values, indices);
        } catch (BackendException e) {
            throw translate(device, e);
        }
    }

    void gather(Storage x, Storage index, Storage out, IndexPlan plan) {
        launched();
        try {
            inner.gather(x, index, out, plan);
        } catch (BackendException e) {
            throw translate(device, e);
        }
    }

    void softmax(boolean log, Storage x, long outer, long len, long innerSize, Storage out) {
        launched();
        try {
            inner.softmax(log, x, outer, len, innerSize, out);
        } catch (BackendException e) {
            throw translate(device, e);
        }
    }

    void scatterAdd(Storage src, Storage index, Storage out, IndexPlan plan) {
        launched();
        try {
            inner.scatterAdd(src, index, out, plan);
        } catch (BackendException e) {
            throw translate(device, e);
        }
    }

    void softmaxBackward(boolean log, Storage y, Storage g, long outer, long len, long innerSize, Storage gx) {
        launched();
        try {
            inner.softmaxBackward(log, y, g, outer, len, innerSize, gx);
        } catch (BackendException e) {
            throw translate(device, e);
        }
    }

    void crossEntropy(Storage x, Storage target, Storage weight, long n, long c, long ignoreIndex, float smoothing,
            Storage loss, Storage stats) {
        launched();
        try {
            inner.crossEntropy(x, target, weight, n, c, ignoreIndex, smoothing, loss, stats);
        } catch (BackendException e) {
            throw translate(device, e);
        }
    }

    void crossEntropyBackward(Storage x, Storage target, Storage weight, Storage stats, Storage g, boolean gPerRow,
            long n, long c, long ignoreIndex, float smoothing, Storage gx) {
        launched();
        try {
            inner.crossEntropyBackward(x, target, weight, stats, g, gPerRow, n, c, ignoreIndex, smoothing, gx);
        } catch (BackendException e) {
            throw translate(device, e);
        }
    }

    void transpose(Storage x, int rows, int cols, Storage out) {
        launched();
        try {
            inner.transpose(x, rows, cols, out);
        } catch (BackendException e) {
            throw translate(device, e);
        }
    }

    void stridedCopy(Storage src, long srcOffset, Storage dst, long dstOffset, BroadcastPlan plan) {
        launched();
        try {
            inner.stridedCopy(src, srcOffset, dst, dstOffset, plan);
        } catch (BackendException e) {
            throw translate(device, e);
        }
    }

    /**
     * A draw for the user's {@code op} (rand, randn, dropout, ...): a failure names that op, not
     * the distribution the backend drew from.
     */
    void random(String op, RandomKind kind, long seed, long offset, Storage out, float a, float b) {
        launched();
        try {
            inner.random(kind, seed, offset, out, a, b);
        } catch (BackendException e) {
            throw translate(device, e, op);
        }
    }

    void randint(long seed, long offset, Storage out, long low, long high) {
        launched();
        try {
            inner.randint(seed, offset, out, low, high);
        } catch (BackendException e) {
            throw translate(device, e);
        }
    }

    void synchronize() {
        try {
            inner.synchronize();
        } catch (BackendException e) {
            throw translate(device, e);
        }
    }

    void layerNorm(Storage x, Storage weight, Storage bias, long rows, long len, float eps, Storage out,
            Storage stats) {
        launched();
        try {
            inner.layerNorm(x, weight, bias, rows, len, eps, out, stats);
        } catch (BackendException e) {
            throw translate(device, e);
        }
    }

    /** Two launches when a column sum (gWeight or gBias) is asked for: CUDA runs those as a kernel of their own. */
    void layerNormBackward(Storage x, Storage weight, Storage stats, Storage g, long rows, long len, Storage gx,
            Storage gWeight, Storage gBias) {
        if (gWeight != null || gBias != null) {
            launched();
        }
        launched();
        try {
            inner.layerNormBackward(x, weight, stats, g, rows, len, gx, gWeight, gBias);
        } catch (BackendException e) {
            throw translate(device, e);
        }
    }
}
