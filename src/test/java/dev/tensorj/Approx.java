package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;

/** Compares a tensor with a double-precision reference, relative to the magnitude of the result. */
final class Approx {
    /** float32 rounds to ~6e-8; 1e-5 leaves room for summation order but catches any wrong formula. */
    static final double RTOL = 1e-5;

    private Approx() {}

    /** Shape equal and {@code |x - ref| <= RTOL·|ref|} everywhere (NaN only where the reference is NaN). */
    static void assertClose(String what, Tensor actual, Nd ref) {
        assertClose(what, actual, ref, null);
    }

    /**
     * As {@link #assertClose(String, Tensor, Nd)} with {@code |x - ref| <= RTOL·(|ref| + scale)}:
     * {@code scale} is the same op on the absolute values (the sum of |terms|) for sums and
     * products, where cancellation makes |ref| alone too strict. Null means no scale.
     */
    static void assertClose(String what, Tensor actual, Nd ref, Nd scale) {
        assertArrayEquals(ref.shape, actual.shape(), what + ": shape");
        float[] x = actual.toFloatArray();
        for (int i = 0; i < x.length; i++) {
            double r = ref.v[i];
            double s = scale == null ? 0 : scale.v[i];
            if (Double.isNaN(r) ? !Float.isNaN(x[i]) : !(Math.abs(x[i] - r) <= RTOL * (Math.abs(r) + s))) {
                fail(what + ": element " + i + " of shape " + Arrays.toString(ref.shape) + " is " + x[i]
                        + ", expected " + r + " (scale " + s + ")");
            }
        }
    }
}
