package dev.tensorj.backend.cuda;

import java.util.Arrays;

/**
 * How to run one broadcasting binary op: the output shape with size-1 dimensions dropped and
 * neighbouring dimensions merged wherever both operands step through them as one (so a same-shape
 * op of any rank becomes one flat loop), then the cheapest kernel for what is left.
 */
final class BroadcastPlan {
    /** The general kernel handles this many (collapsed) dimensions; more loop on the host. */
    static final int MAX_KERNEL_RANK = 8;

    enum Kind {
        /** Both operands contiguous, same shape. */
        CONTIGUOUS,
        /** {@code a} is a single element, {@code b} contiguous. */
        A_ONE,
        /** {@code b} is a single element, {@code a} contiguous. */
        B_ONE,
        /** {@code [rows, cols]}: {@code a} a row broadcast over rows, {@code b} contiguous. */
        A_ROW,
        /** {@code [rows, cols]}: {@code a} contiguous, {@code b} a row (a Linear layer's bias). */
        B_ROW,
        /** Anything else: shape and strides go to the kernel. */
        GENERAL
    }

    final Kind kind;
    final long[] shape;
    final long[] aStrides;
    final long[] bStrides;
    final long numel;

    private BroadcastPlan(long[] shape, long[] aStrides, long[] bStrides) {
        this.shape = shape;
        this.aStrides = aStrides;
        this.bStrides = bStrides;
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        this.numel = n;
        this.kind = classify();
    }

    /** Plans {@code out[idx] = op(a[idx·aStrides], b[idx·bStrides])} over {@code outShape}. */
    static BroadcastPlan of(int[] outShape, long[] aStrides, long[] bStrides) {
        int rank = outShape.length;
        long[] shape = new long[rank];
        long[] as = new long[rank];
        long[] bs = new long[rank];
        int r = 0;
        for (int d = 0; d < rank; d++) {
            if (outShape[d] == 1) {
                continue; // a size-1 dimension moves neither operand
            }
            if (r > 0 && as[r - 1] == aStrides[d] * outShape[d] && bs[r - 1] == bStrides[d] * outShape[d]) {
                shape[r - 1] *= outShape[d]; // the outer dimension steps exactly over this one
                as[r - 1] = aStrides[d];
                bs[r - 1] = bStrides[d];
                continue;
            }
            shape[r] = outShape[d];
            as[r] = aStrides[d];
            bs[r] = bStrides[d];
            r++;
        }
        return new BroadcastPlan(Arrays.copyOf(shape, r), Arrays.copyOf(as, r), Arrays.copyOf(bs, r));
    }

    private Kind classify() {
        int r = shape.length;
        if (r == 0 || (r == 1 && aStrides[0] == 1 && bStrides[0] == 1)) {
            return Kind.CONTIGUOUS;
        }
        if (r == 1 && aStrides[0] == 0 && bStrides[0] == 1) {
            return Kind.A_ONE;
        }
        if (r == 1 && aStrides[0] == 1 && bStrides[0] == 0) {
            return Kind.B_ONE;
        }
        if (r == 2 && aStrides[1] == 1 && bStrides[1] == 1) {
            if (aStrides[0] == 0 && bStrides[0] == shape[1]) {
                return Kind.A_ROW;
            }
            if (aStrides[0] == shape[1] && bStrides[0] == 0) {
                return Kind.B_ROW;
            }
        }
        return Kind.GENERAL;
    }

    int rank() {
        return shape.length;
    }

    /** The number of columns of a row kind. */
    long cols() {
        return shape[shape.length - 1];
    }

    /** Whether element counts and offsets all fit 32-bit index math. */
    boolean fitsInt() {
        long maxA = 0;
        long maxB = 0;
        for (int d = 0; d < shape.length; d++) {
            maxA += (shape[d] - 1) * aStrides[d];
            maxB += (shape[d] - 1) * bStrides[d];
        }
        return numel <= Integer.MAX_VALUE && maxA <= Integer.MAX_VALUE && maxB <= Integer.MAX_VALUE;
    }

    /** Dimensions looped over on the host, in front of the ones the kernel handles. */
    int hostDims() {
        return Math.max(0, shape.length - MAX_KERNEL_RANK);
    }

    /** Elements per kernel launch: the product of the kernel's dimensions. */
    long kernelNumel() {
        long n = 1;
        for (int d = hostDims(); d < shape.length; d++) {
            n *= shape[d];
        }
        return n;
    }

    /**
     * The kernel's {@code BcastArgs} struct as 25 longs: rank, then shape, a strides and b strides
     * of the last {@code rank - hostDims()} dimensions, each padded to {@link #MAX_KERNEL_RANK}.
     */
    long[] pack() {
        int from = hostDims();
        int kr = shape.length - from;
        long[] p = new long[1 + 3 * MAX_KERNEL_RANK];
        p[0] = kr;
        for (int i = 0; i < kr; i++) {
            p[1 + i] = shape[from + i];
            p[1 + MAX_KERNEL_RANK + i] = aStrides[from + i];
            p[1 + 2 * MAX_KERNEL_RANK + i] = bStrides[from + i];
        }
        return p;
    }

    /**
     * For launch {@code launch} of the host loop (row-major over the host dimensions): the element
     * offsets of a, b and out.
     */
    long[] hostOffsets(long launch) {
        long aOff = 0;
        long bOff = 0;
        long rem = launch;
        for (int d = hostDims() - 1; d >= 0; d--) {
            long idx = rem % shape[d];
            rem /= shape[d];
            aOff += idx * aStrides[d];
            bOff += idx * bStrides[d];
        }
        return new long[] {aOff, bOff, launch * kernelNumel()};
    }

    /** Launches the host loop makes: 1 unless the collapsed rank exceeds {@link #MAX_KERNEL_RANK}. */
    long hostLaunches() {
        long n = 1;
        for (int d = 0; d < hostDims(); d++) {
            n *= shape[d];
        }
        return n;
    }
}
