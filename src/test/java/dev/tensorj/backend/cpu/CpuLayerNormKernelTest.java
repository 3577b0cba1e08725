package dev.tensorj.backend.cpu;

import static dev.tensorj.backend.cpu.KernelData.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Layer norm on the CPU, forward (with and without weight and bias) and backward (the input's
 * gradient and the weight's and bias's column sums, each optional), against double-precision
 * references: rows of odd lengths on either side of the 16-column blocks, rows far from 0, and
 * enough rows (and columns) to be split across the worker threads.
 */
class CpuLayerNormKernelTest {
    private static final float EPS = 1e-5f;

    /** {rows, len}: the last two are split across threads (by rows; then the column sums by blocks). */
    private static int[][] shapes() {
        return new int[][] {{1, 1}, {3, 5}, {4, 16}, {5, 17}, {2, 33}, {CpuThreads.PARALLEL_MIN_ELEMENTS / 7 + 9, 7},
                {4, CpuThreads.PARALLEL_MIN_ELEMENTS / 64 + 35}};
    }

    @Test
    void forwardMatchesADoubleReference() {
        var rnd = new SplittableRandom(61);
        for (int[] s : shapes()) {
            int rows = s[0];
            int len = s[1];
            float[] x = KernelData.uniform(rnd, rows * len, 95, 105); // far from 0: the mean matters
            float[] w = KernelData.uniform(rnd, len, -2, 2);
            float[] b = KernelData.uniform(rnd, len, -1, 1);
            for (int variant = 0; variant < 4; variant++) {
                float[] weight = (variant & 1) != 0 ? w : null;
                float[] bias = (variant & 2) != 0 ? b : null;
                float[] out = new float[rows * len];
                float[] stats = new float[3 * rows];
                CpuLayerNorm.forward(x, weight, bias, rows, len, EPS, out, stats);
                for (int r = 0; r < rows; r++) {
                    double mean = mean(x, r, len);
                    double rstd = rstd(x, r, len, mean);
                    String row = "[" + rows + ", " + len + "] row " + r + (weight != null ? " weight" : "")
                            + (bias != null ? " bias" : "");
                    // The mean as two floats, hi + lo, and 1/σ.
                    assertEquals((float) mean, stats[r], row + " mean");
                    assertClose(mean - (float) mean, stats[rows + r], 1e-6, 1e-12, row + " mean's low part");
                    assertClose(rstd, stats[2 * rows + r], 1e-6, 0, row + " rstd");
                    for (int j = 0; j < len; j++) {
                        double ref = (x[r * len + j] - mean) * rstd * (weight == null ? 1 : weight[j])
                                + (bias == null ? 0 : bias[j]);
                        assertClose(ref, out[r * len + j], 2e-6, 2, row + " at " + j);
                    }
                }
            }
        }
    }

    @Test
    void backwardMatchesADoubleReference() {
        var rnd = new SplittableRandom(62);
        for (int[] s : shapes()) {
            int rows = s[0];
            int len = s[1];
            float[] x = KernelData.uniform(rnd, rows * len, -3, 5);
            float[] w = KernelData.uniform(rnd, len, -2, 2);
            float[] g = KernelData.uniform(rnd, rows * len, -1, 1);
            for (int variant = 0; variant < 4; variant++) {
                float[] weight = (variant & 1) != 0 ? w : null;
                boolean sums = (variant & 2) != 0;
                float[] out = new float[rows * len];
                float[] stats = new float[3 * rows];
                CpuLayerNorm.forward(x, weight, null, rows, len, EPS, out, stats);
                float[] gx = new float[rows * len];
                float[] gw = sums ? new float[len] : null;
                float[] gb = sums ? new float[len] : null;
                CpuLayerNorm.backward(x, weight, stats, g, rows, len, gx, gw, gb);
                double[] refW = new double[len];
                double[] refB = new double[len];
                for (int r = 0; r < rows; r++) {
                    double mean = mean(x, r, len);
                    double rstd = rstd(x, r, len, mean);
                    double a = 0;
                    double c = 0;
                    double scale = 0;
                    for (int j = 0; j < len; j++) {
                        double xh = (x[r * len + j] - mean) * rstd;
                        double gy = g[r * len + j] * (weight == null ? 1 : weight[j]);
                        a += gy;
                        c += gy * xh;
                        scale += Math.abs(gy);
                        refW[j] += g[r * len + j] * xh;
                        refB[j] += g[r * len + j];
                    }
                    a /= len;
                    c /= len;
                    for (int j = 0; j < len; j++) {
                        double xh = (x[r * len + j] - mean) * rstd;
                        double gy = g[r * len + j] * (weight == null ? 1 : weight[j]);
                        assertClose(rstd * (gy - a - xh * c), gx[r * len + j], 1e-5, rstd * (scale / len + 1e-3),
                                "[" + rows + ", " + len + "] grad of row " + r + " at " + j);
                    }
                }
                if (sums) {
                    for (int j = 0; j < len; j++) {
                        assertClose(refW[j], gw[j], 1e-5, Math.sqrt(rows), "weight grad " + j + " of [" + rows + ", " + len + "]");
                        assertClose(refB[j], gb[j], 1e-6, Math.sqrt(rows) * 1e-2, "bias grad " + j + " of [" + rows + ", " + len + "]");
                    }
                }
            }
        }
    }

