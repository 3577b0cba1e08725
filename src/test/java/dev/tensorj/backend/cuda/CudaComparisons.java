package dev.tensorj.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.backend.Backend;
import dev.tensorj.backend.Storage;

/**
 * Shared by the CUDA backend's tests: the CPU's results against the device's. (The skip without a
 * device is dev.tensorj.junit's {@code @RequiresCuda}; the pool's accounting is its {@code @LeakCheck}.)
 */
final class CudaComparisons {
    private CudaComparisons() {}

    static float[] toHost(Backend be, Storage s) {
        float[] out = new float[Math.toIntExact(s.numel())];
        be.toHost(s, out);
        return out;
    }

    /**
     * Equal within {@code rel} of the largest magnitude in {@code expected} (norm-wise: matmul and
     * sums add in a different order on each device); NaN must meet NaN, infinities must match.
     */
    static void assertClose(float[] expected, float[] actual, double rel, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double scale = 0;
        for (float e : expected) {
            if (Float.isFinite(e)) {
                scale = Math.max(scale, Math.abs(e));
            }
        }
        double tol = rel * Math.max(scale, 1e-30);
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            boolean ok = Float.isNaN(e) ? Float.isNaN(a)
                    : Float.isInfinite(e) ? e == a
                    : Math.abs(e - a) <= tol || Math.abs(e - a) <= rel * Math.abs(e);
            final int idx = i;
            assertTrue(ok, () -> what + ": element " + idx + " expected " + e + " got " + a + " (tolerance " + tol + ")");
        }
    }

    /**
     * Whether the kernel of {@code op} gives the CPU backend's bits: IEEE-exact ops do; the
     * transcendental ones use float libm functions on the device and double on the CPU.
     */
    static boolean exactUnary(dev.tensorj.backend.UnaryOp op) {
        switch (op) {
            case NEG:
            case RELU:
            case ABS:
            case SIGN:
            case SQRT:
            case RSQRT:
            case RECIPROCAL:
                return true;
            default:
                return false;
        }
    }

    /** The most ulps a transcendental kernel may differ from the CPU (libm's few ulps, plus one rounding). */
    static final int UNARY_ULPS = 8;

    /**
     * Equal, or both NaN, or within {@code ulps} units in the last place of the larger magnitude;
     * differences below the smallest normal float pass (subnormal results carry few bits).
     */
    static boolean closeUlps(float expected, float actual, int ulps) {
        if (Float.isNaN(expected) || Float.isNaN(actual)) {
            return Float.isNaN(expected) && Float.isNaN(actual);
        }
        if (expected == actual) {
            return true;
        }
        double diff = Math.abs((double) expected - actual);
        return diff <= ulps * (double) Math.ulp(Math.max(Math.abs(expected), Math.abs(actual))) || diff < Float.MIN_NORMAL;
    }

    /** The CPU's result of a unary op against the device's: bits for exact ops, else {@link #closeUlps}. */
    static void assertUnaryMatches(dev.tensorj.backend.UnaryOp op, float[] x, float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        boolean exact = exactUnary(op);
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            boolean ok = exact ? Float.floatToIntBits(e) == Float.floatToIntBits(a) : closeUlps(e, a, UNARY_ULPS);
            final int idx = i;
            assertTrue(ok, () -> what + ": element " + idx + " (" + x[idx] + "): cpu " + e + ", cuda " + a);
        }
    }
}
