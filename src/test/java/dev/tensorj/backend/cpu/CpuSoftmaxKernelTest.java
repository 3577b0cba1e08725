package dev.tensorj.backend.cpu;

import static dev.tensorj.backend.cpu.KernelData.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Softmax, log-softmax and cross-entropy on the CPU, forward and backward, against double-precision
 * references: along the last axis and along a strided one ({@code inner > 1}), at odd sizes, with
 * rows split across the worker threads, and with the infinities and NaN that the online maximum
 * treats apart.
 */
class CpuSoftmaxKernelTest {
    /** Exponentials in float (within an ulp or two), sums in double: a few float ulps. */
    private static final double REL = 2e-6;

    /** Each {@code [outer, len, inner]}; the last is split across threads. */
    private static int[][] shapes() {
        return new int[][] {{1, 1, 1}, {3, 7, 1}, {2, 5, 3}, {1, 33, 4}, {4, 1, 2},
                {CpuThreads.PARALLEL_MIN_ELEMENTS / 3 + 17, 3, 1}};
    }

    private static int at(int o, int l, int i, int len, int inner) {
        return (o * len + l) * inner + i;
    }

    @Test
    void softmaxAndLogSoftmaxMatchADoubleReference() {
        var rnd = new SplittableRandom(51);
        for (int[] s : shapes()) {
            int outer = s[0];
            int len = s[1];
            int inner = s[2];
            float[] x = KernelData.uniform(rnd, outer * len * inner, -8, 8);
            for (boolean log : new boolean[] {false, true}) {
                float[] out = new float[x.length];
                CpuSoftmax.softmax(log, x, outer, len, inner, out);
                for (int o = 0; o < outer; o++) {
                    for (int i = 0; i < inner; i++) {
                        double m = Double.NEGATIVE_INFINITY;
                        for (int l = 0; l < len; l++) {
                            m = Math.max(m, x[at(o, l, i, len, inner)]);
                        }
                        double sum = 0;
                        for (int l = 0; l < len; l++) {
                            sum += Math.exp(x[at(o, l, i, len, inner)] - m);
                        }
                        for (int l = 0; l < len; l++) {
                            int k = at(o, l, i, len, inner);
                            double ref = log ? x[k] - m - Math.log(sum) : Math.exp(x[k] - m) / sum;
                            assertClose(ref, out[k], REL, log ? 1 : 0,
                                    (log ? "log_softmax" : "softmax") + " at " + k + " of " + java.util.Arrays.toString(s));
                        }
                    }
                }
            }
        }
    }

    /**
     * PyTorch's values: -inf elements get probability 0 (log -inf) while the row has a finite
     * element; a row of -inf only, a +inf element or a NaN element makes the whole row NaN.
     */
    @Test
    void infinitiesAndNanInARow() {
        float inf = Float.POSITIVE_INFINITY;
        float[][] rows = {{-inf, 1f, 2f}, {1f, -inf, 0f}, {-inf, -inf, -inf}, {1f, inf, 0f}, {0f, Float.NaN, 5f},
            {Float.NaN, -inf, 1f}, {3f, 3f, -inf}};
        for (float[] x : rows) {
            float[] p = new float[3];
            float[] lp = new float[3];
            CpuSoftmax.softmax(false, x, 1, 3, 1, p);
            CpuSoftmax.softmax(true, x, 1, 3, 1, lp);
            double m = Double.NEGATIVE_INFINITY;
            boolean nan = false;
            for (float v : x) {
                m = Math.max(m, v);
                nan |= Float.isNaN(v);
            }
            String what = java.util.Arrays.toString(x);
            if (nan || m == Double.POSITIVE_INFINITY || m == Double.NEGATIVE_INFINITY) {
                for (int j = 0; j < 3; j++) {
                    assertTrue(Float.isNaN(p[j]) && Float.isNaN(lp[j]), what + " gives NaN at " + j);
                }
                continue;
            }
            double sum = 0;
            for (float v : x) {
                sum += Math.exp(v - m);
            }
            for (int j = 0; j < 3; j++) {
                assertClose(Math.exp(x[j] - m) / sum, p[j], REL, 0, "softmax of " + what + " at " + j);
                assertClose(x[j] - m - Math.log(sum), lp[j], REL, 1, "log_softmax of " + what + " at " + j);
            }
        }
    }

