package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.junit.DevicesSource;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * PyTorch's {@code add(other, alpha=)} and {@code add_(other, alpha=)}: {@code self + alpha·other}
 * with equal shapes (one kernel) and broadcast, their gradients ({@code g} and {@code alpha·g}), and
 * the in-place rules that every in-place op shares (self keeps its shape; a leaf that requires grad
 * is not written while autograd records), each failed call leaving self unchanged.
 */
class ScaledAddTest {
    private static Nd nd(long seed, int... shape) {
        return Nd.randn(new Random(seed), shape);
    }

    private static Nd axpyRef(Nd y, Nd x, double alpha) {
        return RefOps.add(y, x.map(v -> alpha * v));
    }

    @ParameterizedTest
    @DevicesSource
    void addWithAlphaMatchesTheReference(Device device) {
        Nd y = nd(1, 3, 4);
        Nd x = nd(2, 3, 4);
        Nd row = nd(3, 4);
        Approx.assertClose("add(x, 2.5)", y.tensor(device).add(x.tensor(device), 2.5f), axpyRef(y, x, 2.5));
        Approx.assertClose("add(row, -0.5) broadcast", y.tensor(device).add(row.tensor(device), -0.5f),
                axpyRef(y, row, -0.5));
        assertArrayEquals(new int[] {0, 4}, Tensor.zeros(device, 0, 4).add(Tensor.zeros(device, 0, 4), 2f).shape());
    }

    @ParameterizedTest
    @DevicesSource
    void addWithAlphaGradients(Device device) {
        GradCheck.check("add(x, 1.5)", device, 4, t -> t[0].add(t[1], 1.5f),
                in -> axpyRef(in[0], in[1], 1.5), nd(5, 2, 3), nd(6, 2, 3));
        GradCheck.check("add(row, -2) broadcast", device, 7, t -> t[0].add(t[1], -2f),
                in -> axpyRef(in[0], in[1], -2), nd(8, 2, 3), nd(9, 3));
    }

    @ParameterizedTest
    @DevicesSource
    void addInPlaceWithAlphaWritesSelf(Device device) {
        Nd y = nd(10, 3, 4);
        Nd x = nd(11, 3, 4);
        Nd row = nd(12, 4);
        Tensor t = y.tensor(device);
        assertSame(t, t.add_(x.tensor(device), 0.75f));
        Nd expected = axpyRef(y, x, 0.75);
        Approx.assertClose("add_(x, 0.75)", t, expected);
        assertSame(t, t.add_(row.tensor(device), -3f));
        Approx.assertClose("add_(row, -3) broadcast", t, axpyRef(expected, row, -3));
    }

    @ParameterizedTest
    @DevicesSource
    void addInPlaceWithAlphaGradients(Device device) {
        for (int[] shape : new int[][] {{2, 3}, {3}}) {
            Nd x = nd(13, 2, 3);
            Nd o = nd(14, shape);
            GradCheck.check("add_(other " + java.util.Arrays.toString(shape) + ", 1.25)", device, 15,
                    t -> t[0].mul(1f).add_(t[1], 1.25f), in -> axpyRef(in[0], in[1], 1.25), x, o);
        }
    }

    @ParameterizedTest
    @DevicesSource
    void inPlaceWithOtherRequiringGradReadsSelfsOldValues(Device device) {
        // d(self·o)/do and d(self/o)/do are the values self had before the write.
        Nd x = nd(16, 2, 3);
        Nd o = Nd.randnAwayFromZero(new Random(17), 0.5, 3);
        GradCheck.check("mul_", device, 18, t -> t[0].mul(1f).mul_(t[1]), in -> RefOps.mul(in[0], in[1]), x, o);
        GradCheck.check("div_", device, 19, t -> t[0].mul(1f).div_(t[1]), in -> RefOps.div(in[0], in[1]), x, o);
    }

    @ParameterizedTest
    @DevicesSource
    void aResultThatWouldNotFitSelfIsRejectedAndSelfKept(Device device) {
        Nd y = nd(20, 3);
        Tensor t = y.tensor(device);
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                () -> t.add_(Tensor.randn(device, 2, 3), 2f));
        assertEquals("add_", e.op());
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[3]"), e.getMessage());
        Approx.assertClose("self after the failed add_", t, y);
        assertEquals(0, t.versionValue(), "no write happened");
    }

    @ParameterizedTest
    @DevicesSource
    void aLeafThatRequiresGradIsNotWrittenWhileRecording(Device device) {
        Nd y = nd(21, 2, 3);
        Tensor leaf = y.tensor(device).requiresGrad(true);
        Tensor other = Tensor.randn(device, 2, 3);
        Tensor row = Tensor.randn(device, 3);
        String[] ops = {"add_", "add_", "mul_", "fill_"};
        Runnable[] calls = {
            () -> leaf.add_(other, 2f), () -> leaf.add_(row, 2f), () -> leaf.mul_(other), () -> leaf.fill_(1f)};
        for (int i = 0; i < calls.length; i++) {
            IllegalStateException e = assertThrows(IllegalStateException.class, calls[i]::run, ops[i]);
            assertTrue(e.getMessage().startsWith(ops[i] + ": a leaf tensor that requires grad"), e.getMessage());
        }
        Approx.assertClose("the leaf after the refused writes", leaf, y);
        try (NoGrad g = NoGrad.enter()) {
            leaf.add_(other, 0f); // allowed under no-grad, as an optimizer's update
        }
    }
}
