package dev.tensorj.backend;

import dev.tensorj.Device;

/**
 * Wraps a device's backend and counts what passes through it into that device's
 * {@link DeviceCounters}: the one place where placement is recorded. A copy between devices
 * counts host→device on the receiving device and device→host on the sending one; cpu's own
 * copies in and out of {@code float[]} count as neither.
 */
final class CountingBackend implements Backend {
    private final Backend inner;
    private final DeviceCounters c;
    private final boolean countsTransfers;

    CountingBackend(Backend inner) {
        this.inner = inner;
        this.c = DeviceCounters.of(inner.device());
        this.countsTransfers = !inner.device().isCpu();
    }

    /** An op was dispatched to this device (counted once per op, before its kernels). */
    void countOp() {
        c.cell().ops++;
    }

    @Override
    public Device device() {
        return inner.device();
    }

    @Override
    public Storage allocate(long numel) {
        Storage s = inner.allocate(numel);
        DeviceCounters.Cell cell = c.cell();
        cell.allocations++;
        cell.bytesAllocated += numel * Float.BYTES;
        return s;
    }

    @Override
    public Storage fromHost(float[] data) {
        Storage s = inner.fromHost(data);
        DeviceCounters.Cell cell = c.cell();
        cell.allocations++;
        cell.bytesAllocated += (long) data.length * Float.BYTES;
        if (countsTransfers) {
            cell.bytesHostToDevice += (long) data.length * Float.BYTES;
        }
        return s;
    }

    @Override
    public void toHost(Storage src, float[] dst) {
        inner.toHost(src, dst);
        if (countsTransfers) {
            c.cell().bytesDeviceToHost += src.numel() * Float.BYTES;
        }
    }

    @Override
    public void copy(Storage src, Storage dst) {
        c.cell().launches++;
        inner.copy(src, dst);
    }

    @Override
    public void fill(Storage out, float value) {
        c.cell().launches++;
        inner.fill(out, value);
    }

    @Override
    public void unary(UnaryOp op, Storage x, Storage out) {
        c.cell().launches++;
        inner.unary(op, x, out);
    }

    @Override
    public void binary(BinaryOp op, Storage a, long[] aStrides, Storage b, long[] bStrides,
                       Storage out, int[] outShape) {
        c.cell().launches++;
        inner.binary(op, a, aStrides, b, bStrides, out, outShape);
    }

    @Override
    public void binaryScalar(BinaryOp op, Storage a, float scalar, Storage out) {
        c.cell().launches++;
        inner.binaryScalar(op, a, scalar, out);
    }

    @Override
    public void matmul(Storage a, Storage b, Storage cOut, int m, int n, int k, boolean transA, boolean transB) {
        DeviceCounters.Cell cell = c.cell();
        cell.launches++;
        cell.flops += 2L * m * n * k;
        inner.matmul(a, b, cOut, m, n, k, transA, transB);
    }

    @Override
    public void sumAxis(Storage x, long outer, long len, long innerSize, Storage out) {
        c.cell().launches++;
        inner.sumAxis(x, outer, len, innerSize, out);
    }

    @Override
    public void transpose(Storage x, int rows, int cols, Storage out) {
        c.cell().launches++;
        inner.transpose(x, rows, cols, out);
    }

    @Override
    public void sgdStep(Storage param, Storage grad, Storage momentumBuffer, SgdParams p) {
        c.cell().launches++;
        inner.sgdStep(param, grad, momentumBuffer, p);
    }
}
