package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.junit.DevicesSource;
import dev.tensorj.optim.SGD;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/** The autograd engine's behaviour: when it records, when backward is allowed, how gradients accumulate. */
class AutogradTest {
    private static Tensor leaf(Device device, long seed, int... shape) {
        return Nd.randn(new Random(seed), shape).tensor(device).requiresGrad(true);
    }

    @ParameterizedTest
    @DevicesSource
    void backwardOnNonScalarNamesTheShape(Device device) {
        Tensor y = leaf(device, 1, 2, 3).mul(2f);
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("[2, 3]"), e.getMessage());
    }

    @ParameterizedTest
    @DevicesSource
    void backwardWithoutGradThrows(Device device) {
        Tensor y = Tensor.randn(device, 3).sum();
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("requiresGrad"), e.getMessage());
    }

    @ParameterizedTest
    @DevicesSource
    void backwardTwiceWithoutRetainGraphThrows(Device device) {
        Tensor x = leaf(device, 2, 4);
        Tensor loss = x.mul(x).sum();
        loss.backward();
        float[] first = x.grad().toFloatArray();
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("second time") && e.getMessage().contains("retain"), e.getMessage());
        assertArrayEquals(first, x.grad().toFloatArray(), "a refused backward must not touch the gradients");
    }

    @ParameterizedTest
    @DevicesSource
    void retainGraphTwiceDoublesTheGradient(Device device) {
        Tensor x = leaf(device, 3, 3, 2);
        Tensor w = leaf(device, 4, 2);
        Tensor loss = x.mul(w).relu().sum();
        loss.backward(true);
        float[] gx = x.grad().toFloatArray();
        float[] gw = w.grad().toFloatArray();
        loss.backward(true);
        assertArrayEquals(doubled(gx), x.grad().toFloatArray());
        assertArrayEquals(doubled(gw), w.grad().toFloatArray());
        assertNotEquals(0f, Math.abs(gw[0]) + Math.abs(gw[1]), "a zero gradient would make doubling vacuous");
    }

    private static float[] doubled(float[] a) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = 2 * a[i];
        }
        return out;
    }

    @ParameterizedTest
    @DevicesSource
    void gradientsAccumulateAcrossBackwardCalls(Device device) {
        // Two separate graphs on the same leaf: x.grad = ∂L1/∂x + ∂L2/∂x, each by finite differences.
        Random rng = new Random(5);
        Nd a = Nd.randn(rng, 3, 4);
        Nd w1 = Nd.randn(rng, 3, 4);
        Nd w2 = Nd.randn(rng, 4);
        Tensor x = a.tensor(device).requiresGrad(true);
        x.square().mul(w1.tensor(device)).sum().backward();
        x.sum(0, false).mul(w2.tensor(device)).sum().backward();
        Nd g1 = GradCheck.numericGrad(r -> RefOps.pow(r[0], 2), w1, new Nd[] {a}, 0);
        Nd g2 = GradCheck.numericGrad(r -> RefOps.sum(r[0], 0, false), w2, new Nd[] {a}, 0);
        GradCheck.assertGradClose("accumulated", x.grad(), RefOps.add(g1, g2));
        x.zeroGrad();
        assertNull(x.grad());
    }

    @ParameterizedTest
    @DevicesSource
    @SuppressWarnings("try") // the scopes are used for their effect, not referenced
    void noGradRecordsNothingAndNests(Device device) {
        Tensor x = leaf(device, 6, 3);
        try (NoGrad outer = NoGrad.enter()) {
            Tensor y = x.mul(2f);
            assertFalse(y.requiresGrad());
            assertTrue(y.isLeaf());
            try (NoGrad inner = NoGrad.enter()) {
                assertFalse(x.add(x).requiresGrad());
            }
            assertFalse(NoGrad.isGradEnabled(), "closing the inner scope must not re-enable recording");
            assertFalse(x.matmul(x).requiresGrad());
        }
        assertTrue(NoGrad.isGradEnabled());
        Tensor z = x.mul(2f);
        assertTrue(z.requiresGrad());
        assertEquals("mulBackward", z.gradFnName());
    }

    @ParameterizedTest
    @DevicesSource
    void detachSharesValuesButNotTheGraph(Device device) {
        Tensor p = leaf(device, 7, 4);
        Tensor y = p.mul(3f);
        Tensor d = y.detach();
        assertFalse(d.requiresGrad());
        assertTrue(d.isLeaf());
        assertNull(d.grad());
        assertArrayEquals(y.toFloatArray(), d.toFloatArray());
        assertFalse(d.mul(2f).requiresGrad());

        // Gradient stops at d: ∂Σ(d·p)/∂p = d, with no term through d's own dependence on p.
        p.mul(d).sum().backward();
        assertArrayEquals(d.toFloatArray(), p.grad().toFloatArray());

        // Memory is shared: an in-place update of p shows through p.detach().
        Tensor view = p.detach();
        float[] before = p.toFloatArray();
        new SGD(List.of(p), 0.5f).step();
        assertFalse(java.util.Arrays.equals(before, p.toFloatArray()));
        assertArrayEquals(p.toFloatArray(), view.toFloatArray());
    }

    @Test
    void toMetaIsRecordedInTheGraph() {
        Tensor x = leaf(Device.CPU, 8, 2, 3);
        Tensor y = x.to(Device.META);
        assertEquals(Device.META, y.device());
        assertArrayEquals(new int[] {2, 3}, y.shape());
        assertTrue(y.requiresGrad());
        assertEquals("toBackward", y.gradFnName());
        Tensor loss = y.mul(y).sum();
        assertTrue(loss.requiresGrad());
        assertArrayEquals(new int[0], loss.shape());
        assertTrue(x.to(Device.CPU) == x, "to(own device) is the identity");
    }
}
