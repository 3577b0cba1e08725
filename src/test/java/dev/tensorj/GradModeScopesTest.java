package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.junit.DevicesSource;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * The thread's autograd modes: {@link NoGrad} and {@link AnomalyMode} scopes nest, closing one
 * twice changes nothing, and a backward pass (which turns recording off while its rules run) gives
 * the mode back as it found it, also when it fails. Anomaly mode names the op, the input, its shape
 * and device of the first NaN gradient, and reads nothing back on meta.
 */
class GradModeScopesTest {

    @Test
    void noGradScopesNestAndACloseTwiceChangesNothing() {
        assertTrue(NoGrad.isGradEnabled());
        NoGrad outer = NoGrad.enter();
        assertFalse(NoGrad.isGradEnabled());
        NoGrad inner = NoGrad.enter();
        inner.close();
        assertFalse(NoGrad.isGradEnabled(), "closing the inner scope restores the outer one's mode: off");
        outer.close();
        assertTrue(NoGrad.isGradEnabled());
        inner.close(); // its previous mode was "off": a second close must not bring it back
        assertTrue(NoGrad.isGradEnabled(), "a second close of a scope changes nothing");
        outer.close();
        assertTrue(NoGrad.isGradEnabled());
    }

    @Test
    void opsInsideNoGradRecordNothingAndOpsAfterItRecordAgain() {
        Tensor x = Tensor.of(new float[] {1f, -2f}).requiresGrad(true);
        Tensor inside;
        try (NoGrad g = NoGrad.enter()) {
            inside = x.mul(3f);
        }
        assertFalse(inside.requiresGrad());
        assertNull(inside.gradFnName());
        Tensor after = x.mul(3f);
        assertTrue(after.requiresGrad());
        assertEquals("mulBackward", after.gradFnName());
    }

    @ParameterizedTest
    @DevicesSource
    void backwardInsideNoGradLeavesTheModeOff(Device d) {
        Tensor x = Tensor.of(new float[] {1f, 2f}).to(d).requiresGrad(true);
        Tensor loss = x.mul(x).sum();
        try (NoGrad g = NoGrad.enter()) {
            loss.backward();
            assertFalse(NoGrad.isGradEnabled(), "backward restores the mode it found: off");
        }
        assertTrue(NoGrad.isGradEnabled());
        assertArrayEquals(new float[] {2f, 4f}, x.grad().toFloatArray());
    }

    @ParameterizedTest
    @DevicesSource
    void aFailedBackwardGivesTheModeBack(Device d) {
        Tensor x = Tensor.of(new float[] {1f, 2f}).to(d).requiresGrad(true);
        Tensor y = x.mul(x);
        Tensor loss = y.sum();
        loss.backward(true);
        try (NoGrad g = NoGrad.enter()) {
            x.add_(1f); // mul saved x: the next backward must refuse
        }
        assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(NoGrad.isGradEnabled(), "a backward that threw must turn recording back on");
        assertEquals("mulBackward", x.mul(2f).gradFnName(), "ops record again after the failed backward");
    }

    @Test
    void anomalyScopesNestAndACloseTwiceChangesNothing() {
        assertFalse(AnomalyMode.isEnabled());
        AnomalyMode outer = AnomalyMode.enter();
        AnomalyMode inner = AnomalyMode.enter();
        assertTrue(AnomalyMode.isEnabled());
        inner.close();
        assertTrue(AnomalyMode.isEnabled(), "the outer scope is still open");
        inner.close();
        assertTrue(AnomalyMode.isEnabled(), "a second close of the inner scope must not end the outer one");
        outer.close();
        assertFalse(AnomalyMode.isEnabled());
        outer.close();
        assertFalse(AnomalyMode.isEnabled());
        try (AnomalyMode again = AnomalyMode.enter()) {
            assertTrue(AnomalyMode.isEnabled(), "closing twice did not drive the depth below zero");
        }
    }

    @ParameterizedTest
    @DevicesSource
    void anomalyNamesTheOpTheInputItsShapeAndDevice(Device d) {
        // div's gradient to its divisor (input 1) is -g·a/b²: NaN where a = b = 0; to input 0 it is
        // g/b = ±Inf there, not NaN. So the first NaN is in input 1's gradient, of shape [2, 1].
        Tensor a = Tensor.of(new float[] {0f, 1f, 0f, 3f}, 2, 2).to(d).requiresGrad(true);
        Tensor b = Tensor.of(new float[] {0f, 2f}, 2, 1).to(d).requiresGrad(true);
        Tensor loss = a.div(b).sum();
        try (AnomalyMode m = AnomalyMode.enter()) {
            AnomalyException e = assertThrows(AnomalyException.class, loss::backward);
            assertEquals("div", e.op());
            String msg = e.getMessage();
            assertTrue(msg.contains("gradient of input 1 (shape [2, 1] on " + d + ")"), msg);
        }
        assertFalse(AnomalyMode.isEnabled());
    }

    @ParameterizedTest
    @DevicesSource
    void anomalyModeLetsFiniteGradientsThrough(Device d) {
        Random rng = new Random(7);
        Nd xs = Nd.randn(rng, 3, 2);
        Tensor x = xs.tensor(d).requiresGrad(true);
        try (AnomalyMode m = AnomalyMode.enter()) {
            x.mul(x).sum().backward();
        }
        Approx.assertClose("d(x·x)/dx", x.grad(), xs.map(v -> 2 * v));
    }

    @Test
    void anomalyModeReadsNothingBackOnMeta() {
        Tensor x = Tensor.zeros(Device.META, 2, 3).requiresGrad(true);
        Tensor w = Tensor.zeros(Device.META, 3).requiresGrad(true);
        try (AnomalyMode m = AnomalyMode.enter()) {
            x.mul(w).sum().backward(); // meta has no values to check: not a MetaTensorReadException
        }
        assertArrayEquals(new int[] {2, 3}, x.grad().shape());
        assertArrayEquals(new int[] {3}, w.grad().shape());
        assertEquals(Device.META, w.grad().device());
    }
}
