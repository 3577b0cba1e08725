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
 * In-place ops: their values against double references, PyTorch's autograd rules (no writes into
 * leaves that require grad while recording, the version check, the graph through an in-place op),
 * and their errors.
 */
class InPlaceTest {
    private static Nd nd(long seed, int... shape) {
        return Nd.randn(new Random(seed), shape);
    }

    @ParameterizedTest
    @DevicesSource
    void binaryOpsWriteTheBroadcastResultIntoSelf(Device device) {
        Nd a = nd(1, 3, 4);
        Nd row = Nd.randnAwayFromZero(new Random(2), 0.5, 4);
        Tensor t = a.tensor(device);
        assertSame(t, t.add_(row.tensor(device)));
        Nd expected = RefOps.add(a, row);
        Approx.assertClose("add_", t, expected);
        t.mul_(row.tensor(device));
        expected = RefOps.mul(expected, row);
        Approx.assertClose("mul_", t, expected);
        t.div_(row.tensor(device));
        expected = RefOps.div(expected, row);
        Approx.assertClose("div_", t, expected);
        t.sub_(a.tensor(device));
        expected = RefOps.sub(expected, a);
        Approx.assertClose("sub_", t, expected);
    }

    @ParameterizedTest
    @DevicesSource
    void scalarOpsFillAndZero(Device device) {
        Nd a = nd(3, 5);
        Tensor t = a.tensor(device);
        t.add_(1.5f).mul_(-2f).sub_(0.25f).div_(4f);
        Approx.assertClose("scalar chain", t, a.map(x -> (((float) x + 1.5f) * -2f - 0.25f) / 4f));
        assertArrayEquals(new float[] {-3.5f, -3.5f, -3.5f, -3.5f, -3.5f}, t.fill_(-3.5f).toFloatArray());
        assertArrayEquals(new float[5], t.zero_().toFloatArray());
    }

    @ParameterizedTest
    @DevicesSource
    void clampFollowsMathMinOfMathMax(Device device) {
        float[] x = {-2.5f, -0.5f, -0f, 0f, 0.75f, 3f, Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
        float[] got = Tensor.of(x).to(device).clamp_(-1f, 1f).toFloatArray();
        float[] noLower = Tensor.of(x).to(device).clamp_(Float.NEGATIVE_INFINITY, 0f).toFloatArray();
        float[] crossed = Tensor.of(x).to(device).clamp_(2f, 1f).toFloatArray();
        for (int i = 0; i < x.length; i++) {
            assertEquals(Math.min(Math.max(x[i], -1f), 1f), got[i], "clamp(" + x[i] + ", -1, 1)");
            assertEquals(Math.min(Math.max(x[i], Float.NEGATIVE_INFINITY), 0f), noLower[i], "clamp(" + x[i] + ", -inf, 0)");
            // PyTorch: min > max sets everything to max (NaN stays NaN)
            assertEquals(Float.isNaN(x[i]) ? Float.NaN : 1f, crossed[i], "clamp(" + x[i] + ", 2, 1)");
        }
        // -0 and +0 keep their signs, as Math.max/min do: clamp(-0, -1, 1) is -0
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(got[2]));
    }

    @ParameterizedTest
    @DevicesSource
    void copyWritesValuesAndBroadcasts(Device device) {
        Nd src = nd(4, 2, 3);
        Tensor dst = Tensor.zeros(device, 2, 3);
        assertSame(dst, dst.copy_(src.tensor(device)));
        Approx.assertClose("copy_", dst, src);
        Nd row = nd(5, 3);
        dst.copy_(row.tensor(device));
        Approx.assertClose("copy_ broadcast", dst, RefOps.add(Nd.zeros(2, 3), row));
    }

