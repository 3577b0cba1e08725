package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tensorj.junit.DevicesSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * What printing a tensor shows: its values only for an open CPU tensor of at most 16 elements (so
 * that printing never waits for a GPU nor fills a log), then shape, device, a dtype other than
 * float32, and its place in the autograd graph: the op that computed it, or that a leaf requires grad.
 */
class TensorToStringTest {

    private static float[] counting(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i - 0.5f;
        }
        return v;
    }

    @Test
    void valuesUpToSixteenElementsAndNoneBeyond() {
        assertEquals("tensor([-0.5, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 10.5, 11.5, 12.5, 13.5, 14.5],"
                + " shape=[4, 4], device=cpu)", Tensor.of(counting(16), 4, 4).toString());
        assertEquals("tensor(shape=[17], device=cpu)", Tensor.of(counting(17)).toString());
        assertEquals("tensor([], shape=[0, 3], device=cpu)", Tensor.zeros(0, 3).toString());
        assertEquals("tensor([2.25], shape=[], device=cpu)", Tensor.scalar(2.25f).toString());
    }

    @ParameterizedTest
    @DevicesSource
    void aTensorOffTheCpuShowsNoValues(Device d) {
        Tensor t = Tensor.of(new float[] {1f, 2f}).to(d);
        String expected = d.isCpu() ? "tensor([1.0, 2.0], shape=[2], device=cpu)" : "tensor(shape=[2], device=" + d + ")";
        assertEquals(expected, t.toString());
        assertEquals("tensor(shape=[2, 1], device=meta)", Tensor.zeros(Device.META, 2, 1).toString());
    }

    @Test
    void aClosedTensorSaysSoAndShowsNoValues() {
        Tensor t = Tensor.of(new float[] {1f, 2f});
        t.close();
        assertEquals("tensor(shape=[2], device=cpu, closed)", t.toString());
        Tensor l = Tensor.of(new long[] {4, 5});
        l.close();
        assertEquals("tensor(shape=[2], device=cpu, dtype=int64, closed)", l.toString());
    }

    @Test
    void theGraphPartNamesTheOpOrTheLeafThatRequiresGrad() {
        Tensor x = Tensor.of(new float[] {1f, -1f}).requiresGrad(true);
        assertEquals("tensor([1.0, -1.0], shape=[2], device=cpu, requiresGrad=true)", x.toString());
        Tensor y = x.mul(2f);
        assertEquals("tensor([2.0, -2.0], shape=[2], device=cpu, gradFn=mulBackward)", y.toString(),
                "a computed tensor requires grad too, but shows the op instead");
        Tensor z = x.detach();
        assertEquals("tensor([1.0, -1.0], shape=[2], device=cpu)", z.toString());
        Tensor m = Tensor.zeros(Device.META, 3).requiresGrad(true).sum();
        assertEquals("tensor(shape=[], device=meta, gradFn=sumBackward)", m.toString());
    }

    @Test
    void boolAndInt64ValuesAreShownInTheirType() {
        assertEquals("tensor([true, false, true], shape=[3], device=cpu, dtype=bool)",
                Tensor.of(new float[] {1f, 0f, -2f}).ne(0f).toString());
        assertEquals("tensor([-3, 0], shape=[1, 2], device=cpu, dtype=int64)",
                Tensor.of(new long[] {-3, 0}, 1, 2).toString());
    }
}
