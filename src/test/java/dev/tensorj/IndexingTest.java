package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.junit.DevicesSource;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;

/** index_select, gather and one_hot against Java references, values and gradients, on every device. */
class IndexingTest {
    private static Tensor idx(Device device, long[] v, int... shape) {
        return Tensor.of(v, shape).to(device);
    }

    /** index_select on a [R, C] reference along dim 0 or 1. */
    private static Nd refIndexSelect(Nd x, int dim, long[] index) {
        int r = x.shape[0];
        int c = x.shape[1];
        int k = index.length;
        if (dim == 0) {
            double[] out = new double[k * c];
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < c; j++) {
                    out[i * c + j] = x.v[(int) index[i] * c + j];
                }
            }
            return new Nd(out, k, c);
        }
        double[] out = new double[r * k];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < k; j++) {
                out[i * k + j] = x.v[i * c + (int) index[j]];
            }
        }
        return new Nd(out, r, k);
    }

    /** gather on a [R, C] reference with a [R', K] index along dim 0 or 1. */
    private static Nd refGather(Nd x, int dim, long[] index, int ir, int ik) {
        int c = x.shape[1];
        double[] out = new double[ir * ik];
        for (int i = 0; i < ir; i++) {
            for (int j = 0; j < ik; j++) {
                long t = index[i * ik + j];
                out[i * ik + j] = dim == 1 ? x.v[i * c + (int) t] : x.v[(int) t * c + j];
            }
        }
        return new Nd(out, ir, ik);
    }

    @ParameterizedTest
    @DevicesSource(meta = true)
    void indexSelectValuesAndGradients(Device device) {
        Random rng = new Random(11);
        Nd x = Nd.randn(rng, 3, 4);
        long[] rows = {2, 0, 2, 1};
        long[] cols = {3, 3, 0};
        if (device.type() == Device.Type.META) {
            Tensor m = Tensor.randn(Device.META, 3, 4);
            assertArrayEquals(new int[] {4, 4}, m.indexSelect(0, idx(Device.META, rows, 4)).shape());
            assertArrayEquals(new int[] {3, 3}, m.indexSelect(-1, idx(Device.META, cols, 3)).shape());
            return;
        }
        Approx.assertClose("index_select dim 0", x.tensor(device).indexSelect(0, idx(device, rows, 4)),
                refIndexSelect(x, 0, rows));
        Approx.assertClose("index_select dim 1", x.tensor(device).indexSelect(1, idx(device, cols, 3)),
                refIndexSelect(x, 1, cols));
        // repeated indices: the backward accumulates (scatter-add)
        GradCheck.check("index_select dim 0", device, 5, xs -> xs[0].indexSelect(0, idx(device, rows, 4)),
                xs -> refIndexSelect(xs[0], 0, rows), x);
        GradCheck.check("index_select dim 1", device, 6, xs -> xs[0].indexSelect(1, idx(device, cols, 3)),
                xs -> refIndexSelect(xs[0], 1, cols), x);
    }

    @ParameterizedTest
    @DevicesSource(meta = true)
    void gatherValuesAndGradients(Device device) {
        Random rng = new Random(12);
        Nd x = Nd.randn(rng, 3, 4);
        long[] i1 = {3, 0, 1, 1, 2, 2}; // [3, 2] along dim 1
        long[] i0 = {2, 0, 1, 1, 0, 2}; // [2, 3] along dim 0 (narrower than input in dim 1)
        if (device.type() == Device.Type.META) {
            Tensor m = Tensor.randn(Device.META, 3, 4);
            assertArrayEquals(new int[] {3, 2}, m.gather(1, idx(Device.META, i1, 3, 2)).shape());
            return;
        }
        Approx.assertClose("gather dim 1", x.tensor(device).gather(1, idx(device, i1, 3, 2)), refGather(x, 1, i1, 3, 2));
        Approx.assertClose("gather dim 0", x.tensor(device).gather(0, idx(device, i0, 2, 3)), refGather(x, 0, i0, 2, 3));
        GradCheck.check("gather dim 1", device, 7, xs -> xs[0].gather(1, idx(device, i1, 3, 2)),
                xs -> refGather(xs[0], 1, i1, 3, 2), x);
        GradCheck.check("gather dim 0", device, 8, xs -> xs[0].gather(0, idx(device, i0, 2, 3)),
                xs -> refGather(xs[0], 0, i0, 2, 3), x);
    }

    @ParameterizedTest
    @DevicesSource(meta = true)
    void oneHotIsInt64(Device device) {
        Tensor h = Functional.oneHot(idx(device, new long[] {2, 0, 3}, 3), 4);
        assertEquals(DType.INT64, h.dtype());
        assertArrayEquals(new int[] {3, 4}, h.shape());
        if (device.type() != Device.Type.META) {
            assertArrayEquals(new long[] {0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1}, h.toLongArray());
            assertArrayEquals(new int[] {3, 5}, Functional.oneHot(idx(device, new long[] {2, 4, 1}, 3), -1).shape());
        }
    }

    @ParameterizedTest
    @DevicesSource(meta = true)
    void badIndicesAreTypedErrors(Device device) {
        Tensor x = Tensor.randn(3, 4).to(device);
        assertThrows(DTypeMismatchException.class, () -> x.indexSelect(0, Tensor.of(new float[] {0f}, 1).to(device)));
        assertThrows(DTypeMismatchException.class, () -> x.gather(1, Tensor.of(new float[] {0f, 1f}, 1, 2).to(device)));
        assertThrows(ShapeMismatchException.class, () -> x.gather(1, idx(device, new long[] {0, 1}, 2)));
        if (device.type() == Device.Type.META) {
            return; // no values to check
        }
        IndexOutOfRangeException e = assertThrows(IndexOutOfRangeException.class,
                () -> x.indexSelect(0, idx(device, new long[] {1, 3}, 2)));
        assertEquals("index_select", e.op());
        assertTrue(e.getMessage().contains(" 3 "), e.getMessage());
        e = assertThrows(IndexOutOfRangeException.class, () -> x.gather(1, idx(device, new long[] {0, -1, 2}, 3, 1)));
        assertEquals("gather", e.op());
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        e = assertThrows(IndexOutOfRangeException.class, () -> Functional.oneHot(idx(device, new long[] {5}, 1), 4));
        assertEquals("one_hot", e.op());
        // the device is still usable afterwards
        assertEquals(3, x.indexSelect(1, idx(device, new long[] {1}, 1)).numel());
    }
}
