package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.junit.DevicesSource;
import java.util.List;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * The argument checks of the functional losses, dropout, index_select, one_hot and embedding:
 * each bad argument gets its typed error naming the op (and the role or shapes) before any work,
 * where the composed ops underneath would otherwise broadcast, promote or fail under another name;
 * and the bounds of each argument's range are accepted.
 */
class LossAndIndexArgumentsTest {
    private static <T extends TensorjException> T assertNames(Class<T> type, String op, Executable call, String... parts) {
        T e = assertThrows(type, call, op);
        assertEquals(op, e.op());
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message should contain '" + p + "': " + e.getMessage());
        }
        return e;
    }

    @ParameterizedTest
    @DevicesSource
    void elementwiseLossesRefuseToBroadcastOrPromote(Device device) {
        Tensor x = Tensor.randn(device, 2, 3);
        Tensor row = Tensor.randn(device, 3);
        Tensor ints = Tensor.of(new long[] {1, 2, 3, 4, 5, 6}).reshape(2, 3).to(device);
        assertNames(ShapeMismatchException.class, "l1_loss", () -> Functional.l1Loss(x, row), "[2, 3]", "[3]");
        assertNames(ShapeMismatchException.class, "mse_loss", () -> Functional.mseLoss(x, row, "sum"), "[2, 3]", "[3]");
        assertNames(ShapeMismatchException.class, "huber_loss", () -> Functional.huberLoss(row, x), "[3]", "[2, 3]");
        assertNames(ShapeMismatchException.class, "smooth_l1_loss", () -> Functional.smoothL1Loss(x, row), "[2, 3]");
        DTypeMismatchException input = assertNames(DTypeMismatchException.class, "l1_loss", () -> Functional.l1Loss(ints, x));
        assertEquals(List.of("input"), input.roles());
        DTypeMismatchException target = assertNames(DTypeMismatchException.class, "huber_loss",
                () -> Functional.huberLoss(x, ints));
        assertEquals(List.of("target"), target.roles());
        assertEquals(List.of(DType.INT64), target.dtypes());
    }

    @ParameterizedTest
    @DevicesSource
    void huberDeltaMustBePositiveAndSmoothL1BetaNonNegative(Device device) {
        Tensor x = Tensor.randn(device, 4);
        Tensor y = Tensor.randn(device, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Functional.huberLoss(x, y, "mean", 0f));
        assertEquals("huber_loss: delta must be positive, got 0.0", e.getMessage());
        // beta 0 is the L1 loss
        float[] xs = x.toFloatArray();
        float[] ys = y.toFloatArray();
        double l1 = 0;
        for (int i = 0; i < 4; i++) {
            l1 += Math.abs((double) xs[i] - ys[i]);
        }
        assertEquals(l1, Functional.smoothL1Loss(x, y, "sum", 0f).item(), 1e-5 * (1 + l1));
    }

    @ParameterizedTest
    @DevicesSource
    void binaryCrossEntropyChecksShapesOfTargetAndWeights(Device device) {
        Tensor p = Tensor.rand(device, 2, 3);
        Tensor y = Tensor.rand(device, 2, 3);
        Tensor row = Tensor.rand(device, 3);
        assertNames(ShapeMismatchException.class, "binary_cross_entropy", () -> Functional.binaryCrossEntropy(p, row),
                "[2, 3]", "[3]");
        assertNames(ShapeMismatchException.class, "binary_cross_entropy",
                () -> Functional.binaryCrossEntropy(p, y, Tensor.rand(device, 4), "mean"), "weight [4]", "[2, 3]");
        assertNames(ShapeMismatchException.class, "binary_cross_entropy_with_logits",
                () -> Functional.binaryCrossEntropyWithLogits(row, y), "[3]", "[2, 3]");
    }

    @ParameterizedTest
    @DevicesSource
    void dropoutTakesFloat32AndEveryProbabilityFromZeroToOne(Device device) {
        Tensor ints = Tensor.of(new long[] {1, 2}).to(device);
        DTypeMismatchException e = assertNames(DTypeMismatchException.class, "dropout", () -> Functional.dropout(ints, 0.5));
        assertEquals(List.of(DType.INT64), e.dtypes());
        Tensor x = Tensor.of(new float[] {1f, -2f, Float.NaN}).to(device);
        assertSame(x, Functional.dropout(x, 0.0), "p = 0 returns the input");
        float[] dropped = Functional.dropout(x, 1.0).toFloatArray();
        assertEquals(0f, dropped[0]);
        assertEquals(-0f, dropped[1]);
        assertTrue(Float.isNaN(dropped[2]), "NaN·0 stays NaN");
    }

    @ParameterizedTest
    @DevicesSource
    void classLossesCheckTheWeightsDtype(Device device) {
        Tensor x = Tensor.randn(device, 2, 3);
        Tensor t = Tensor.of(new long[] {0, 2}).to(device);
        Tensor w = Tensor.of(new long[] {1, 1, 1}).to(device);
        DTypeMismatchException e = assertNames(DTypeMismatchException.class, "cross_entropy",
                () -> Functional.crossEntropy(x, t, w, -100, "mean", 0f));
        assertEquals(List.of("weight"), e.roles());
    }

    @ParameterizedTest
    @DevicesSource
    void indexSelectTakesAFloat32Input(Device device) {
        Tensor ints = Tensor.of(new long[] {5, 6, 7}).to(device);
        Tensor index = Tensor.of(new long[] {2, 0}).to(device);
        DTypeMismatchException e = assertNames(DTypeMismatchException.class, "index_select",
                () -> ints.indexSelect(0, index));
        assertEquals(List.of("input"), e.roles());
    }

    @ParameterizedTest
    @DevicesSource
    void oneHotTakesOneClassAndRefusesNone(Device device) {
        Tensor zeros = Tensor.of(new long[] {0, 0}).to(device);
        Tensor one = Functional.oneHot(zeros, 1);
        assertArrayEquals(new int[] {2, 1}, one.shape());
        assertArrayEquals(new long[] {1, 1}, one.toLongArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Functional.oneHot(zeros, 0));
        assertEquals("one_hot: numClasses must be positive or -1, got 0", e.getMessage());
    }

    @ParameterizedTest
    @DevicesSource
    void embeddingPaddingIndexRangeAndRow(Device device) {
        Tensor weight = Tensor.randn(device, 3, 2).requiresGrad(true);
        Tensor input = Tensor.of(new long[] {0, 1, 2, 0}).to(device);
        for (int bad : new int[] {3, -4}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Functional.embedding(input, weight, bad));
            assertEquals("embedding: paddingIdx " + bad + " must lie in [-3, 3) for a weight of shape [3, 2]",
                    e.getMessage());
        }
        // paddingIdx 0 and -3 both name row 0: it takes no gradient, the others one per use.
        for (int pad : new int[] {0, -3}) {
            weight.zeroGrad();
            Functional.embedding(input, weight, pad).sum().backward();
            assertArrayEquals(new float[] {0f, 0f, 1f, 1f, 1f, 1f}, weight.grad().toFloatArray(), "paddingIdx " + pad);
        }
    }
}
