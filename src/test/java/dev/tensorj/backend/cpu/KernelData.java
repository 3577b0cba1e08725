package dev.tensorj.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.backend.Storage;
import java.util.SplittableRandom;

/** Random operands, host copies of results and the comparisons the kernel tests share. */
final class KernelData {
    private KernelData() {}

    /** {@code s}'s float32 elements, copied to a new array. */
    static float[] floats(Storage s) {
        float[] h = new float[(int) s.numel()];
        CpuBackend.INSTANCE.toHost(s, h);
        return h;
    }

    /** {@code s}'s int64 elements, copied to a new array. */
    static long[] longs(Storage s) {
        long[] h = new long[(int) s.numel()];
        CpuBackend.INSTANCE.toHost(s, h);
        return h;
    }

    /** {@code s}'s bool elements, copied to a new array. */
    static boolean[] bools(Storage s) {
        boolean[] h = new boolean[(int) s.numel()];
        CpuBackend.INSTANCE.toHost(s, h);
        return h;
    }

    /** {@code n} floats uniform in {@code [lo, hi)}. */
    static float[] uniform(SplittableRandom rnd, int n, double lo, double hi) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (lo + rnd.nextDouble() * (hi - lo));
        }
        return x;
    }

    /** The same bits, except that any NaN matches any NaN (payloads are not specified). */
    static void assertBits(float expected, float actual, String what) {
        if (!(Float.isNaN(expected) && Float.isNaN(actual))) {
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual),
                    () -> what + ": expected " + expected + " but was " + actual);
        }
    }

    /**
     * {@code actual} within {@code rel·max(|expected|, scale)} of the double reference; NaN and the
     * infinities must match exactly.
     */
    static void assertClose(double expected, float actual, double rel, double scale, String what) {
        if (Double.isNaN(expected) || Double.isInfinite(expected)) {
            assertEquals(expected, (double) actual, () -> what);
            return;
        }
        double tol = rel * Math.max(Math.abs(expected), scale);
        assertTrue(Math.abs(expected - actual) <= tol,
                () -> what + ": expected " + expected + " but was " + actual + " (tolerance " + tol + ")");
    }
}
