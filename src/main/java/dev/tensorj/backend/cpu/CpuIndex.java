package dev.tensorj.backend.cpu;

import dev.tensorj.backend.IndexPlan;

/**
 * The gather and scatter-add kernels over an {@link IndexPlan} (Backend's {@code gather} and
 * {@code scatterAdd}): the plan's last dimension is the inner loop, the others an odometer. Where
 * the index is the same for a whole inner run and both sides are contiguous there (index_select,
 * an embedding lookup), a row moves at once.
 */
final class CpuIndex {
    private CpuIndex() {}

    static void gather(float[] x, long[] index, float[] out, IndexPlan p) {
        walk(p, x, index, out, false);
    }

    /** Adds in the plan's row-major order: a fixed order, so the result is the same on every run. */
    static void scatterAdd(float[] src, long[] index, float[] out, IndexPlan p) {
        walk(p, out, index, src, true);
    }

    /**
     * Runs the plan: {@code dense[..] = indexed[..]} (gather) or {@code indexed[..] += dense[..]}
     * (scatter-add). Every offset lies in a Java array, so it fits an int.
     */
    private static void walk(IndexPlan p, float[] indexed, long[] index, float[] dense, boolean scatter) {
        if (p.numel == 0) {
            return;
        }
        int rank = p.rank();
        int last = rank - 1;
        int len = (int) p.shape[last];
        int si = (int) p.indexStrides[last];
        int sd = (int) p.denseStrides[last];
        int sx = last == p.dim ? 0 : (int) p.indexedStrides[last]; // the dim's own term is the index value's
        long valueStride = p.indexedStrides[p.dim];
        boolean rows = si == 0 && sd == 1 && sx == 1;
        int[] at = new int[last];
        int ib = 0; // the bases of the current row on each side
        int db = 0;
        int xb = 0;
        for (long row = 0, n = p.numel / len; row < n; row++) {
            if (rows) {
                int from = (int) (xb + index[ib] * valueStride);
                if (scatter) {
                    for (int l = 0; l < len; l++) {
                        indexed[from + l] += dense[db + l];
                    }
                } else {
                    System.arraycopy(indexed, from, dense, db, len);
                }
            } else {
                for (int l = 0; l < len; l++) {
                    int x = (int) (xb + (long) l * sx + index[ib + l * si] * valueStride);
                    if (scatter) {
                        indexed[x] += dense[db + l * sd];
                    } else {
                        dense[db + l * sd] = indexed[x];
                    }
                }
            }
            for (int d = last - 1; d >= 0; d--) { // the next row: step the odometer
                int step = d == p.dim ? 0 : (int) p.indexedStrides[d];
                ib += (int) p.indexStrides[d];
                db += (int) p.denseStrides[d];
                xb += step;
                if (++at[d] < p.shape[d]) {
                    break;
                }
                at[d] = 0;
                ib -= (int) (p.indexStrides[d] * p.shape[d]);
                db -= (int) (p.denseStrides[d] * p.shape[d]);
                xb -= (int) (step * p.shape[d]);
            }
        }
    }
}