    @Test
    void backwardMatchesADoubleReference() {
        var rnd = new SplittableRandom(52);
        for (int[] s : shapes()) {
            int outer = s[0];
            int len = s[1];
            int inner = s[2];
            float[] x = KernelData.uniform(rnd, outer * len * inner, -4, 4);
            float[] g = KernelData.uniform(rnd, x.length, -1, 1);
            for (boolean log : new boolean[] {false, true}) {
                float[] y = new float[x.length];
                CpuSoftmax.softmax(log, x, outer, len, inner, y);
                float[] gx = new float[x.length];
                CpuSoftmax.softmaxBackward(log, y, g, outer, len, inner, gx);
                for (int o = 0; o < outer; o++) {
                    for (int i = 0; i < inner; i++) {
                        double total = 0;
                        double scale = 0;
                        for (int l = 0; l < len; l++) {
                            int k = at(o, l, i, len, inner);
                            total += log ? g[k] : (double) g[k] * y[k];
                            scale += Math.abs(g[k]);
                        }
                        for (int l = 0; l < len; l++) {
                            int k = at(o, l, i, len, inner);
                            double ref = log ? g[k] - Math.exp(y[k]) * total : y[k] * (g[k] - total);
                            assertClose(ref, gx[k], 1e-5, scale, (log ? "log_softmax" : "softmax")
                                    + " backward at " + k + " of " + java.util.Arrays.toString(s));
                        }
                    }
                }
            }
        }
    }

    /** Rows of c classes: enough rows in the last case to be split across threads. */
    private static int[][] crossEntropyShapes() {
        return new int[][] {{1, 1}, {5, 4}, {9, 7}, {CpuThreads.PARALLEL_MIN_ELEMENTS / 5 + 3, 5}};
    }

    /**
     * The loss per row ({@code (1-ε)·w_t·(lse - x_t) + ε/c·Σ_j w_j·(lse - x_j)}), its statistics and
     * its gradient {@code g·(p_j·coef - (1-ε)·w_t·[j = t] - ε/c·w_j)}, with and without class
     * weights and smoothing, ignored rows (loss, statistics and gradient all 0), and the gradient
     * scaled per row or by one value.
     */
    @Test
    void crossEntropyForwardAndBackwardMatchADoubleReference() {
        var rnd = new SplittableRandom(53);
        long ignore = -100;
        for (int[] s : crossEntropyShapes()) {
            int n = s[0];
            int c = s[1];
            float[] x = KernelData.uniform(rnd, n * c, -5, 5);
            long[] target = new long[n];
            for (int r = 0; r < n; r++) {
                target[r] = rnd.nextInt(5) == 0 ? ignore : rnd.nextInt(c);
            }
            target[0] = c - 1;
            float[] w = KernelData.uniform(rnd, c, 0.5, 2);
            for (float eps : new float[] {0f, 0.2f}) {
                for (boolean weighted : new boolean[] {false, true}) {
                    float[] weight = weighted ? w : null;
                    float[] loss = new float[n];
                    float[] stats = new float[4 * n];
                    java.util.Arrays.fill(stats, Float.NaN);
                    CpuSoftmax.crossEntropy(x, target, weight, n, c, ignore, eps, loss, stats);
                    for (boolean perRow : new boolean[] {false, true}) {
                        float[] g = perRow ? KernelData.uniform(rnd, n, -2, 2) : new float[] {0.75f};
                        float[] gx = new float[n * c];
                        java.util.Arrays.fill(gx, Float.NaN);
                        CpuSoftmax.crossEntropyBackward(x, target, weight, stats, g, perRow, n, c, ignore, eps, gx);
                        String what = "[" + n + ", " + c + "] eps " + eps + (weighted ? " weighted" : "")
                                + (perRow ? " g per row" : " one g");
                        check(x, target, weight, n, c, ignore, eps, loss, stats, g, perRow, gx, what);
                    }
                }
            }
        }
    }

