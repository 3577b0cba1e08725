package dev.tensorj.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Device;
import dev.tensorj.Functional;
import dev.tensorj.Tensor;
import dev.tensorj.junit.DevicesSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/** Softmax and LogSoftmax layers: values and gradients against double references, along any dim. */
class SoftmaxLayersTest {
    private static final int[] SHAPE = {2, 5, 3};

    /**
     * Along {@code dim} of a {@code [2, 5, 3]} input, each slice {@code x} gives {@code s = softmax(x)}
     * and {@code log s}. By hand, for the upstream weights {@code w} of a slice:
     * {@code ∂Σ w·s/∂x_i = s_i·(w_i - Σ_j w_j·s_j)} and {@code ∂Σ w·log s/∂x_i = w_i - s_i·Σ_j w_j}.
     */
    private static void check(Device device, int dim, boolean log) {
        Tensor.manualSeed(7 + dim);
        float[] xs = Tensor.randn(SHAPE).mul(3f).toFloatArray();
        float[] ws = Tensor.randn(SHAPE).toFloatArray();
        Module layer = log ? new LogSoftmax(dim) : new Softmax(dim);
        Tensor x = Tensor.of(xs, SHAPE).to(device).requiresGrad(true);
        Tensor y = layer.forward(x);
        assertEquals(device, y.device());
        assertArrayEquals(SHAPE, y.shape());
        Tensor byFunctional = log ? Functional.logSoftmax(x, dim) : Functional.softmax(x, dim);
        assertArrayEquals(byFunctional.toFloatArray(), y.toFloatArray(), layer + " is the functional op");
        y.mul(Tensor.of(ws, SHAPE).to(device)).sum().backward();
        float[] got = y.toFloatArray();
        float[] grad = x.grad().toFloatArray();

        int d = dim < 0 ? dim + SHAPE.length : dim;
        int stride = 1;
        for (int k = d + 1; k < SHAPE.length; k++) {
            stride *= SHAPE[k];
        }
        int n = SHAPE[d];
        for (int base = 0; base < xs.length; base++) {
            if ((base / stride) % n != 0) {
                continue; // visit each slice once, from its first element
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                max = Math.max(max, xs[base + j * stride]);
            }
            double z = 0;
            for (int j = 0; j < n; j++) {
                z += Math.exp(xs[base + j * stride] - max);
            }
            double ws1 = 0;
            double wss = 0;
            for (int j = 0; j < n; j++) {
                double s = Math.exp(xs[base + j * stride] - max) / z;
                ws1 += ws[base + j * stride];
                wss += ws[base + j * stride] * s;
            }
            for (int j = 0; j < n; j++) {
                int i = base + j * stride;
                double s = Math.exp(xs[i] - max) / z;
                double expected = log ? Math.log(s) : s;
                double g = log ? ws[i] - s * ws1 : s * (ws[i] - wss);
                assertEquals(expected, got[i], 2e-6 * (1 + Math.abs(expected)), layer + " at " + i);
                assertEquals(g, grad[i], 1e-5 * (1 + Math.abs(g)), layer + "' at " + i);
            }
        }
    }

    @ParameterizedTest
    @DevicesSource
    void softmaxAlongEachDim(Device device) {
        for (int dim : new int[] {0, 1, -1}) {
            check(device, dim, false);
        }
    }

    @ParameterizedTest
    @DevicesSource
    void logSoftmaxAlongEachDim(Device device) {
        for (int dim : new int[] {0, 1, -1}) {
            check(device, dim, true);
        }
    }

    @Test
    void settingsShapesAndErrors() {
        Softmax s = new Softmax(1);
        LogSoftmax l = new LogSoftmax(-1);
        assertEquals(1, s.dim());
        assertEquals(-1, l.dim());
        assertEquals("Softmax(dim=1)", s.toString());
        assertEquals("LogSoftmax(dim=-1)", l.toString());
        assertTrue(s.parameters().isEmpty() && l.buffers().isEmpty());
        Softmax moved = s.to(Device.META).eval().train();
        assertEquals(s, moved);
        Tensor meta = Tensor.randn(Device.META, 4, 3, 0);
        assertArrayEquals(new int[] {4, 3, 0}, s.forward(meta).shape());
        assertArrayEquals(new int[] {4, 3, 0}, l.forward(meta).shape());
        assertEquals(Device.META, l.forward(meta).device());
        assertEquals("softmax: input is null", assertThrows(NullPointerException.class, () -> s.forward(null)).getMessage());
        assertEquals("log_softmax: input is null",
                assertThrows(NullPointerException.class, () -> l.forward(null)).getMessage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Softmax(3).forward(Tensor.randn(2, 3)));
        assertTrue(e.getMessage().contains("dimension 3 out of range"), e.getMessage());
    }
}
