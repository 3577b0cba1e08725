package dev.tensorj.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.DTypeMismatchException;
import dev.tensorj.Device;
import dev.tensorj.DeviceMismatchException;
import dev.tensorj.IndexOutOfRangeException;
import dev.tensorj.Tensor;
import dev.tensorj.junit.DevicesSource;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/** nn.Embedding: initialisation, lookups of any index shape, padding, gradients, devices, errors. */
class EmbeddingTest {

    @Test
    void weightIsStandardNormalFromTheGlobalGenerator() {
        Tensor.manualSeed(7);
        Embedding e = new Embedding(1000, 32);
        assertArrayEquals(new int[] {1000, 32}, e.weight().shape());
        assertTrue(e.weight().requiresGrad());
        assertEquals(1, e.parameters().size());
        float[] v = e.weight().toFloatArray();
        double sum = 0;
        double sq = 0;
        for (float x : v) {
            sum += x;
            sq += (double) x * x;
        }
        double mean = sum / v.length;
        assertEquals(0, mean, 0.02, "mean");
        assertEquals(1, Math.sqrt(sq / v.length - mean * mean), 0.02, "std");
        Tensor.manualSeed(7);
        assertArrayEquals(v, new Embedding(1000, 32).weight().toFloatArray(), "the seed fixes the table");
        Tensor.manualSeed(7);
        assertArrayEquals(v, Tensor.randn(1000, 32).toFloatArray(), "drawn as Init.normal_ draws: randn");
    }

    @ParameterizedTest
    @DevicesSource
    void lookupsPaddingAndGradients(Device device) {
        Tensor.manualSeed(3);
        Embedding e = new Embedding(5, 3, -1).to(device); // row 4
        assertSame(e, e.train());
        assertSame(e, e.eval());
        assertEquals(OptionalInt.of(4), e.paddingIdx());
        float[] w = e.weight().toFloatArray();
        assertArrayEquals(new float[] {0f, 0f, 0f}, java.util.Arrays.copyOfRange(w, 12, 15), "padding row starts at 0");
        long[] idx = {4, 2, 2, 0, 4, 1};
        Tensor out = e.forward(Tensor.of(idx, 2, 3).to(device));
        assertEquals(device, out.device());
        assertArrayEquals(new int[] {2, 3, 3}, out.shape());
        float[] o = out.toFloatArray();
        for (int t = 0; t < idx.length; t++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(w[(int) idx[t] * 3 + c], o[t * 3 + c], "row " + idx[t]);
            }
        }
        float[] seed = new float[18];
        for (int i = 0; i < seed.length; i++) {
            seed[i] = 0.25f * i - 2f;
        }
        out.backward(Tensor.of(seed, 2, 3, 3).to(device), false);
        float[] expected = new float[15];
        for (int t = 0; t < idx.length; t++) {
            for (int c = 0; idx[t] != 4 && c < 3; c++) {
                expected[(int) idx[t] * 3 + c] += seed[t * 3 + c];
            }
        }
        assertArrayEquals(expected, e.weight().grad().toFloatArray(), 1e-6f, "row 2 accumulates, padding row 4 gets none");
        // a 0-d index gives one row
        assertArrayEquals(new int[] {3}, e.forward(Tensor.full(device, 1L, new int[0])).shape());
        assertTrue(e.toString().contains("paddingIdx=4"), e.toString());
    }

    @ParameterizedTest
    @DevicesSource
    void badIndicesAreTypedErrors(Device device) {
        Embedding e = new Embedding(4, 2).to(device);
        IndexOutOfRangeException r = assertThrows(IndexOutOfRangeException.class,
                () -> e.forward(Tensor.of(new long[] {1, 4}, 2).to(device)));
        assertEquals("embedding", r.op());
        assertTrue(r.getMessage().contains("[0, 4)"), r.getMessage());
        assertThrows(IndexOutOfRangeException.class, () -> e.forward(Tensor.of(new long[] {-1}, 1).to(device)));
        DTypeMismatchException d = assertThrows(DTypeMismatchException.class,
                () -> e.forward(Tensor.of(new float[] {1f}, 1).to(device)));
        assertTrue(d.getMessage().contains("int64"), d.getMessage());
        Device other = device.isCpu() ? Device.META : Device.CPU;
        assertThrows(DeviceMismatchException.class, () -> e.forward(Tensor.of(new long[] {1}, 1).to(other)));
        assertEquals(2, e.forward(Tensor.of(new long[] {3}, 1).to(device)).numel(), "still usable");
    }

    @Test
    void metaAndConstructorErrors() {
        Embedding e = new Embedding(50_000, 128, 0).to(Device.META);
        assertArrayEquals(new int[] {8, 16, 128}, e.forward(Tensor.zeros(Device.META, dev.tensorj.DType.INT64, 8, 16)).shape());
        assertThrows(IllegalArgumentException.class, () -> new Embedding(4, 2, 4));
        assertThrows(IllegalArgumentException.class, () -> new Embedding(4, 2, -5));
        assertThrows(IllegalArgumentException.class, () -> new Embedding(-1, 2));
        assertEquals(OptionalInt.empty(), new Embedding(3, 2).paddingIdx());
    }
}
