package dev.tensorj.backend;

import java.util.Arrays;

/**
 * How to run one broadcasting binary op, planned once by the engine for every backend: the output
 * shape with size-1 dimensions dropped and neighbouring dimensions merged wherever both operands
 * step through them as one (so a same-shape op of any rank becomes one flat loop), and the kind
 * of loop that is left, for which a backend may have a faster kernel.
 */
public final class BroadcastPlan {
    /** The shapes of loop a plan can be. */
    public enum Kind {
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

    /** The loop's kind. */
    public final Kind kind;
    /** The collapsed output shape, outermost first; its product is {@link #numel}. */
    public final long[] shape;
    /** {@code a}'s stride in each dimension of {@link #shape}, in elements; 0 broadcasts. */
    public final long[] aStrides;
    /** {@code b}'s stride in each dimension of {@link #shape}, in elements; 0 broadcasts. */
    public final long[] bStrides;
    /** The number of output elements. */
    public final long numel;

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
    public static BroadcastPlan of(int[] outShape, long[] aStrides, long[] bStrides) {
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

    public int rank() {
        return shape.length;
    }

    /** The number of columns of a row kind. */
    public long cols() {
        return shape[shape.length - 1];
    }

    /** Whether element counts and offsets all fit 32-bit index math. */
    public boolean fitsInt() {
        long maxA = 0;
        long maxB = 0;
        for (int d = 0; d < shape.length; d++) {
            maxA += (shape[d] - 1) * aStrides[d];
            maxB += (shape[d] - 1) * bStrides[d];
        }
        return numel <= Integer.MAX_VALUE && maxA <= Integer.MAX_VALUE && maxB <= Integer.MAX_VALUE;
    }
}
