package dev.tensorj.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tensorj.DType;
import dev.tensorj.Device;
import dev.tensorj.Tensor;
import dev.tensorj.junit.DevicesSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.Test;

/**
 * Loading a state dict: a buffer of another dtype than float32 gets the values (the tensor object
 * stays), and an entry that cannot be loaded is named in the exception's message as in its list.
 */
class StateDictValuesTest {
    /** A user's module with an int64 step counter, as PyTorch's num_batches_tracked. */
    static final class Counting extends Module {
        final Tensor steps = registerBuffer("steps", Tensor.of(new long[] {0, 0}, 2));
        final Tensor w = registerParameter("w", Tensor.randn(2));

        @Override
        public Tensor forward(Tensor input) {
            return input.mul(w);
        }
    }

    @ParameterizedTest
    @DevicesSource
    void anInt64BufferIsLoadedInPlace(Device device) {
        Counting m = new Counting();
        m.to(device);
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("w", Tensor.of(new float[] {0.5f, -1.5f}, 2));
        sd.put("steps", Tensor.of(new long[] {7, 1L << 40}, 2));
        m.loadStateDict(sd);
        assertSame(m.steps, m.namedBuffers().get("steps"), "the same tensor object, written in place");
        assertEquals(DType.INT64, m.steps.dtype());
        assertEquals(device, m.steps.device());
        assertArrayEquals(new long[] {7, 1L << 40}, m.steps.toLongArray());
        assertArrayEquals(new float[] {0.5f, -1.5f}, m.w.toFloatArray());
    }

    @Test
    void theMessageNamesEveryEntryThatCannotBeLoaded() {
        Counting m = new Counting();
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("w", Tensor.randn(3));
        sd.put("steps", Tensor.zeros(2).to(Device.META));
        StateDictException e = assertThrows(StateDictException.class, () -> m.loadStateDict(sd));
        assertEquals(List.of("size mismatch for w: copying a param with shape [3] from checkpoint, the shape in current"
                        + " model is [2].", "meta tensor for steps: it holds no values to load onto cpu"),
                e.mismatches());
        assertEquals("Error(s) in loading state_dict for Counting:\n\t" + e.mismatches().get(0) + "\n\t"
                + e.mismatches().get(1), e.getMessage());
        assertArrayEquals(new long[] {0, 0}, m.steps.toLongArray(), "nothing written");
    }

    @Test
    void aClosedParameterOfTheModuleIsNamed() {
        Counting m = new Counting();
        m.w.close();
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("w", Tensor.randn(2));
        sd.put("steps", Tensor.of(new long[] {3, 4}, 2));
        StateDictException e = assertThrows(StateDictException.class, () -> m.loadStateDict(sd));
        assertEquals(List.of("the module's w is closed"), e.mismatches());
        assertArrayEquals(new long[] {0, 0}, m.steps.toLongArray(), "nothing written");
    }
}
