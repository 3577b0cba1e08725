package dev.tensorj.backend.cpu;

/**
 * The gather and scatter-add kernels over {@code [outer, len, inner]} views (Backend's
 * {@code gather} and {@code scatterAdd}). Where the index is the same for a whole inner run (its
 * inner stride is 0: index_select, an embedding lookup), a row moves at once.
 */
final class CpuIndex {
    private CpuIndex() {}

    static void gather(float[] x, long[] index, long[] strides, float[] out, int outer, int n, int k, int inner) {
        long s0 = strides[0];
        long s1 = strides[1];
        long s2 = strides[2];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < k; j++) {
                long at = o * s0 + j * s1;
                int dst = (o * k + j) * inner;
                if (s2 == 0) {
                    System.arraycopy(x, (int) ((o * (long) n + index[(int) at]) * inner), out, dst, inner);
                    continue;
                }
                for (int i = 0; i < inner; i++) {
                    out[dst + i] = x[(int) ((o * (long) n + index[(int) (at + i * s2)]) * inner + i)];
                }
            }
        }
    }

    /** Adds in increasing o, then j: a fixed order, so the result is the same on every run. */
    static void scatterAdd(float[] src, long[] index, long[] strides, float[] out, int outer, int n, int k, int inner) {
        long s0 = strides[0];
        long s1 = strides[1];
        long s2 = strides[2];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < k; j++) {
                long at = o * s0 + j * s1;
                int from = (o * k + j) * inner;
                if (s2 == 0) {
                    int row = (int) ((o * (long) n + index[(int) at]) * inner);
                    for (int i = 0; i < inner; i++) {
                        out[row + i] += src[from + i];
                    }
                    continue;
                }
                for (int i = 0; i < inner; i++) {
                    out[(int) ((o * (long) n + index[(int) (at + i * s2)]) * inner + i)] += src[from + i];
                }
            }
        }
    }
}
