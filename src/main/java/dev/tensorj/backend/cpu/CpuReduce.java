package dev.tensorj.backend.cpu;

/** Sums along one axis. Accumulates in double so long reductions stay close to the exact sum. */
final class CpuReduce {
    private CpuReduce() {}

    static void sumAxis(float[] x, int outer, int len, int inner, float[] out) {
        if (inner == 1) {
            // Contiguous rows: one dot-like loop per output, split across cores by rows.
            CpuThreads.parallelFor(outer, Math.max(1, CpuThreads.PARALLEL_MIN_ELEMENTS / Math.max(1, len)),
                    (from, to) -> {
                        for (int o = from; o < to; o++) {
                            out[o] = (float) sumContiguous(x, o * len, len);
                        }
                    });
            return;
        }
        // Strided axis: accumulate whole inner rows at a time so reads stay sequential.
        CpuThreads.parallelFor(outer, Math.max(1, CpuThreads.PARALLEL_MIN_ELEMENTS / Math.max(1, len * inner)),
                (from, to) -> {
                    double[] acc = new double[inner];
                    for (int o = from; o < to; o++) {
                        java.util.Arrays.fill(acc, 0.0);
                        int base = o * len * inner;
                        for (int l = 0; l < len; l++) {
                            int row = base + l * inner;
                            for (int i = 0; i < inner; i++) {
                                acc[i] += x[row + i];
                            }
                        }
                        int ob = o * inner;
                        for (int i = 0; i < inner; i++) {
                            out[ob + i] = (float) acc[i];
                        }
                    }
                });
    }

    /** Four independent double accumulators: exact enough, and not serialised on one add chain. */
    private static double sumContiguous(float[] x, int off, int len) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < len; i += 4) {
            s0 += x[off + i];
            s1 += x[off + i + 1];
            s2 += x[off + i + 2];
            s3 += x[off + i + 3];
        }
        for (; i < len; i++) {
            s0 += x[off + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Max or min along the middle axis with its first index; the first NaN wins. {@code len >= 1}. */
    static void extremeAxis(boolean max, float[] x, int outer, int len, int inner, float[] values, long[] indices) {
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * len * inner + i;
                float best = x[base];
                int at = 0;
                if (!Float.isNaN(best)) {
                    for (int l = 1; l < len; l++) {
                        float v = x[base + l * inner];
                        if (Float.isNaN(v)) {
                            best = v;
                            at = l;
                            break;
                        }
                        if (max ? v > best : v < best) {
                            best = v;
                            at = l;
                        }
                    }
                }
                values[o * inner + i] = best;
                indices[o * inner + i] = at;
            }
        }
    }
}
