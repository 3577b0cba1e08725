package dev.tensorj.backend.cpu;

/**
 * Softmax, log-softmax and cross-entropy along one axis of {@code [outer, len, inner]}: each row
 * is read once for its maximum and {@code Σ exp(x - max)} (online softmax: the sum is rescaled
 * whenever the running maximum grows) and once more to write. The arithmetic is
 * src/main/cuda/softmax.cu's: exponentials in float ({@link FloatExp} here, within an ulp or two of
 * CUDA's {@code expf}), sums in double, the written values in float; step for step where the kernel
 * gives a row one thread, while its several threads of a long row merge partial (max, sum) pairs in
 * a tree, another order of the double additions.
 */
final class CpuSoftmax {
    private CpuSoftmax() {}

    /**
     * {@code s}, the sum of {@code exp(x - m)} over a row's elements so far, after adding {@code v}
     * with {@code m} the running maximum before it; the caller then sets {@code m = max(m, v)}.
     * An element of -Inf adds nothing (even while the maximum is -Inf), a +Inf maximum makes the
     * sum NaN and a NaN element makes it NaN, as {@code Σ exp(x - amax(x))} in PyTorch.
     */
    static double addToSum(double s, float m, float v) {
        if (v > m) {
            return s * FloatExp.exp(m - v) + (v == Float.POSITIVE_INFINITY ? Double.NaN : 1.0);
        }
        return v == Float.NEGATIVE_INFINITY ? s : s + FloatExp.exp(v - m);
    }

    /** The larger of the running maximum and {@code v}; a NaN {@code v} leaves it (the sum carries the NaN). */
    static float maxOf(float m, float v) {
        return v > m ? v : m;
    }

    /**
     * Row {@code r = o·inner + i} of {@code [outer, len, inner]} starts at {@code o·len·inner + i}
     * and steps by {@code inner}; rows are split across cores. The last dim ({@code inner == 1})
     * reads contiguous rows; another dim walks a column, whose lines the neighbouring rows reuse.
     */
    private static int rowBase(int r, int len, int inner) {
        return (r / inner) * len * inner + r % inner;
    }

    static void softmax(boolean log, float[] x, int outer, int len, int inner, float[] out) {
        CpuThreads.parallelFor(outer * inner, grain(len), (from, to) -> {
            for (int r = from; r < to; r++) {
                int base = rowBase(r, len, inner);
                int end = base + len * inner;
                float m = Float.NEGATIVE_INFINITY;
                double s = 0;
                for (int at = base; at < end; at += inner) {
                    float v = x[at];
                    s = addToSum(s, m, v);
                    m = maxOf(m, v);
                }
                if (log) {
                    float logSum = (float) Math.log(s);
                    for (int at = base; at < end; at += inner) {
                        out[at] = (x[at] - m) - logSum;
                    }
                } else {
                    float inv = (float) (1.0 / s);
                    for (int at = base; at < end; at += inner) {
                        out[at] = FloatExp.exp(x[at] - m) * inv;
                    }
                }
            }
        });
    }

    static void softmaxBackward(boolean log, float[] y, float[] g, int outer, int len, int inner, float[] gx) {
        CpuThreads.parallelFor(outer * inner, grain(len), (from, to) -> {
            for (int r = from; r < to; r++) {
                int base = rowBase(r, len, inner);
                int end = base + len * inner;
                double sum = 0; // Σ g (log-softmax) or Σ g·y (softmax)
                if (log) {
                    for (int at = base; at < end; at += inner) {
                        sum += g[at];
                    }
                    float total = (float) sum;
                    for (int at = base; at < end; at += inner) {
                        gx[at] = g[at] - FloatExp.exp(y[at]) * total;
                    }
                } else {
                    for (int at = base; at < end; at += inner) {
                        sum += (double) g[at] * y[at];
                    }
                    float total = (float) sum;
                    for (int at = base; at < end; at += inner) {
                        gx[at] = y[at] * (g[at] - total);
                    }
                }
            }
        });
    }

    private static int grain(int len) {
        return Math.max(1, CpuThreads.PARALLEL_MIN_ELEMENTS / Math.max(1, len));
    }

    /** See {@code Backend.crossEntropy}: stats are {@code [n]} target weights, then per row max, log-sum, coefficient. */
    static void crossEntropy(float[] x, long[] target, float[] weight, int n, int c, long ignoreIndex, float eps,
            float[] loss, float[] stats) {
        CpuThreads.parallelFor(n, grain(c), (from, to) -> {
            for (int r = from; r < to; r++) {
                long t = target[r];
                int base = r * c;
                if (t == ignoreIndex) {
                    loss[r] = 0f;
                    stats[r] = 0f;
                    stats[n + 3 * r] = 0f;
                    stats[n + 3 * r + 1] = 0f;
                    stats[n + 3 * r + 2] = 0f;
                    continue;
                }
                float m = Float.NEGATIVE_INFINITY;
                double s = 0;
                double wx = 0; // Σ weight[j]·x[j], for the smoothing term
                double ws = 0; // Σ weight[j]
                for (int j = 0; j < c; j++) {
                    float v = x[base + j];
                    s = addToSum(s, m, v);
                    m = maxOf(m, v);
                    if (eps > 0f) {
                        float w = weight == null ? 1f : weight[j];
                        wx += (double) w * v;
                        ws += w;
                    }
                }
                float wt = weight == null ? 1f : weight[(int) t];
                double logSum = Math.log(s);
                double lse = m + logSum;
                double nll = wt * (lse - x[base + (int) t]);
                double coef = wt;
                double value = nll;
                if (eps > 0f) {
                    value = (1.0 - eps) * nll + (double) eps / c * (ws * lse - wx);
                    coef = (1.0 - eps) * wt + (double) eps / c * ws;
                }
                loss[r] = (float) value;
                stats[r] = wt;
                stats[n + 3 * r] = m;
                stats[n + 3 * r + 1] = (float) logSum;
                stats[n + 3 * r + 2] = (float) coef;
            }
        });
    }

    static void crossEntropyBackward(float[] x, long[] target, float[] weight, float[] stats, float[] g, boolean gPerRow,
            int n, int c, long ignoreIndex, float eps, float[] gx) {
        CpuThreads.parallelFor(n, grain(c), (from, to) -> {
            for (int r = from; r < to; r++) {
                long t = target[r];
                int base = r * c;
                if (t == ignoreIndex) {
                    java.util.Arrays.fill(gx, base, base + c, 0f);
                    continue;
                }
                float gr = g[gPerRow ? r : 0];
                float wt = stats[r];
                float m = stats[n + 3 * r];
                float logSum = stats[n + 3 * r + 1];
                float coef = stats[n + 3 * r + 2];
                float hot = (1f - eps) * wt;
                float spread = eps / c;
                for (int j = 0; j < c; j++) {
                    float p = FloatExp.exp(x[base + j] - m - logSum);
                    float d = p * coef - (j == t ? hot : 0f) - (eps > 0f ? spread * (weight == null ? 1f : weight[j]) : 0f);
                    gx[base + j] = gr * d;
                }
            }
        });
    }
}
