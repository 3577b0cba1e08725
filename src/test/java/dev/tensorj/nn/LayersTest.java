package dev.tensorj.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Device;
import dev.tensorj.Tensor;
import dev.tensorj.junit.DevicesSource;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

class LayersTest {
    private static final double TOL = 2e-5;

    /** erf by Abramowitz and Stegun 7.1.26 (error below 1.5e-7), enough for float32 checks. */
    static double erf(double x) {
        double s = Math.signum(x);
        double a = Math.abs(x);
        double t = 1 / (1 + 0.3275911 * a);
        double y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592)
                * t * Math.exp(-a * a);
        return s * y;
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    static double phi(double x) { // standard normal CDF
        return 0.5 * (1 + erf(x / Math.sqrt(2)));
    }

    static final double K = Math.sqrt(2 / Math.PI);

    /** Input values spread over [-4, 4) including both signs, with a fixed seed. */
    private static float[] inputs(int n) {
        Tensor.manualSeed(42);
        float[] x = Tensor.rand(n).toFloatArray();
        for (int i = 0; i < n; i++) {
            x[i] = 8 * x[i] - 4;
        }
        return x;
    }

    /** Forward and gradient of an elementwise layer against double references, on {@code device}. */
    private static void checkElementwise(Device device, Module layer, DoubleUnaryOperator f, DoubleUnaryOperator df) {
        float[] xs = inputs(24);
        float[] ws = new float[24];
        for (int i = 0; i < 24; i++) {
            ws[i] = 0.5f + 0.1f * i; // distinct upstream gradients
        }
        Tensor x = Tensor.of(xs, 4, 6).to(device).requiresGrad(true);
        Tensor w = Tensor.of(ws, 4, 6).to(device);
        Tensor y = layer.forward(x);
        assertArrayEquals(new int[] {4, 6}, y.shape());
        assertEquals(device, y.device());
        float[] got = y.toFloatArray();
        for (int i = 0; i < 24; i++) {
            assertEquals(f.applyAsDouble(xs[i]), got[i], TOL * (1 + Math.abs(got[i])), layer + " at x=" + xs[i]);
        }
        y.mul(w).sum().backward();
        float[] g = x.grad().toFloatArray();
        for (int i = 0; i < 24; i++) {
            assertEquals(ws[i] * df.applyAsDouble(xs[i]), g[i], 1e-4 * (1 + Math.abs(g[i])), layer + "' at x=" + xs[i]);
        }
    }

    @ParameterizedTest
    @DevicesSource
    void tanhMatchesReference(Device device) {
        checkElementwise(device, new Tanh(), Math::tanh, x -> 1 - Math.tanh(x) * Math.tanh(x));
    }

    @ParameterizedTest
    @DevicesSource
    void sigmoidMatchesReference(Device device) {
        checkElementwise(device, new Sigmoid(), LayersTest::sigmoid, x -> sigmoid(x) * (1 - sigmoid(x)));
    }

    @ParameterizedTest
    @DevicesSource
    void siluMatchesReference(Device device) {
        checkElementwise(device, new SiLU(), x -> x * sigmoid(x),
                x -> sigmoid(x) + x * sigmoid(x) * (1 - sigmoid(x)));
    }

    @ParameterizedTest
    @DevicesSource
    void geluExactMatchesReference(Device device) {
        checkElementwise(device, new GELU(), x -> x * phi(x),
                x -> phi(x) + x * Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI));
    }

    @ParameterizedTest
    @DevicesSource
    void geluTanhMatchesReference(Device device) {
        checkElementwise(device, new GELU("tanh"), x -> 0.5 * x * (1 + Math.tanh(K * (x + 0.044715 * x * x * x))),
                x -> {
                    double t = Math.tanh(K * (x + 0.044715 * x * x * x));
                    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * K * (1 + 3 * 0.044715 * x * x);
                });
    }

    @Test
    void geluApproximationsDifferAndBadValuesAreRejected() {
        Tensor x = Tensor.of(new float[] {1.5f}, 1);
        float exact = new GELU("none").forward(x).item();
        float tanh = new GELU("tanh").forward(x).item();
        assertTrue(exact != tanh, "the two approximations differ: " + exact);
        assertEquals("tanh", new GELU("tanh").approximate());
        assertThrows(IllegalArgumentException.class, () -> new GELU("erf"));
    }

    @ParameterizedTest
    @DevicesSource
    void identityReturnsItsInputAndPassesTheGradient(Device device) {
        checkElementwise(device, new Identity(), x -> x, x -> 1);
        Tensor x = Tensor.of(new float[] {1, 2}, 2).to(device);
        assertSame(x, new Identity().forward(x));
    }

    @ParameterizedTest
    @DevicesSource
    void flattenKeepsTheBatchDimensionByDefault(Device device) {
        float[] xs = inputs(2 * 3 * 4 * 5);
        Tensor x = Tensor.of(xs, 2, 3, 4, 5).to(device).requiresGrad(true);
        Tensor y = new Flatten().forward(x);
        assertArrayEquals(new int[] {2, 60}, y.shape());
        assertArrayEquals(xs, y.toFloatArray());
        assertArrayEquals(new int[] {2, 12, 5}, new Flatten(1, 2).forward(x).shape());
        assertArrayEquals(new int[] {120}, new Flatten(0, -1).forward(x).shape());
        assertArrayEquals(new int[] {6, 4, 5}, new Flatten(0, 1).forward(x).shape());
        float[] ws = inputs(120);
        y.mul(Tensor.of(ws, 2, 60).to(device)).sum().backward();
        assertArrayEquals(new int[] {2, 3, 4, 5}, x.grad().shape());
        assertArrayEquals(ws, x.grad().toFloatArray());
    }

    @Test
    void layersHaveNoParametersAndReturnTheirOwnTypes() {
        Tanh tanh = new Tanh().to(Device.META).eval().train();
        Sigmoid sig = new Sigmoid().eval();
        SiLU silu = new SiLU().train();
        GELU gelu = new GELU().to(Device.CPU);
        Flatten flat = new Flatten().eval();
        Identity id = new Identity().to(Device.META);
        var m = new Sequential(tanh, sig, silu, gelu, flat, id).to(Device.META);
        assertTrue(m.parameters().isEmpty());
        assertTrue(m.buffers().isEmpty());
        m.eval();
        assertTrue(!flat.isTraining() && !tanh.isTraining());
        Tensor y = m.forward(Tensor.randn(Device.META, 2, 3, 4));
        assertArrayEquals(new int[] {2, 12}, y.shape());
        assertEquals(Device.META, y.device());
    }

    @Test
    void sequentialOfLayersComputesTheComposition() {
        Tensor.manualSeed(3);
        Linear lin = new Linear(4, 3);
        var m = new Sequential(new Flatten(), lin, new Tanh());
        Tensor x = Tensor.randn(2, 2, 2);
        float[] xs = x.toFloatArray();
        float[] w = lin.weight().toFloatArray();
        float[] b = lin.bias().toFloatArray();
        float[] got = m.forward(x).toFloatArray();
        for (int n = 0; n < 2; n++) {
            for (int o = 0; o < 3; o++) {
                double acc = b[o];
                for (int i = 0; i < 4; i++) {
                    acc += (double) xs[n * 4 + i] * w[o * 4 + i];
                }
                assertEquals(Math.tanh(acc), got[n * 3 + o], 1e-5);
            }
        }
    }
}