    /**
     * Rows far from 0 with a small spread: x̂ comes from the mean kept as two floats (hi + lo), since
     * {@code x - hi} alone would be off by the rounding of the mean, magnified by 1/σ.
     */
    @Test
    void backwardOfRowsFarFromZero() {
        var rnd = new SplittableRandom(64);
        int rows = 5;
        int len = 37;
        float[] x = KernelData.uniform(rnd, rows * len, 999.95, 1000.05);
        float[] g = KernelData.uniform(rnd, rows * len, -1, 1);
        float[] stats = new float[3 * rows];
        CpuLayerNorm.forward(x, null, null, rows, len, EPS, new float[rows * len], stats);
        float[] gx = new float[rows * len];
        float[] gw = new float[len];
        CpuLayerNorm.backward(x, null, stats, g, rows, len, gx, gw, null);
        double[] refW = new double[len];
        for (int r = 0; r < rows; r++) {
            double mean = mean(x, r, len);
            double rstd = rstd(x, r, len, mean);
            double a = 0;
            double c = 0;
            for (int j = 0; j < len; j++) {
                double xh = (x[r * len + j] - mean) * rstd;
                a += g[r * len + j];
                c += g[r * len + j] * xh;
                refW[j] += g[r * len + j] * xh;
            }
            a /= len;
            c /= len;
            for (int j = 0; j < len; j++) {
                double xh = (x[r * len + j] - mean) * rstd;
                assertClose(rstd * (g[r * len + j] - a - xh * c), gx[r * len + j], 1e-4, rstd * 1e-2,
                        "grad of row " + r + " at " + j);
            }
        }
        for (int j = 0; j < len; j++) {
            assertClose(refW[j], gw[j], 1e-4, 1e-2, "weight grad " + j);
        }
    }

    /** Only one of the two column sums asked for: the other stays untouched (null). */
    @Test
    void eitherColumnSumAlone() {
        var rnd = new SplittableRandom(63);
        int rows = 6;
        int len = 19;
        float[] x = KernelData.uniform(rnd, rows * len, -3, 3);
        float[] g = KernelData.uniform(rnd, rows * len, -1, 1);
        float[] stats = new float[3 * rows];
        CpuLayerNorm.forward(x, null, null, rows, len, EPS, new float[rows * len], stats);
        float[] both = new float[len];
        float[] bothB = new float[len];
        CpuLayerNorm.backward(x, null, stats, g, rows, len, new float[rows * len], both, bothB);
        float[] onlyW = new float[len];
        CpuLayerNorm.backward(x, null, stats, g, rows, len, new float[rows * len], onlyW, null);
        float[] onlyB = new float[len];
        CpuLayerNorm.backward(x, null, stats, g, rows, len, new float[rows * len], null, onlyB);
        org.junit.jupiter.api.Assertions.assertArrayEquals(both, onlyW);
        org.junit.jupiter.api.Assertions.assertArrayEquals(bothB, onlyB);
    }

    private static double mean(float[] x, int r, int len) {
        double s = 0;
        for (int j = 0; j < len; j++) {
            s += x[r * len + j];
        }
        return s / len;
    }

    private static double rstd(float[] x, int r, int len, double mean) {
        double q = 0;
        for (int j = 0; j < len; j++) {
            double d = x[r * len + j] - mean;
            q += d * d;
        }
        return 1 / Math.sqrt(q / len + EPS);
    }
}
