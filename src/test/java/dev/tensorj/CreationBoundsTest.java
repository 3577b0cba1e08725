package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.backend.Philox;
import dev.tensorj.junit.DevicesSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * The edges of the creation ops' ranges: arange's empty range and its largest count (on the meta
 * device, which allocates nothing), eye with a size 0, linspace bit for bit as PyTorch's two-sided
 * float32 algorithm, and randperm's permutation and its use of the generator's stream.
 */
class CreationBoundsTest {
    @ParameterizedTest
    @DevicesSource
    void anEmptyRangeIsEmptyWhicheverTheStepsSign(Device device) {
        assertArrayEquals(new int[] {0}, Tensor.arange(device, 5, 5, 1).shape());
        assertArrayEquals(new int[] {0}, Tensor.arange(device, 5, 5, -2).shape());
        assertArrayEquals(new int[] {0}, Tensor.arange(device, 2.5f, 2.5f, 0.5f).shape());
        assertArrayEquals(new int[] {0}, Tensor.arange(device, 2.5f, 2.5f, -0.5f).shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.arange(device, 5, 4, 1));
        assertEquals("arange: upper bound 4 and lower bound 5 are inconsistent with the sign of step 1", e.getMessage());
    }

    @Test
    void theLargestCountsADimensionHoldsAreAccepted() {
        // Integer.MAX_VALUE elements: one more is refused (only the meta device can hold this many here)
        assertArrayEquals(new int[] {Integer.MAX_VALUE}, Tensor.arange(Device.META, 0, Integer.MAX_VALUE, 1).shape());
        assertArrayEquals(new int[] {Integer.MAX_VALUE}, Tensor.arange(Device.META, 1f, 0x1p31f, 1f).shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.arange(Device.META, -1, Integer.MAX_VALUE, 1));
        assertTrue(e.getMessage().startsWith("arange: start -1, end 2147483647 and step 1 give more elements"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.arange(Device.META, 0f, 0x1p31f, 1f));
        // far from 0, or with a large step, the count is still end - start over step
        assertArrayEquals(new int[] {10}, Tensor.arange(Device.META, 3_000_000_000L, 3_000_000_010L, 1).shape());
        assertArrayEquals(new int[] {1}, Tensor.arange(Device.META, 0, 10, 1L << 30).shape());
        assertArrayEquals(new long[] {3_000_000_000L, 3_000_000_004L, 3_000_000_008L},
                Tensor.arange(Device.CPU, 3_000_000_000L, 3_000_000_010L, 4).toLongArray());
    }

    @ParameterizedTest
    @DevicesSource(meta = true)
    void eyeWithASizeZeroIsEmpty(Device device) {
        assertArrayEquals(new int[] {0, 3}, Tensor.eye(device, 0, 3).shape());
        assertArrayEquals(new int[] {3, 0}, Tensor.eye(device, 3, 0).shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.eye(device, -1, 3));
        assertEquals("eye: sizes must be non-negative, got -1 × 3", e.getMessage());
    }

    @ParameterizedTest
    @DevicesSource
    void linspaceIsPyTorchsTwoSidedFloat32Algorithm(Device device) {
        // step = (end - start)/(steps - 1) in float; the first half counted up from start, the rest
        // down from end: in float, counting up all the way would not end at 1.7f, and the middle
        // element differs by one ulp between the two ways.
        float start = 0.1f;
        float end = 1.7f;
        int steps = 7;
        float step = (end - start) / (steps - 1);
        float[] expected = new float[steps];
        for (int i = 0; i < steps; i++) {
            expected[i] = i < steps / 2 ? start + step * i : end - step * (steps - i - 1);
        }
        assertTrue(start + step * (steps - 1) != end && start + step * 3 != end - step * 3, "the case must tell");
        float[] got = Tensor.linspace(device, start, end, steps).toFloatArray();
        for (int i = 0; i < steps; i++) {
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(got[i]), "linspace[" + i + "]");
        }
    }

    @ParameterizedTest
    @DevicesSource
    void randpermIsFisherYatesOnThePhiloxStreamAndTakesTwoWordsPerSwap(Device device) {
        int n = 9;
        Tensor.manualSeed(1234);
        long[] state = Tensor.getRngState();
        long[] got = Tensor.randperm(device, n).toLongArray();
        // (n - 1) swaps of two 32-bit words each, rounded up to a block of four
        assertEquals(state[1] + 16, Tensor.getRngState()[1], "the offset after randperm(9)");
        // The definition in randperm's Javadoc: swap i (from n-1 down) with j uniform in [0, i], j
        // from word pair n-1-i of the stream.
        long[] p = new long[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        int[] w = new int[4];
        for (int i = n - 1, k = 0; i > 0; i--, k++) {
            Philox.streamBlock(state[0], state[1], k / 2, w);
            int lane = 2 * (k % 2);
            int j = (int) Philox.randint(w[lane], w[lane + 1], 0, i + 1L);
            long t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        assertArrayEquals(p, got);
    }
}
