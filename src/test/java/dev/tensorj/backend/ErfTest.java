package dev.tensorj.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The double-precision erf and erfc behind GELU on the CPU, against known values to ~1e-15. */
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
        assertRel(4.069520174449590e-04, Erf.erfc(2.5), 1e-11, "erfc(2.5)"); // 1 - erf: ~5e-12 at worst
        assertEquals(0.0, Erf.erfc(Double.POSITIVE_INFINITY));
        assertEquals(2.0, Erf.erfc(Double.NEGATIVE_INFINITY));
    }

    @Test
    void seriesAndContinuedFractionMeetAtTheSplit() {
        for (double x = 2.9; x < 3.1; x += 0.01) {
            assertRel(Erf.erf(x), 1 - Erf.erfc(x), 1e-15, "erf vs 1 - erfc at " + x);
        }
    }
}
