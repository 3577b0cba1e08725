package dev.tensorj.backend.cpu;

import java.util.Arrays;

/**
 * Layer norm over contiguous rows of {@code len}, forward and backward (Backend.layerNorm,
 * layerNormBackward), one row at a time, rows (and the backward's column blocks) split across cores
 * where it pays. The arithmetic is {@code layernorm.cu}'s with one thread per row step for step: row
 * sums in double, the per-element values in float (the backward's x̂ from the mean kept as two
 * floats, hi and lo: {@code x - hi} is exact for rows far from 0); the weight's and bias's gradients
 * are column sums in double in row order, as its column kernel.
 */
final class CpuLayerNorm {
    /** Columns summed together in the backward: one cache line of floats per row visited. */
    private static final int COLUMN_BLOCK = 16;

    private CpuLayerNorm() {}

    /** Rows per chunk when rows are split across cores: about {@link CpuThreads#PARALLEL_MIN_ELEMENTS} elements. */
    private static int grain(int len) {
        return Math.max(1, CpuThreads.PARALLEL_MIN_ELEMENTS / Math.max(1, len));
    }

    static void forward(float[] x, float[] w, float[] b, int rows, int len, float eps, float[] out, float[] stats) {
        CpuThreads.parallelFor(rows, grain(len), (from, to) -> forwardRows(x, w, b, rows, len, eps, out, stats, from, to));
    }

    private static void forwardRows(float[] x, float[] w, float[] b, int rows, int len, float eps, float[] out,
            float[] stats, int from, int to) {
        for (int r = from; r < to; r++) {
            int base = r * len;
            double s = 0;
            for (int j = 0; j < len; j++) {
                s += x[base + j];
            }
            double mean = s / len;
            double q = 0; // Σ (x - mean)², a second read: no cancellation for rows far from 0
            for (int j = 0; j < len; j++) {
                double d = x[base + j] - mean;
                q += d * d;
            }
            double rstd = 1 / Math.sqrt(q / len + eps);
            for (int j = 0; j < len; j++) {
                float xh = (float) ((x[base + j] - mean) * rstd);
                if (w != null) {
                    xh *= w[j];
                }
                out[base + j] = b == null ? xh : xh + b[j];
            }
            float hi = (float) mean;
            stats[r] = hi;
            stats[rows + r] = (float) (mean - hi);
            stats[2 * rows + r] = (float) rstd;
        }
    }

    static void backward(float[] x, float[] w, float[] stats, float[] g, int rows, int len, float[] gx, float[] gw,
            float[] gb) {
        CpuThreads.parallelFor(rows, grain(len), (from, to) -> backwardRows(x, w, stats, g, rows, len, gx, from, to));
        if (gw != null || gb != null) {
            // column blocks split across cores: each column's sum stays one thread's, in row order
            int blocks = (len + COLUMN_BLOCK - 1) / COLUMN_BLOCK;
            CpuThreads.parallelFor(blocks, grain((int) Math.min(Integer.MAX_VALUE, (long) rows * COLUMN_BLOCK)),
                    (from, to) -> columnSums(x, stats, g, rows, len, gw, gb, from, to));
        }
    }

    private static void backwardRows(float[] x, float[] w, float[] stats, float[] g, int rows, int len, float[] gx,
            int from, int to) {
        for (int r = from; r < to; r++) {
            int base = r * len;
            float hi = stats[r];
            float lo = stats[rows + r];
            float rstd = stats[2 * rows + r];
            double s1 = 0; // Σ gy
            double s2 = 0; // Σ gy·x̂
            for (int j = 0; j < len; j++) {
                float xh = (x[base + j] - hi - lo) * rstd;
                float gy = w == null ? g[base + j] : g[base + j] * w[j];
                s1 += gy;
                s2 += (double) gy * xh;
            }
            float a = (float) (s1 / len);
            float c = (float) (s2 / len);
            for (int j = 0; j < len; j++) {
                float xh = (x[base + j] - hi - lo) * rstd;
                float gy = w == null ? g[base + j] : g[base + j] * w[j];
                gx[base + j] = rstd * (gy - a - xh * c);
            }
        }
    }

    /**
     * {@code gw[j] = Σ_r g·x̂}, {@code gb[j] = Σ_r g}, a block of columns at a time so that each row
     * is read a cache line at once; each column's sum runs in row order, as the CUDA column kernel's.
     * Blocks {@code [fromBlock, toBlock)} of {@link #COLUMN_BLOCK} columns.
     */
    private static void columnSums(float[] x, float[] stats, float[] g, int rows, int len, float[] gw, float[] gb,
            int fromBlock, int toBlock) {
        double[] sw = new double[COLUMN_BLOCK];
        double[] sb = new double[COLUMN_BLOCK];
        for (int j0 = fromBlock * COLUMN_BLOCK; j0 < Math.min(len, toBlock * COLUMN_BLOCK); j0 += COLUMN_BLOCK) {
            int n = Math.min(COLUMN_BLOCK, len - j0);
            Arrays.fill(sw, 0);
            Arrays.fill(sb, 0);
            for (int r = 0; r < rows; r++) {
                int at = r * len + j0;
                float hi = stats[r];
                float lo = stats[rows + r];
                float rstd = stats[2 * rows + r];
                for (int k = 0; k < n; k++) {
                    float gv = g[at + k];
                    sw[k] += (double) gv * ((x[at + k] - hi - lo) * rstd);
                    sb[k] += gv;
                }
            }
            for (int k = 0; k < n; k++) {
                if (gw != null) {
                    gw[j0 + k] = (float) sw[k];
                }
                if (gb != null) {
                    gb[j0 + k] = (float) sb[k];
                }
            }
        }
    }
}
