package dev.tensorj.backend;

import java.util.Arrays;

/**
 * How to run one gather or scatter-add ({@link Backend#gather}, {@link Backend#scatterAdd}),
 * planned once by the engine for every backend: a loop over {@link #shape} (the index's positions,
 * or index_select's output) in which each position {@code idx} reads the index at
 * {@code idx·indexStrides}, the dense side (gather's output, scatter-add's source) at
 * {@code idx·denseStrides}, and the indexed side (gather's input, scatter-add's output) at
 * {@code idx·indexedStrides} with dimension {@link #dim}'s term replaced by the index value times
 * {@code indexedStrides[dim]}. Each side has its own strides, so an index smaller than the input
 * or the source in some dimension reads or writes them in place, with no copy of a region.
 * Size-1 dimensions are dropped and neighbouring dimensions that every side steps through as one
 * are merged, so index_select and an index of the input's shape become {@code [outer, k, inner]}.
 */
public final class IndexPlan {
    /** The collapsed loop shape, outermost first; its product is {@link #numel}. */
    public final long[] shape;
    /** The dimension of {@link #shape} along which the index's values select. */
    public final int dim;
    /** The index's stride in each dimension, in elements; 0 broadcasts (index_select). */
    public final long[] indexStrides;
    /** The dense side's stride in each dimension, in elements. */
    public final long[] denseStrides;
    /** The indexed side's stride in each dimension, in elements; at {@link #dim}, an index value's. */
    public final long[] indexedStrides;
    /** The number of positions of the loop. */
    public final long numel;

    private IndexPlan(long[] shape, int dim, long[] indexStrides, long[] denseStrides, long[] indexedStrides) {
        this.shape = shape;
        this.dim = dim;
        this.indexStrides = indexStrides;
        this.denseStrides = denseStrides;
        this.indexedStrides = indexedStrides;
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        this.numel = n;
    }

    /** Plans the loop over {@code shape}, selecting along {@code dim}, with each side's strides. */
    public static IndexPlan of(int[] shape, int dim, long[] indexStrides, long[] denseStrides, long[] indexedStrides) {
        int rank = shape.length;
        long[] s = new long[rank];
        long[] is = new long[rank];
        long[] ds = new long[rank];
        long[] xs = new long[rank];
        int r = 0;
        int newDim = -1;
        for (int d = 0; d < rank; d++) {
            if (d != dim && shape[d] == 1) {
                continue; // moves no side
            }
            boolean merge = r > 0 && d != dim && r - 1 != newDim && is[r - 1] == indexStrides[d] * shape[d]
                    && ds[r - 1] == denseStrides[d] * shape[d] && xs[r - 1] == indexedStrides[d] * shape[d];
            if (merge) { // the outer dimension steps exactly over this one on every side
                s[r - 1] *= shape[d];
            } else {
                s[r] = shape[d];
                r++;
            }
            if (d == dim) {
                newDim = r - 1;
            }
            is[r - 1] = indexStrides[d];
            ds[r - 1] = denseStrides[d];
            xs[r - 1] = indexedStrides[d];
        }
        return new IndexPlan(Arrays.copyOf(s, r), newDim, Arrays.copyOf(is, r), Arrays.copyOf(ds, r),
                Arrays.copyOf(xs, r));
    }

    /** The number of (collapsed) dimensions. */
    public int rank() {
        return shape.length;
    }

    /** This plan without dimension {@code d} ({@code d != dim}): one slice of it, for a host loop. */
    public IndexPlan without(int d) {
        if (d == dim) {
            throw new IllegalArgumentException("cannot drop the indexed dimension " + d);
        }
        return new IndexPlan(drop(shape, d), d < dim ? dim - 1 : dim, drop(indexStrides, d), drop(denseStrides, d),
                drop(indexedStrides, d));
    }

    private static long[] drop(long[] a, int d) {
        long[] out = new long[a.length - 1];
        System.arraycopy(a, 0, out, 0, d);
        System.arraycopy(a, d + 1, out, d, a.length - d - 1);
        return out;
    }

    @Override
    public String toString() {
        return "IndexPlan" + Arrays.toString(shape) + " dim " + dim + " index " + Arrays.toString(indexStrides)
                + " dense " + Arrays.toString(denseStrides) + " indexed " + Arrays.toString(indexedStrides);
    }
}
