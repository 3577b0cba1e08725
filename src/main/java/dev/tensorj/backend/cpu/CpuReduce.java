package dev.tensorj.backend.cpu;

/** Sums along one axis. Accumulates in double so long reductions stay close to the exact sum. */
final class CpuReduce {
    private CpuReduce() {}

    /**
     * A strided sum is split across cores from this many elements: a quarter of the elementwise
     * threshold, as each element costs a conversion and a double add that C2 does not vectorise
     * (a [256, 1024] bias gradient: 83 us on one core of the development machine, a 2-vCPU AMD EPYC).
     */
    private static final int STRIDED_MIN_ELEMENTS = CpuThreads.PARALLEL_MIN_ELEMENTS / 4;
    /** Columns per core, at least, when a strided sum splits its columns. */
    private static final int COLUMNS_MIN = 64;

    static void sumAxis(float[] x, int outer, int len, int inner, float[] out) {
        if (inner == 1) {
            // Contiguous rows: one dot-like loop per output, split across cores by rows.
            int grain = Math.max(1, CpuThreads.PARALLEL_MIN_ELEMENTS / Math.max(1, len));
            if (CpuThreads.serial(outer, grain)) { // no lambda: see CpuThreads.serial
                sumRows(x, len, out, 0, outer);
            } else {
                CpuThreads.parallelFor(outer, grain, (from, to) -> sumRows(x, len, out, from, to));
            }
            return;
        }
        // Strided axis: accumulate whole inner rows at a time so reads stay sequential. With fewer
        // outputs than cores (a bias gradient: one [len, inner] block), split the columns instead.
        int blocks = outer >= CpuThreads.THREADS ? 1 : Math.max(1, Math.min(CpuThreads.THREADS, inner / COLUMNS_MIN));
        int width = (inner + blocks - 1) / blocks;
        long work = (long) len * width;
        int grain = (int) Math.max(1, STRIDED_MIN_ELEMENTS / Math.max(1, work));
        if (CpuThreads.serial(outer * blocks, grain)) {
            sumColumns(x, len, inner, blocks, width, out, 0, outer * blocks);
        } else {
            CpuThreads.parallelFor(outer * blocks, grain, (from, to) -> sumColumns(x, len, inner, blocks, width, out, from, to));
        }
    }

    private static void sumRows(float[] x, int len, float[] out, int from, int to) {
        for (int o = from; o < to; o++) {
            out[o] = (float) sumContiguous(x, o * len, len);
        }
    }

    /** Column blocks {@code [from, to)} of the strided sum: block t is columns of output block t / blocks. */
    private static void sumColumns(float[] x, int len, int inner, int blocks, int width, float[] out, int from, int to) {
        double[] acc = accumulators(width);
        for (int t = from; t < to; t++) {
            int o = t / blocks;
            int c0 = (t % blocks) * width;
            int cols = Math.min(inner, c0 + width) - c0;
            java.util.Arrays.fill(acc, 0, cols, 0.0);
            int base = o * len * inner + c0;
            for (int l = 0; l < len; l++) {
                int row = base + l * inner;
                for (int i = 0; i < cols; i++) {
                    acc[i] += x[row + i];
                }
            }
            int ob = o * inner + c0;
            for (int i = 0; i < cols; i++) {
                out[ob + i] = (float) acc[i];
            }
        }
    }

    /** Per-thread accumulators, so that a reduction in a training step allocates nothing once warm. */
    private static final ThreadLocal<double[][]> ACC = ThreadLocal.withInitial(() -> new double[1][0]);

    /** This thread's accumulator array, at least {@code n} long (its contents are stale). */
    private static double[] accumulators(int n) {
        double[][] holder = ACC.get();
        if (holder[0].length < n) {
            holder[0] = new double[n];
        }
        return holder[0];
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
