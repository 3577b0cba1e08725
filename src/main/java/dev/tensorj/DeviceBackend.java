package dev.tensorj;

import dev.tensorj.backend.Backend;
import dev.tensorj.backend.BackendException;
import dev.tensorj.backend.BinaryOp;
import dev.tensorj.backend.BroadcastPlan;
import dev.tensorj.backend.CompareOp;
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

    private TensorjException translate(BackendException e) {
        return translate(device, e);
    }

    /** The public exception for a backend's failure on {@code device}. */
    static TensorjException translate(Device device, BackendException e) {
        switch (e.kind()) {
            case OUT_OF_MEMORY: {
                long[] m = e.memory();
                return new CudaOutOfMemoryException(e.op(), device, m[0], m[1], m[2]);
            }
            case UNAVAILABLE:
                return new CudaUnavailableException(e.getMessage(), e.getCause());
            default:
                return new CudaException(e.op(), e.errorName(), e.getMessage(), e.getCause());
        }
    }

    Storage allocate(DType dtype, long numel) {
        try {
            return allocated(inner.allocate(dtype.scalarType(), numel), false);
        } catch (BackendException e) {
            throw translate(e);
        }
    }

    Storage fromHost(float[] data) {
        try {
            return allocated(inner.fromHost(data), true);
        } catch (BackendException e) {
            throw translate(e);
        }
    }

    Storage fromHost(long[] data) {
        try {
            return allocated(inner.fromHost(data), true);
        } catch (BackendException e) {
            throw translate(e);
        }
    }

    Storage fromHost(boolean[] data) {
        try {
            return allocated(inner.fromHost(data), true);
        } catch (BackendException e) {
            throw translate(e);
        }
    }

    void toHost(Storage src, float[] dst) {
        try {
            inner.toHost(src, dst);
        } catch (BackendException e) {
            throw translate(e);
        }
        copiedToHost(src);
    }

    void toHost(Storage src, long[] dst) {
        try {
            inner.toHost(src, dst);
        } catch (BackendException e) {
            throw translate(e);
        }
        copiedToHost(src);
    }

    void toHost(Storage src, boolean[] dst) {
        try {
            inner.toHost(src, dst);
        } catch (BackendException e) {
            throw translate(e);
        }
        copiedToHost(src);
    }

    void copy(Storage src, Storage dst) {
        launched();
        try {
            inner.copy(src, dst);
        } catch (BackendException e) {
            throw translate(e);
        }
    }

    void fill(Storage out, float value) {
        launched();
        try {
            inner.fill(out, value);
        } catch (BackendException e) {
            throw translate(e);
        }
    }

    void fill(Storage out, long value) {
        launched();
        try {
            inner.fill(out, value);
        } catch (BackendException e) {
            throw translate(e);
        }
    }

    void fill(Storage out, boolean value) {
        launched();
        try {
            inner.fill(out, value);
        } catch (BackendException e) {
            throw translate(e);
        }
    }

    /** Converts {@code x} into {@code out} (same length, any two dtypes). */
    void cast(Storage x, Storage out) {
        launched();
        try {
            inner.cast(x, out);
        } catch (BackendException e) {
            throw translate(e);
        }
    }

    void unary(UnaryOp op, Storage x, Storage out) {
        launched();
        try {
            inner.unary(op, x, out);
        } catch (BackendException e) {
            throw translate(e);
        }
    }

    void binary(BinaryOp op, Storage a, Storage b, Storage out, BroadcastPlan plan) {
        launched();
        try {
            inner.binary(op, a, b, out, plan);
        } catch (BackendException e) {
            throw translate(e);
        }
    }

    void compare(CompareOp op, Storage a, Storage b, Storage out, BroadcastPlan plan) {
        launched();
        try {
            inner.compare(op, a, b, out, plan);
        } catch (BackendException e) {
            throw translate(e);
        }
    }

    void where(Storage cond, Storage a, Storage b, Storage out, BroadcastPlan plan) {
        launched();
        try {
            inner.where(cond, a, b, out, plan);
        } catch (BackendException e) {
            throw translate(e);
        }
    }

    void binaryScalar(BinaryOp op, Storage a, float scalar, Storage out) {
        launched();
        try {
            inner.binaryScalar(op, a, scalar, out);
        } catch (BackendException e) {
            throw translate(e);
        }
    }

    void axpy(float alpha, Storage x, Storage y, Storage out) {
        launched();
        try {
            inner.axpy(alpha, x, y, out);
        } catch (BackendException e) {
            throw translate(e);
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
            throw translate(e);
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
            throw translate(e);
        }
    }

    void sumAxis(Storage x, long outer, long len, long innerSize, Storage out) {
        launched();
        try {
            inner.sumAxis(x, outer, len, innerSize, out);
        } catch (BackendException e) {
            throw translate(e);
        }
    }

    void extremeAxis(boolean max, Storage x, long outer, long len, long innerSize, Storage values, Storage indices) {
        launched();
        try {
            inner.extremeAxis(max, x, outer, len, innerSize, values, indices);
        } catch (BackendException e) {
            throw translate(e);
        }
    }

    void gather(Storage x, Storage index, long[] indexStrides, Storage out, long outer, long n, long k, long innerSize) {
        launched();
        try {
            inner.gather(x, index, indexStrides, out, outer, n, k, innerSize);
        } catch (BackendException e) {
            throw translate(e);
        }
    }

    void softmax(boolean log, Storage x, long outer, long len, long innerSize, Storage out) {
        launched();
        try {
            inner.softmax(log, x, outer, len, innerSize, out);
        } catch (BackendException e) {
            throw translate(e);
        }
    }

    void scatterAdd(Storage src, Storage index, long[] indexStrides, Storage out, long outer, long n, long k,
            long innerSize) {
        launched();
        try {
            inner.scatterAdd(src, index, indexStrides, out, outer, n, k, innerSize);
        } catch (BackendException e) {
            throw translate(e);
        }
    }

    void softmaxBackward(boolean log, Storage y, Storage g, long outer, long len, long innerSize, Storage gx) {
        launched();
        try {
            inner.softmaxBackward(log, y, g, outer, len, innerSize, gx);
        } catch (BackendException e) {
            throw translate(e);
        }
    }

    void crossEntropy(Storage x, Storage target, Storage weight, long n, long c, long ignoreIndex, float smoothing,
            Storage loss, Storage stats) {
        launched();
        try {
            inner.crossEntropy(x, target, weight, n, c, ignoreIndex, smoothing, loss, stats);
        } catch (BackendException e) {
            throw translate(e);
        }
    }

    void crossEntropyBackward(Storage x, Storage target, Storage weight, Storage stats, Storage g, boolean gPerRow,
            long n, long c, long ignoreIndex, float smoothing, Storage gx) {
        launched();
        try {
            inner.crossEntropyBackward(x, target, weight, stats, g, gPerRow, n, c, ignoreIndex, smoothing, gx);
        } catch (BackendException e) {
            throw translate(e);
        }
    }

    void transpose(Storage x, int rows, int cols, Storage out) {
        launched();
        try {
            inner.transpose(x, rows, cols, out);
        } catch (BackendException e) {
            throw translate(e);
        }
    }

    void stridedCopy(Storage src, long srcOffset, Storage dst, long dstOffset, BroadcastPlan plan) {
        launched();
        try {
            inner.stridedCopy(src, srcOffset, dst, dstOffset, plan);
        } catch (BackendException e) {
            throw translate(e);
        }
    }

    void random(RandomKind kind, long seed, long offset, Storage out, float a, float b) {
        launched();
        try {
            inner.random(kind, seed, offset, out, a, b);
        } catch (BackendException e) {
            throw translate(e);
        }
    }

    void randint(long seed, long offset, Storage out, long low, long high) {
        launched();
        try {
            inner.randint(seed, offset, out, low, high);
        } catch (BackendException e) {
            throw translate(e);
        }
    }

    void synchronize() {
        try {
            inner.synchronize();
        } catch (BackendException e) {
            throw translate(e);
        }
    }
}