    /**
     * A class masked with -inf (probability 0) and no smoothing: the loss and its gradient stay
     * finite (PyTorch's values); with smoothing the -inf enters the smoothing term, as in PyTorch.
     */
    @Test
    void aMaskedClassWithoutSmoothingLeavesTheLossFinite() {
        float[] x = {1f, Float.NEGATIVE_INFINITY, 0.5f, -2f};
        long[] target = {0};
        float[] loss = new float[1];
        float[] stats = new float[4];
        CpuSoftmax.crossEntropy(x, target, null, 1, 4, -100, 0f, loss, stats);
        double sum = Math.exp(0) + Math.exp(-0.5) + Math.exp(-3);
        assertClose(Math.log(sum), loss[0], REL, 1, "loss");
        float[] gx = new float[4];
        CpuSoftmax.crossEntropyBackward(x, target, null, stats, new float[] {1f}, false, 1, 4, -100, 0f, gx);
        double[] expected = {1 / sum - 1, 0, Math.exp(-0.5) / sum, Math.exp(-3) / sum};
        for (int j = 0; j < 4; j++) {
            assertClose(expected[j], gx[j], 1e-5, 1, "grad " + j);
        }
        CpuSoftmax.crossEntropy(x, target, null, 1, 4, -100, 0.1f, loss, stats);
        assertEquals(Float.POSITIVE_INFINITY, loss[0], "with smoothing");
    }

    private static void check(float[] x, long[] target, float[] weight, int n, int c, long ignore, float eps,
            float[] loss, float[] stats, float[] g, boolean perRow, float[] gx, String what) {
        for (int r = 0; r < n; r++) {
            String row = what + " row " + r;
            if (target[r] == ignore) {
                assertEquals(0f, loss[r], row);
                for (int k = 0; k < 4; k++) {
                    assertEquals(0f, stats[k == 0 ? r : n + 3 * r + k - 1], row + " stat " + k);
                }
                for (int j = 0; j < c; j++) {
                    assertEquals(0f, gx[r * c + j], row + " grad " + j);
                }
                continue;
            }
            int t = (int) target[r];
            double m = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) {
                m = Math.max(m, x[r * c + j]);
            }
            double sum = 0;
            for (int j = 0; j < c; j++) {
                sum += Math.exp(x[r * c + j] - m);
            }
            double lse = m + Math.log(sum);
            double wt = weight == null ? 1 : weight[t];
            double ws = 0;
            double smooth = 0;
            for (int j = 0; j < c; j++) {
                double wj = weight == null ? 1 : weight[j];
                ws += wj;
                smooth += wj * (lse - x[r * c + j]);
            }
            double ref = (1 - eps) * wt * (lse - x[r * c + t]) + (double) eps / c * smooth;
            assertClose(ref, loss[r], REL, 1, row + " loss");
            assertEquals((float) wt, stats[r], row + " weight");
            assertEquals((float) m, stats[n + 3 * r], row + " max");
            assertClose(Math.log(sum), stats[n + 3 * r + 1], REL, 1, row + " log-sum");
            double coef = (1 - eps) * wt + (double) eps / c * ws;
            assertClose(coef, stats[n + 3 * r + 2], REL, 0, row + " coefficient");
            double gr = g[perRow ? r : 0];
            for (int j = 0; j < c; j++) {
                double p = Math.exp(x[r * c + j] - lse);
                double wj = weight == null ? 1 : weight[j];
                double d = p * coef - (j == t ? (1 - eps) * wt : 0) - eps / (double) c * wj;
                assertClose(gr * d, gx[r * c + j], 1e-5, Math.abs(gr) * coef, row + " grad " + j);
            }
        }
    }
}
