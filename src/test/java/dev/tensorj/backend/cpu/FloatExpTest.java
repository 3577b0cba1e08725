package dev.tensorj.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The softmax kernels' exponential against {@code (float) Math.exp}: within 1 ulp, exact at the edges. */
class FloatExpTest {
    @Test
    void withinOneUlpOfMathExpOverTheFloatRange() {
        Random rng = new Random(2026);
        for (int i = 0; i < 2_000_000; i++) {
            float x = i % 2 == 0 ? (float) (-110 + 200 * rng.nextDouble()) : (float) (-2 * rng.nextDouble() + 1e-3);
            float expected = (float) Math.exp(x);
            float got = FloatExp.exp(x);
            int ulps = Math.abs(Float.floatToIntBits(expected) - Float.floatToIntBits(got));
            assertTrue(ulps <= 1, "exp(" + x + ") = " + got + ", Math.exp gives " + expected);
        }
        // every float from the overflow threshold down a few thousand steps, and around the underflow one
        for (float x : new float[] {88.72283f, -103.97208f, -87.33655f}) {
            float v = x;
            for (int i = 0; i < 4000; i++, v = Math.nextDown(v)) {
                int ulps = Math.abs(Float.floatToIntBits((float) Math.exp(v)) - Float.floatToIntBits(FloatExp.exp(v)));
                assertTrue(ulps <= 1, "exp(" + v + ")");
            }
        }
    }

    @Test
    void edges() {
        assertEquals(1f, FloatExp.exp(0f));
        assertEquals(1f, FloatExp.exp(-0f));
        assertEquals(0f, FloatExp.exp(Float.NEGATIVE_INFINITY));
        assertEquals(0f, FloatExp.exp(-104f));
        assertEquals(0f, FloatExp.exp(-1e30f));
        assertEquals(Float.POSITIVE_INFINITY, FloatExp.exp(Float.POSITIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, FloatExp.exp(89f));
        assertEquals(Float.POSITIVE_INFINITY, FloatExp.exp(88.73f));
        assertTrue(Float.isNaN(FloatExp.exp(Float.NaN)));
        assertEquals(Float.MIN_VALUE, FloatExp.exp(-103.9f)); // a subnormal, rounded as Math.exp's
    }
}
