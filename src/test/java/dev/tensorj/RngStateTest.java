package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.junit.DevicesSource;
import dev.tensorj.nn.Dropout;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/** {@link Tensor#getRngState()} and {@link Tensor#setRngState}: a saved state repeats the draws that followed it. */
class RngStateTest {

    @Test
    void stateIsTheSeedAndTheOffsetOfTheNextDraw() {
        Tensor.manualSeed(42);
        assertArrayEquals(new long[] {42, 0}, Tensor.getRngState());
        Tensor.rand(3).close(); // 3 words, rounded up to a block of 4
        assertArrayEquals(new long[] {42, 4}, Tensor.getRngState());
        long[] copy = Tensor.getRngState();
        copy[1] = 99;
        assertArrayEquals(new long[] {42, 4}, Tensor.getRngState(), "a new array each time");
    }

    @ParameterizedTest
    @DevicesSource
    void restoredStateRepeatsTheDrawsThatFollowed(Device device) {
        Tensor.manualSeed(7);
        Tensor.randn(device, 5).close();
        long[] saved = Tensor.getRngState();
        float[] u = Tensor.rand(device, 6).toFloatArray();
        float[] n = Tensor.randn(device, 2, 3).toFloatArray();
        float[] dropped = new Dropout(0.5).forward(Tensor.ones(device, 16)).toFloatArray();
        long[] after = Tensor.getRngState();

        Tensor.manualSeed(123); // somewhere else entirely
        Tensor.rand(device, 9).close();
        Tensor.setRngState(saved);
        assertArrayEquals(saved, Tensor.getRngState());
        assertArrayEquals(u, Tensor.rand(device, 6).toFloatArray());
        assertArrayEquals(n, Tensor.randn(device, 2, 3).toFloatArray());
        assertArrayEquals(dropped, new Dropout(0.5).forward(Tensor.ones(device, 16)).toFloatArray());
        assertArrayEquals(after, Tensor.getRngState());
        assertFalse(Arrays.equals(u, Tensor.rand(device, 6).toFloatArray()), "the stream moves on");
    }

    @Test
    void invalidStatesAreRejectedAndChangeNothing() {
        Tensor.manualSeed(5);
        Tensor.rand(2).close();
        long[] before = Tensor.getRngState();
        for (long[] bad : new long[][] {{1}, {1, 2, 3}, {1, -4}, {1, 6}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.setRngState(bad));
            assertTrue(e.getMessage().startsWith("setRngState: "), e.getMessage());
            assertTrue(e.getMessage().contains(Arrays.toString(bad)), e.getMessage());
            assertArrayEquals(before, Tensor.getRngState());
        }
        NullPointerException npe = assertThrows(NullPointerException.class, () -> Tensor.setRngState(null));
        assertEquals("setRngState: state is null", npe.getMessage());
    }
}
