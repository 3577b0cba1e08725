package dev.tensorj.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Tensor;
import org.junit.jupiter.api.Test;

/** The edges of the layers' argument ranges: what PyTorch accepts at the bound is accepted here too. */
class LayerArgumentBoundsTest {
    @Test
    void layerNormNeedsPositiveSizesAndAcceptsEpsZero() {
        for (int[] bad : new int[][] {{0}, {3, 0}, {-1}, {}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LayerNorm(bad));
            assertTrue(e.getMessage().startsWith("LayerNorm("), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new LayerNorm(new int[] {2}, -1e-9, true));
        LayerNorm noEps = new LayerNorm(new int[] {2}, 0, false);
        float[] y = noEps.forward(Tensor.of(new float[] {1f, 3f, -2f, 6f}, 2, 2)).toFloatArray();
        assertArrayEquals(new float[] {-1f, 1f, -1f, 1f}, y, 1e-6f, "(x - mean) / std, with no eps");
    }

    /** labelSmoothing = 1 is allowed (as in PyTorch): the target is then uniform over the classes. */
    @Test
    void crossEntropyAcceptsFullLabelSmoothing() {
        float[] logits = {0.5f, -1f, 2f, 1.5f, 0.25f, -0.5f};
        Tensor loss = new CrossEntropyLoss(-100, "mean", 1f).forward(Tensor.of(logits, 2, 3),
                Tensor.of(new long[] {2, 0}, 2));
        double want = 0;
        for (int r = 0; r < 2; r++) {
            double lse = 0;
            for (int c = 0; c < 3; c++) {
                lse += Math.exp(logits[r * 3 + c]);
            }
            lse = Math.log(lse);
            for (int c = 0; c < 3; c++) {
                want += (lse - logits[r * 3 + c]) / 3 / 2;
            }
        }
        assertEquals(want, loss.item(), 1e-6);
        assertThrows(IllegalArgumentException.class, () -> new CrossEntropyLoss(-100, "mean", Math.nextUp(1f)));
    }

    /** Xavier init of a tensor without elements returns it unchanged, as the filled ones do. */
    @Test
    void xavierOfAnEmptyTensorReturnsIt() {
        Tensor empty = Tensor.zeros(0, 0);
        assertSame(empty, Init.xavierUniform_(empty));
        assertSame(empty, Init.xavierNormal_(empty));
        assertArrayEquals(new int[] {0, 0}, empty.shape());
        Tensor filled = Tensor.zeros(3, 2);
        assertSame(filled, Init.xavierUniform_(filled));
        assertSame(filled, Init.xavierNormal_(filled));
        double bound = Math.sqrt(6.0 / (4 + 4));
        for (float v : Init.xavierUniform_(Tensor.zeros(4, 4)).toFloatArray()) {
            assertTrue(v != 0 && Math.abs(v) <= bound, "a square tensor is filled in ±" + bound + ": " + v);
        }
        for (float v : Init.xavierNormal_(Tensor.zeros(4, 4)).toFloatArray()) {
            assertTrue(v != 0, "a square tensor is filled");
        }
    }

    /** A zero-width range or a zero std is allowed (as in PyTorch): every element is the bound or the mean. */
    @Test
    void initAcceptsAnEmptyRangeAndAZeroStd() {
        assertArrayEquals(new float[] {1.5f, 1.5f}, Init.uniform_(Tensor.zeros(2), 1.5, 1.5).toFloatArray());
        assertArrayEquals(new float[] {-2f, -2f}, Init.normal_(Tensor.zeros(2), -2, 0).toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> Init.uniform_(Tensor.zeros(2), 1, 0.5));
        assertThrows(IllegalArgumentException.class, () -> Init.normal_(Tensor.zeros(2), 0, -1e-9));
    }

    /** Empty tables are allowed, and paddingIdx may be as low as -numEmbeddings (the first row). */
    @Test
    void embeddingSizeAndPaddingBounds() {
        assertArrayEquals(new int[] {0, 3}, new Embedding(0, 3).weight().shape());
        assertArrayEquals(new int[] {3, 0}, new Embedding(3, 0).weight().shape());
        Embedding first = new Embedding(4, 2, -4);
        assertEquals(java.util.OptionalInt.of(0), first.paddingIdx());
        assertArrayEquals(new float[] {0f, 0f}, java.util.Arrays.copyOf(first.weight().toFloatArray(), 2));
        assertThrows(IllegalArgumentException.class, () -> new Embedding(4, 2, -5));
        assertThrows(IllegalArgumentException.class, () -> new Embedding(4, 2, 4));
    }

    @Test
    void sequentialSize() {
        assertEquals(0, new Sequential().size());
        assertEquals(3, new Sequential(new ReLU(), new Tanh(), new Identity()).size());
    }
}
