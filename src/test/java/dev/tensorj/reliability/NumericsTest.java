package dev.tensorj.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.AnomalyException;
import dev.tensorj.AnomalyMode;
import dev.tensorj.Device;
import dev.tensorj.Tensor;
import dev.tensorj.junit.DevicesSource;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/** NaN and ±Inf propagate as IEEE arithmetic says, the same way on every device; sums stay accurate. */
class NumericsTest {
    static final float NAN = Float.NaN;
    static final float INF = Float.POSITIVE_INFINITY;


    private static Tensor on(Device d, float[] v, int... shape) {
        return Tensor.of(v, shape).to(d);
    }

    @ParameterizedTest
    @DevicesSource
    void reluKeepsNanAndInfinities(Device d) {
        float[] out = on(d, new float[] {NAN, INF, -INF, -0f, 2.5f, -1f}).relu().toFloatArray();
        assertArrayEquals(new float[] {NAN, INF, 0f, 0f, 2.5f, 0f}, out);
    }

    @ParameterizedTest
    @DevicesSource
    void reluGradientPassesExactlyWhereTheInputIsPositiveOrNan(Device d) {
        float negativeNan = Float.intBitsToFloat(0xFFC00000);
        float[] x = {NAN, negativeNan, INF, -INF, -0f, 0f, Float.MIN_VALUE, -Float.MIN_VALUE,
            Float.MAX_VALUE, 2.5f, -1f, 1e-30f};
        // Upstream gradients, including infinities and NaN where the input is <= 0: masked
        // gradients must come out as 0, never NaN (0 * inf). A NaN input is not <= 0, so its
        // gradient passes, as in PyTorch's threshold_backward.
        float[] up = {1.5f, INF, -2f, NAN, -INF, INF, 3f, NAN, -4f, 0.25f, INF, -7f};
        float[] expected = {1.5f, INF, -2f, 0f, 0f, 0f, 3f, 0f, -4f, 0.25f, 0f, -7f};
        Tensor in = on(d, x).requiresGrad(true);
        in.relu().backward(on(d, up), false);
        assertArrayEquals(expected, in.grad().toFloatArray());
    }

    @ParameterizedTest
    @DevicesSource
    void sumAndMeanPropagateNanAndInf(Device d) {
        assertTrue(Float.isNaN(on(d, new float[] {1f, NAN, 3f}).sum().item()));
        assertTrue(Float.isNaN(on(d, new float[] {INF, -INF}).sum().item()), "inf - inf is NaN");
        assertEquals(INF, on(d, new float[] {1f, INF, 3f}).mean().item());
        float[] rows = on(d, new float[] {1f, 2f, NAN, 4f, -INF, 6f}, 2, 3).sum(1, false).toFloatArray();
        assertTrue(Float.isNaN(rows[0]));
        assertEquals(-INF, rows[1]);
    }

    @ParameterizedTest
    @DevicesSource
    void matmulPropagatesNanAndInfLikeIeee(Device d) {
        // Row 0 holds a NaN; row 1 is [Inf, 1] (Inf·positive + 1·0); row 2 is [0, Inf] (Inf·0 = NaN).
        Tensor a = on(d, new float[] {NAN, 1f, INF, 1f, 0f, INF}, 3, 2);
        Tensor b = on(d, new float[] {1f, 2f, 0f, 0f}, 2, 2); // b[1][*] = 0
        float[] c = a.matmul(b).toFloatArray();
        assertTrue(Float.isNaN(c[0]) && Float.isNaN(c[1]), "NaN row");
        assertEquals(INF, c[2]);
        assertEquals(INF, c[3]);
        assertTrue(Float.isNaN(c[4]) && Float.isNaN(c[5]), "Inf·0 is NaN, even though a kernel might skip zeros");
    }

    /** The same rules for a product large enough for the optimised kernels (OpenBLAS, cuBLAS). */
    @ParameterizedTest
    @DevicesSource
    void largeMatmulPropagatesNanAndInfLikeIeee(Device d) {
        int n = 160;
        java.util.Random r = new java.util.Random(3);
        float[] a = new float[n * n];
        float[] b = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextGaussian();
            b[i] = (float) Math.abs(r.nextGaussian()) + 0.1f; // positive, so Inf·b is +Inf
        }
        a[0] = NAN;            // row 0 of the product is all NaN
        a[n] = INF;            // row 1: +Inf, except where b's row 0 is 0
        b[5] = 0f;             // Inf·0 = NaN at (1, 5)
        float[] c = on(d, a, n, n).matmul(on(d, b, n, n)).toFloatArray();
        for (int j = 0; j < n; j++) {
            assertTrue(Float.isNaN(c[j]), "row 0, col " + j);
            if (j == 5) {
                assertTrue(Float.isNaN(c[n + j]), "Inf·0 at (1, 5)");
            } else {
                assertEquals(INF, c[n + j], "(1, " + j + ")");
            }
            assertTrue(Float.isFinite(c[2 * n + j]), "row 2 is untouched");
        }
    }

    @ParameterizedTest
    @DevicesSource
    void aSumOfLargeFloatsOverflowsToInfinityRatherThanThrowing(Device d) {
        float[] big = new float[1000];
        java.util.Arrays.fill(big, 3e37f);
        assertEquals(INF, on(d, big).sum().item());
        java.util.Arrays.fill(big, -3e37f);
        assertEquals(-INF, on(d, big, 10, 100).sum(1, false).sum().item());
    }

    @ParameterizedTest
    @DevicesSource
    void longReductionsStayCloseToTheExactSum(Device d) {
        int n = 1 << 22; // 4M elements: a naive float loop drifts by ~1e-3 relative here
        float[] v = new float[n];
        java.util.Random r = new java.util.Random(11);
        double exact = 0;
        double abs = 0;
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() + 0.5);
            exact += v[i];
            abs += Math.abs(v[i]);
        }
        double got = on(d, v).sum().item();
        // float32 output rounding plus a bound of a few ulps of the absolute sum for the accumulation.
        assertEquals(exact, got, 1e-6 * abs, "sum of " + n);
        double gotMean = on(d, v, 1024, 4096).mean(1, false).mean().item();
        assertEquals(exact / n, gotMean, 1e-6 * abs / n);
    }

    @Test
    void anomalyModeNamesTheOpWhoseBackwardFirstProducedNan() {
        Tensor x = Tensor.of(new float[] {0f, 1f, 2f}).requiresGrad(true);
        Tensor w = Tensor.of(new float[] {1f, 2f, 3f}).requiresGrad(true);
        // pow(0.5) has an infinite slope at 0; times the 0 from relu... the first NaN comes from pow's backward.
        Tensor y = x.pow(0.5f).mul(w).relu().sum();
        Tensor loss = y.mul(0f).add(y.mul(0f));
        try (AnomalyMode a = AnomalyMode.enter()) {
            AnomalyException e = assertThrows(AnomalyException.class, loss::backward);
            assertEquals("pow", e.op());
            assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("[3]"), e.getMessage());
        }
        assertTrue(!AnomalyMode.isEnabled(), "the scope restores the mode");
    }

    @Test
    void withoutAnomalyModeNanGradientsAreJustValues() {
        Tensor x = Tensor.of(new float[] {0f, 1f}).requiresGrad(true);
        x.pow(0.5f).mul(0f).sum().backward();
        assertTrue(Float.isNaN(x.grad().toFloatArray()[0]), "0·∞ = NaN, reported by nobody");
    }
}
