package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.junit.Placement;
import org.junit.jupiter.api.Test;

class TensorCreationTest {

    @Test
    void ofCopiesAndShapes() {
        float[] data = {1, 2, 3, 4, 5, 6};
        Tensor t = Tensor.of(data, 2, 3);
        data[0] = 99; // a copy was taken
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, t.toFloatArray());
        assertArrayEquals(new int[] {2, 3}, t.shape());
        assertArrayEquals(new int[] {6}, Tensor.of(data).shape());
        assertArrayEquals(new int[] {1}, Tensor.of(new float[] {7f}).shape(), "1-d, as torch.tensor([7.])");
        assertArrayEquals(new int[] {}, Tensor.scalar(7f).shape());
        assertEquals(7f, Tensor.scalar(7f).item());
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> Tensor.of(data, 4, 2));
        assertTrue(e.getMessage().contains("[4, 2]") && e.getMessage().contains("6"), e.getMessage());
    }

    @Test
    void factoriesFillAndSeed() {
        assertArrayEquals(new float[] {0, 0, 0}, Tensor.zeros(3).toFloatArray());
        assertArrayEquals(new float[] {1, 1}, Tensor.ones(Device.CPU, 2).toFloatArray());
        assertArrayEquals(new float[] {2.5f, 2.5f}, Tensor.full(Device.CPU, 2.5f, 1, 2).toFloatArray());
        Tensor.manualSeed(5);
        float[] a = Tensor.randn(1000).toFloatArray();
        Tensor.manualSeed(5);
        float[] b = Tensor.randn(Device.CPU, 1000).toFloatArray();
        assertArrayEquals(a, b);
        double mean = 0;
        double sq = 0;
        for (float v : a) {
            mean += v / 1000.0;
            sq += v * v / 1000.0;
        }
        assertEquals(0, mean, 0.15);
        assertEquals(1, sq, 0.15);
        float[] u = Tensor.rand(1000).toFloatArray();
        for (float v : u) {
            assertTrue(v >= 0 && v < 1);
        }
        assertFalse(java.util.Arrays.equals(a, Tensor.randn(1000).toFloatArray()), "the generator advances");
    }

    @Test
    void badShapesAreRejectedBeforeAnyAllocation() {
        Counters.Snapshot work = Placement.of(() -> {
            assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, -1));
            assertThrows(IllegalArgumentException.class, () -> Tensor.randn(-3));
            IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                    () -> Tensor.zeros(1 << 30, 1 << 30, 1 << 30));
            assertTrue(big.getMessage().contains("too many elements"), big.getMessage());
            // A typed error (it was a bare IllegalArgumentException from the cpu backend): op and count.
            HostArrayLimitException host = assertThrows(HostArrayLimitException.class,
                    () -> Tensor.zeros(1 << 16, 1 << 16), "beyond a cpu array");
            assertEquals("full", host.op());
            assertEquals(1L << 32, host.numel());
        }).on(Device.CPU);
        assertEquals(0, work.allocations(), work.toString());
    }
}
