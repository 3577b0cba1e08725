package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.junit.DevicesSource;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Edge cases of the ops that the value tests do not reach: 0-d inputs, null and all-int64 operands
 * of linear, an int64 tensor against a float bound outside int64's range, tensors whose shapes
 * share a cache slot, a product's result written in place, and the wording of errors (the ranges
 * they quote, the ignore_index they name only when there is one).
 */
class OpEdgeCasesTest {
    private static Tensor longScalar(long v, Device device) {
        return Tensor.of(new long[] {v}).reshape().to(device);
    }

    @ParameterizedTest
    @DevicesSource
    void zeroDimensionalInputs(Device device) {
        Tensor s = Tensor.scalar(2.5f).to(device);
        Tensor sum = s.sum(0, false);
        assertArrayEquals(new int[0], sum.shape());
        assertEquals(2.5f, sum.item());
        Tensor g = s.gather(0, longScalar(0, device));
        assertArrayEquals(new int[0], g.shape());
        assertEquals(2.5f, g.item());
        assertThrows(IndexOutOfRangeException.class, () -> s.gather(0, longScalar(1, device)));
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                () -> s.indexSelect(0, Tensor.of(new long[] {0, 0}).to(device)));
        assertEquals("index_select", e.op());
        assertTrue(e.getMessage().contains("must hold one value"), e.getMessage());
        // max of a 0-d tensor: its value, gradient 1
        Tensor x = Tensor.scalar(-1.5f).to(device).requiresGrad(true);
        x.max(0, false).values().backward();
        assertEquals(1f, x.grad().item());
    }

    @ParameterizedTest
    @DevicesSource
    void powByZeroHasAZeroGradientEvenAtZero(Device device) {
        Tensor x = Tensor.of(new float[] {0f, -2f, 3f}).to(device).requiresGrad(true);
        Tensor y = x.pow(0f);
        assertArrayEquals(new float[] {1f, 1f, 1f}, y.toFloatArray());
        y.sum().backward();
        assertArrayEquals(new float[] {0f, 0f, 0f}, x.grad().toFloatArray());
    }

    @ParameterizedTest
    @DevicesSource
    void linearNamesANullOperandAndRefusesInt64Operands(Device device) {
        Tensor x = Tensor.randn(device, 2, 3);
        Tensor w = Tensor.randn(device, 4, 3);
        NullPointerException input = assertThrows(NullPointerException.class, () -> Functional.linear(null, w, null));
        assertEquals("linear: input is null", input.getMessage());
        NullPointerException weight = assertThrows(NullPointerException.class, () -> Functional.linear(x, null, null));
        assertEquals("linear: weight is null", weight.getMessage());
        Tensor xi = Tensor.zeros(device, DType.INT64, 2, 3);
        Tensor wi = Tensor.zeros(device, DType.INT64, 4, 3);
        DTypeMismatchException e = assertThrows(DTypeMismatchException.class, () -> Functional.linear(xi, wi, null));
        assertEquals("linear", e.op());
        assertEquals(List.of(DType.INT64, DType.INT64), e.dtypes());
    }

    @ParameterizedTest
    @DevicesSource
    void aSingleOperandOfAWrongDtypeIsNamedWithTheDtypesTaken(Device device) {
        DTypeMismatchException e = assertThrows(DTypeMismatchException.class,
                () -> Functional.oneHot(Tensor.randn(device, 3), 4));
        assertTrue(e.getMessage().startsWith("one_hot: expected a tensor of dtype "), e.getMessage());
    }

    @ParameterizedTest
    @DevicesSource
    void int64AgainstABoundOutsideInt64ComparesInFloat32(Device device) {
        // 2^63 is no int64 value: the comparison is in float32, where MAX - 1000 rounds to 2^63
        Tensor big = Tensor.of(new long[] {Long.MAX_VALUE - 1000, 0}).to(device);
        assertArrayEquals(new boolean[] {true, false}, big.eq(0x1p63f).toBooleanArray());
        assertArrayEquals(new boolean[] {false, true}, big.lt(0x1p63f).toBooleanArray());
    }

    @ParameterizedTest
    @DevicesSource
    void tensorsWhoseShapesShareACacheSlotKeepTheirShapes(Device device) {
        // [1] and [65] hash 32 and 96: one slot of a 64-entry cache
        for (int[][] pair : new int[][][] {{{1}, {65}}, {{65}, {1}}}) {
            Tensor a = Tensor.zeros(device, pair[0]);
            Tensor b = Tensor.zeros(device, pair[1]);
            assertArrayEquals(pair[0], a.shape());
            assertArrayEquals(pair[1], b.shape());
            Tensor rowA = Tensor.randn(device, pair[0]);
            Tensor rowB = Tensor.randn(device, pair[1]);
            assertArrayEquals(rowA.toFloatArray(), a.add(rowA).toFloatArray());
            assertArrayEquals(rowB.toFloatArray(), b.add(rowB).toFloatArray());
        }
    }

    @ParameterizedTest
    @DevicesSource
    void aBatchedProductsResultIsNoViewAndCanBeWrittenInPlace(Device device) {
        Nd a = Nd.randn(new Random(1), 2, 3, 4);
        Nd b = Nd.randn(new Random(2), 2, 4, 5);
        GradCheck.check("matmul then mul_(2)", device, 3, t -> t[0].matmul(t[1]).mul_(2f),
                in -> RefOps.matmul(in[0], in[1]).map(v -> 2 * v), a, b);
    }

    @ParameterizedTest
    @DevicesSource
    void errorMessagesQuoteTheRangesTheyMean(Device device) {
        Tensor x = Tensor.randn(device, 2, 3);
        IllegalArgumentException u = assertThrows(IllegalArgumentException.class, () -> x.unsqueeze(4));
        assertTrue(u.getMessage().endsWith("(expected in [-3, 2])"), u.getMessage());
        IllegalArgumentException s = assertThrows(IllegalArgumentException.class,
                () -> Tensor.stack(List.of(x, x), -4));
        assertTrue(s.getMessage().endsWith("(expected in [-3, 2])"), s.getMessage());
        ShapeMismatchException stack = assertThrows(ShapeMismatchException.class,
                () -> Tensor.stack(List.of(x, Tensor.randn(device, 2, 4)), 0));
        assertTrue(stack.getMessage().contains("stack needs equal shapes"), stack.getMessage());
        ShapeMismatchException cat = assertThrows(ShapeMismatchException.class,
                () -> Tensor.cat(List.of(x, Tensor.randn(device, 3, 4)), 0));
        assertTrue(cat.getMessage().contains("outside dimension 0"), cat.getMessage());
        // amax names the first dimension of size 0 it was asked to reduce
        IllegalArgumentException amax = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(device, 0, 0).amax(new int[] {0, 1}, false));
        assertTrue(amax.getMessage().startsWith("amax: cannot reduce dimension 0 of size 0"), amax.getMessage());
        // an expand to a new leading dimension of size 0 is empty, not an error
        assertArrayEquals(new int[] {0, 3}, x.select(0, 0).expand(0, 3).shape());
        assertArrayEquals(new int[] {0}, Tensor.randn(device, 1).repeat(0).shape());
    }

    @ParameterizedTest
    @DevicesSource
    void anIndexErrorNamesIgnoreIndexOnlyWhereThereIsOne(Device device) {
        Tensor logits = Tensor.randn(device, 2, 3);
        IndexOutOfRangeException ce = assertThrows(IndexOutOfRangeException.class,
                () -> Functional.crossEntropy(logits, Tensor.of(new long[] {0, 3}).to(device)));
        assertTrue(ce.getMessage().endsWith("is out of range [0, 3) (ignore_index is -100)"), ce.getMessage());
        IndexOutOfRangeException is = assertThrows(IndexOutOfRangeException.class,
                () -> logits.indexSelect(1, Tensor.of(new long[] {3}).to(device)));
        assertTrue(is.getMessage().endsWith("is out of range [0, 3)"), is.getMessage());
        assertFalse(is.getMessage().contains("ignore_index"), is.getMessage());
    }
}
