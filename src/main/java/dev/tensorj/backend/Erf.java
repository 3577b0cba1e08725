package dev.tensorj.backend;

/**
 * The error function and its complement in double, to about 1e-15 relative (Java has no
 * {@code Math.erf}). For {@code |x| < 3} the series {@code erf(x) = 2/√π·e^(-x²)·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1))},
 * whose terms are all positive (no cancellation); beyond, the continued fraction
 * {@code erfc(x) = e^(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))}, which converges fast there.
 */
final class Erf {
    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    private static final double INV_SQRT_PI = 0.5641895835477563;
    /** Where the continued fraction takes over from the series. */
    private static final double SPLIT = 3.0;

    private Erf() {}

    static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double a = Math.abs(x);
        if (a < SPLIT) {
            return series(x);
        }
        double r = 1.0 - erfcLarge(a);
        return x < 0 ? -r : r;
    }

    /** {@code 1 - erf(x)}, accurate relative to itself also where it is tiny (large positive x). */
    static double erfc(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        if (x < 0.5) {
            return 1.0 - erf(x); // ≥ 0.47: no cancellation to speak of
        }
        if (x < SPLIT) {
            return 1.0 - series(x); // ≥ 2.2e-5: loses at most ~5e-12 relative
        }
        return erfcLarge(x);
    }

    /** {@code e^(-x²)} with the rounding error of {@code x²} corrected (it matters for |x| of a few units). */
    private static double expMinusSquare(double x) {
        double xx = x * x;
        double err = Math.fma(x, x, -xx); // x² = xx + err exactly
        return Math.exp(-xx) * (1.0 - err);
    }

    private static double series(double x) {
        double xx2 = 2.0 * x * x;
        double term = x;
        double sum = x;
        for (int n = 0; n < 200; n++) {
            term *= xx2 / (2 * n + 3);
            sum += term;
            if (Math.abs(term) <= 1e-17 * Math.abs(sum)) {
                break;
            }
        }
        return TWO_OVER_SQRT_PI * expMinusSquare(x) * sum;
    }

    /** erfc(x) for x ≥ 3, by the continued fraction evaluated from the bottom up. */
    private static double erfcLarge(double x) {
        if (x == Double.POSITIVE_INFINITY) {
            return 0.0;
        }
        double t = x;
        for (int k = 60; k >= 1; k--) {
            t = x + (k * 0.5) / t;
        }
        return INV_SQRT_PI * expMinusSquare(x) / t;
    }
}