    @ParameterizedTest
    @DevicesSource
    void writesIntoALeafThatRequiresGradNeedNoGrad(Device device) {
        Tensor w = nd(6, 3).tensor(device).requiresGrad(true);
        float[] before = w.toFloatArray();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.add_(1f));
        assertTrue(e.getMessage().startsWith("add_:") && e.getMessage().contains("NoGrad"), e.getMessage());
        assertArrayEquals(before, w.toFloatArray(), "nothing was written");
        assertThrows(IllegalStateException.class, () -> w.copy_(Tensor.ones(device, 3)));
        assertThrows(IllegalStateException.class, () -> w.clamp_(0f, 1f));
        try (NoGrad g = NoGrad.enter()) {
            w.add_(1f);
        }
        assertEquals(before[0] + 1f, w.toFloatArray()[0]);
        assertTrue(w.isLeaf() && w.requiresGrad(), "still a leaf that requires grad");
    }

    @ParameterizedTest
    @DevicesSource
    void modifyingASavedTensorMakesBackwardFailNamingBothOps(Device device) {
        Tensor x = nd(7, 4).tensor(device).requiresGrad(true);
        Tensor w = nd(8, 4).tensor(device).requiresGrad(true);
        Tensor y = x.mul(w).sum(); // mul saves x and w
        try (NoGrad g = NoGrad.enter()) {
            w.mul_(2f); // e.g. an optimizer step before backward
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("'mul'") && e.getMessage().contains("'mul_'"), e.getMessage());
        assertEquals(null, x.grad(), "no gradient was stored");
    }

    @ParameterizedTest
    @DevicesSource
    void aViewSharesTheVersion(Device device) {
        Tensor x = nd(9, 2, 3).tensor(device).requiresGrad(true);
        Tensor w = nd(10, 2, 3).tensor(device).requiresGrad(true);
        Tensor y = x.mul(w).sum();
        try (NoGrad g = NoGrad.enter()) {
            w.reshape(6).add_(1f); // the same data through another tensor
        }
        assertThrows(IllegalStateException.class, y::backward);
    }

    @ParameterizedTest
    @DevicesSource
    void modifyingATensorThatNoRuleReadsIsFine(Device device) {
        // add's gradient needs no values, so PyTorch allows this too.
        Tensor x = nd(11, 4).tensor(device).requiresGrad(true);
        Tensor b = nd(12, 4).tensor(device);
        Tensor y = x.add(b).sum();
        b.mul_(3f);
        y.backward();
        assertArrayEquals(new float[] {1f, 1f, 1f, 1f}, x.grad().toFloatArray());
    }

    @ParameterizedTest
    @DevicesSource
    void gradientsFlowThroughInPlaceOpsOnIntermediates(Device device) {
        // y = (x·2 + b) · w, all in place on the intermediate; L = Σ v·y
        Nd x = nd(13, 5);
        Nd b = nd(14, 5);
        Nd w = nd(15, 5);
        GradCheck.check("in-place chain", device, 16, xs -> {
            Tensor y = xs[0].mul(2f);
            y.add_(xs[1]);
            y.mul_(xs[2]);
            return y;
        }, xs -> RefOps.mul(RefOps.add(xs[0].map(v -> 2 * v), xs[1]), xs[2]), x, b, w);
    }

    @ParameterizedTest
    @DevicesSource
    void divAndSubInPlaceHaveTheirGradients(Device device) {
        Nd x = nd(17, 6);
        Nd d = Nd.randnAwayFromZero(new Random(18), 0.5, 6);
        GradCheck.check("div_ sub_", device, 19, xs -> {
            Tensor y = xs[0].add(0f);
            y.div_(xs[1]);
            y.sub_(xs[0]);
            return y;
        }, xs -> RefOps.sub(RefOps.div(xs[0], xs[1]), xs[0]), x, d);
    }

    @ParameterizedTest
    @DevicesSource
    void clampPassesTheGradientInsideTheBounds(Device device) {
        // Values kept away from the bounds, where the derivative jumps.
        Nd x = new Nd(new double[] {-2.5, -0.75, -0.25, 0.3, 0.9, 1.6}, 6);
        GradCheck.check("clamp_", device, 20, xs -> xs[0].mul(1f).clamp_(-0.5f, 1f),
                xs -> xs[0].map(v -> Math.min(Math.max(v, -0.5), 1.0)), x);
    }

    @ParameterizedTest
    @DevicesSource
    void copyIntoATensorLinksItToTheSource(Device device) {
        Tensor src = nd(21, 3).tensor(device).requiresGrad(true);
        Tensor dst = Tensor.zeros(device, 3);
        dst.copy_(src);
        assertEquals("copy_Backward", dst.gradFnName());
        dst.mul(Tensor.of(new float[] {2f, -1f, 0.5f}).to(device)).sum().backward();
        assertArrayEquals(new float[] {2f, -1f, 0.5f}, src.grad().toFloatArray());
    }

    @ParameterizedTest
    @DevicesSource
    void fillCutsTheGradient(Device device) {
        Tensor x = nd(22, 3).tensor(device).requiresGrad(true);
        Tensor y = x.mul(2f);
        y.fill_(4f);
        y.add(x).sum().backward(); // only the add reaches x
        assertArrayEquals(new float[] {1f, 1f, 1f}, x.grad().toFloatArray());
    }

    @ParameterizedTest
    @DevicesSource
    void errorsNameTheOpAndChangeNothing(Device device) {
        Tensor t = nd(23, 2, 3).tensor(device);
        float[] before = t.toFloatArray();
        ShapeMismatchException s = assertThrows(ShapeMismatchException.class, () -> t.add_(Tensor.ones(device, 4, 2, 3)));
        assertEquals("add_", s.op());
        assertThrows(ShapeMismatchException.class, () -> t.copy_(Tensor.ones(device, 4)));
        Device other = device.isCpu() ? Device.META : Device.CPU;
        DeviceMismatchException d = assertThrows(DeviceMismatchException.class, () -> t.mul_(Tensor.ones(other, 3)));
        assertEquals("mul_", d.op());
        DeviceMismatchException c = assertThrows(DeviceMismatchException.class, () -> t.copy_(Tensor.ones(other, 2, 3)));
        assertTrue(c.getMessage().contains("src"), c.getMessage());
        assertArrayEquals(before, t.toFloatArray());
    }

    @ParameterizedTest
    @DevicesSource
    void cloneIsACopyInTheGraph(Device device) {
        Tensor x = nd(24, 3).tensor(device).requiresGrad(true);
        float[] old = x.toFloatArray();
        Tensor c = x.clone();
        try (NoGrad g = NoGrad.enter()) {
            x.add_(1f);
        }
        assertArrayEquals(old, c.toFloatArray(), "the clone kept the old values");
        c.mul(3f).sum().backward();
        assertArrayEquals(new float[] {3f, 3f, 3f}, x.grad().toFloatArray());
    }

    // ---------------------------------------------------------------- the graph around an in-place op

    @ParameterizedTest
    @DevicesSource
    void opsRecordedBeforeAnInPlaceOpKeepTheirGradient(Device device) {
        // c = 3·(2x), then b is scaled in place: c's gradient is still 6, whatever b became.
        Tensor x = Tensor.of(new float[] {1.5f, -2f}).to(device).requiresGrad(true);
        Tensor b = x.mul(2f);
        Tensor c = b.mul(3f);
        b.mul_(5f);
        c.sum().backward();
        assertArrayEquals(new float[] {6f, 6f}, x.grad().toFloatArray());
        // z = 1·(3x), then y is overwritten: z still depends on x.
        Tensor x2 = Tensor.of(new float[] {0.25f, 4f}).to(device).requiresGrad(true);
        Tensor y = x2.mul(3f);
        Tensor z = y.mul(1f);
        y.copy_(Tensor.of(new float[] {7f, 7f}).to(device));
        z.sum().backward();
        assertArrayEquals(new float[] {3f, 3f}, x2.grad().toFloatArray());
    }

    @ParameterizedTest
    @DevicesSource
    void anInPlaceOpDoesNotReachBackIntoEarlierOps(Device device) {
        // x did not require grad when y was computed; writing v into x later adds no path from y to v.
        Tensor x = Tensor.of(new float[] {1f, 2f}).to(device);
        Tensor w = Tensor.of(new float[] {0.5f, -1f}).to(device).requiresGrad(true);
        Tensor v = Tensor.of(new float[] {3f, 4f}).to(device).requiresGrad(true);
        Tensor y = x.add(w);
        x.mul_(v);
        y.sum().backward();
        assertArrayEquals(new float[] {1f, 1f}, w.grad().toFloatArray());
        assertEquals(null, v.grad());
    }

    @ParameterizedTest
    @DevicesSource
    void aTensorTimesItselfInPlaceRefusesBackward(Device device) {
        // x.mul_(x) overwrites the factor its own gradient needs; PyTorch refuses it in backward too.
        Tensor x = Tensor.of(new float[] {3f, 4f}).to(device).requiresGrad(true);
        Tensor a = x.mul(1f);
        a.mul_(a);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.sum().backward());
        assertTrue(e.getMessage().contains("'mul_'"), e.getMessage());
    }

    @ParameterizedTest
    @DevicesSource
    void inPlaceOpsOnAViewOfATensorThatRequiresGradAreRefused(Device device) {
        Tensor w = Tensor.of(new float[] {1f, 2f}).to(device).requiresGrad(true);
        IllegalStateException leaf = assertThrows(IllegalStateException.class, () -> w.reshape(2).add_(1f));
        assertTrue(leaf.getMessage().startsWith("add_:"), leaf.getMessage());
        Tensor x = w.mul(2f);
        IllegalStateException view = assertThrows(IllegalStateException.class, () -> x.reshape(1, 2).mul_(2f));
        assertTrue(view.getMessage().contains("view"), view.getMessage());
        assertArrayEquals(new float[] {2f, 4f}, x.toFloatArray(), "nothing was written");
        try (NoGrad g = NoGrad.enter()) {
            w.reshape(2).add_(1f); // as an optimizer may: allowed without grad
        }
        assertArrayEquals(new float[] {2f, 3f}, w.toFloatArray());
    }

    @ParameterizedTest
    @DevicesSource
    void clampSelectsTheGradientSoAnInfiniteOneOutsideGivesZero(Device device) {
        Tensor x = Tensor.of(new float[] {-3f, 0.5f, Float.NaN}).to(device).requiresGrad(true);
        Tensor y = x.mul(1f);
        y.clamp_(-1f, 1f);
        y.backward(Tensor.of(new float[] {Float.POSITIVE_INFINITY, 2f, 5f}).to(device), false);
        assertArrayEquals(new float[] {0f, 2f, 0f}, x.grad().toFloatArray()); // PyTorch: NaN input gives 0 too
    }
}
