package dev.tensorj.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The double-precision erf and erfc behind GELU on the CPU: known values to ~1e-15, special values
 * and the joins of the pieces ({@link ErfReferenceTest} holds the dense check against mpmath).
 */
class ErfTest {
    private static void assertRel(double expected, double actual, double rel, String what) {
        assertTrue(Math.abs(actual - expected) <= rel * Math.abs(expected),
                what + ": " + actual + ", expected " + expected + " (relative " + (actual - expected) / expected + ")");
    }

    @Test
    void erfMatchesKnownValues() {
        double[][] known = {
            {0.5, 0.5204998778130465},
            {1, 0.8427007929497149},
            {2, 0.9953222650189527},
            {-3, -0.9999779095030014},
            {1e-8, 1.1283791670955126e-8},
            {-0.1, -0.1124629160182849},
            {2.9, 0.9999589021219005},
            {3.5, 0.9999992569016276},
        };
        for (double[] k : known) {
            assertRel(k[1], Erf.erf(k[0]), 2e-15, "erf(" + k[0] + ")");
        }
        assertEquals(1.0, Erf.erf(6.5));
        assertEquals(-1.0, Erf.erf(Double.NEGATIVE_INFINITY));
        assertEquals(0.0, Erf.erf(0.0));
        assertEquals(Double.doubleToLongBits(-0.0), Double.doubleToLongBits(Erf.erf(-0.0)));
        assertTrue(Double.isNaN(Erf.erf(Double.NaN)));
    }

    @Test
    void erfcKeepsItsRelativeAccuracyInTheTail() {
        double[][] known = {
            {3, 2.209049699858544e-05},
            {4, 1.541725790028002e-08},
            {5, 1.5374597944280349e-12},
            {10, 2.088487583762545e-45},
            {-1, 1.8427007929497148},
        };
        for (double[] k : known) {
            assertRel(k[1], Erf.erfc(k[0]), 2e-15, "erfc(" + k[0] + ")");
        }
        assertRel(4.069520174449590e-04, Erf.erfc(2.5), 2e-15, "erfc(2.5)"); // no 1 - erf any more
        assertEquals(0.0, Erf.erfc(Double.POSITIVE_INFINITY));
        assertEquals(2.0, Erf.erfc(Double.NEGATIVE_INFINITY));
        assertEquals(0.0, Erf.erfc(27.5)); // below 2^-1075
        assertTrue(Erf.erfc(26.5) > 0); // subnormal, not flushed
        assertEquals(0.0, Erf.erfc(1e200)); // x² overflows: no NaN from e^(-∞)·∞
        assertEquals(2.0, Erf.erfc(-1e200));
        assertEquals(1.0, Erf.erf(1e200));
        assertEquals(-1.0, Erf.erf(-Double.MAX_VALUE));
        assertTrue(Double.isNaN(Erf.erfc(Double.NaN)));
    }

    /**
     * Where two fits meet, the jump between neighbouring doubles is the slope's share, erfc'(x) = -2/√π·e^(-x²),
     * to within rounding: the pieces join without a step.
     */
    @Test
    void thePiecesMeetWithoutAStep() {
        for (double b = 0.5; b <= 4.0; b += 0.5) {
            for (double edge : new double[] {b, -b}) {
                double below = Math.nextDown(edge);
                double slope = -2 / Math.sqrt(Math.PI) * Math.exp(-edge * edge);
                double jump = Erf.erfc(below) - Erf.erfc(edge) - slope * (below - edge);
                assertTrue(Math.abs(jump) <= 6e-16 * Erf.erfc(edge), "erfc steps at " + edge + " by " + jump);
                double erfJump = Erf.erf(below) - Erf.erf(edge) + slope * (below - edge);
                assertTrue(Math.abs(erfJump) <= 6e-16 * Math.abs(Erf.erf(edge)),
                        "erf steps at " + edge + " by " + erfJump);
            }
        }
    }
}
