package dev.tensorj.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Device;
import dev.tensorj.NoGrad;
import dev.tensorj.Tensor;
import dev.tensorj.junit.DevicesSource;
import dev.tensorj.junit.RequiresCuda;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

class DropoutLayerNormTest {

    @ParameterizedTest
    @DevicesSource
    void dropoutZeroesAboutPAndScalesTheRest(Device device) {
        Tensor.manualSeed(5);
        float[] xs = Tensor.rand(100, 100).add(1).toFloatArray(); // all in [1, 2): none is 0 before dropout
        Tensor x = Tensor.of(xs, 100, 100).to(device).requiresGrad(true);
        Dropout d = new Dropout(0.3);
        Tensor y = d.forward(x);
        assertEquals(device, y.device());
        float[] ys = y.toFloatArray();
        int zeros = 0;
        for (int i = 0; i < ys.length; i++) {
            if (ys[i] == 0) {
                zeros++;
            } else {
                assertEquals(xs[i] / 0.7, ys[i], 1e-5, "kept elements are scaled by 1/(1-p)");
            }
        }
        assertEquals(0.3, zeros / 10000.0, 0.02);
        y.sum().backward();
        float[] g = x.grad().toFloatArray();
        for (int i = 0; i < ys.length; i++) {
            assertEquals(ys[i] == 0 ? 0 : 1 / 0.7, g[i], 1e-5, "gradient through the same mask");
        }
        assertSame(x, d.eval().forward(x), "identity in eval mode");
    }

    @Test
    void dropoutIsReproducibleAndChecksP() {
        Tensor x = Tensor.ones(Device.CPU, 50);
        Tensor.manualSeed(8);
        float[] a = new Dropout(0.5).forward(x).toFloatArray();
        Tensor.manualSeed(8);
        assertArrayEquals(a, new Dropout(0.5).forward(x).toFloatArray());
        for (float v : new Dropout(1).forward(x).toFloatArray()) {
            assertEquals(0f, v);
        }
        assertSame(x, new Dropout(0).forward(x));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5));
        Dropout typed = new Dropout(0.1).eval().to(Device.META).train();
        assertTrue(typed.isTraining());
    }

    @Test
    @RequiresCuda
    void dropoutDropsTheSameElementsOnCpuAndCuda() {
        float[] xs = Tensor.randn(37, 29).toFloatArray();
        Tensor.manualSeed(21);
        float[] cpu = new Dropout(0.4).forward(Tensor.of(xs, 37, 29)).toFloatArray();
        Tensor.manualSeed(21);
        float[] gpu = new Dropout(0.4).forward(Tensor.of(xs, 37, 29).to(Device.cuda(0))).toFloatArray();
        assertArrayEquals(cpu, gpu);
    }

    @ParameterizedTest
    @DevicesSource
    void dropoutKeepsAboutOneMinusPAndItsGradientIsTheScaledMask(Device device) {
        Tensor.manualSeed(22);
        int n = 100_000;
        float[] xs = Tensor.rand(n).add(0.5f).toFloatArray(); // in [0.5, 1.5): never 0 before dropout
        float[] ws = Tensor.randn(n).toFloatArray();
        Tensor x = Tensor.of(xs).to(device).requiresGrad(true);
        Tensor y = new Dropout(0.25).forward(x);
        float[] ys = y.toFloatArray();
        // d/dx Σ w·y = w·mask/(1-p): a non-uniform upstream gradient
        y.mul(Tensor.of(ws).to(device)).sum().backward();
        float[] g = x.grad().toFloatArray();
        float scale = (float) (1 / 0.75);
        int dropped = 0;
        for (int i = 0; i < n; i++) {
            if (ys[i] == 0) {
                dropped++;
                assertEquals(0f, g[i], 0f, "dropped " + i); // -0 where the upstream w is negative
            } else {
                assertEquals(xs[i] * scale, ys[i], "kept " + i + ", scaled by 1/(1-p) in float");
                assertEquals(ws[i] * scale, g[i], "gradient " + i);
            }
        }
        assertEquals(0.25, dropped / (double) n, 5 * Math.sqrt(0.25 * 0.75 / n), "fraction dropped");
    }

    @ParameterizedTest
    @DevicesSource
    void dropoutWithPOneIsExactlyZeroTimesTheInputAndPZeroIsTheInput(Device device) {
        Tensor x = Tensor.of(new float[] {1.5f, -2f, Float.NaN, Float.POSITIVE_INFINITY, 0f}).to(device)
                .requiresGrad(true);
        Tensor y = new Dropout(1).forward(x);
        float[] ys = y.toFloatArray();
        assertArrayEquals(new float[] {0f, -0f, Float.NaN, Float.NaN, 0f}, ys, "input·0, as PyTorch");
        y.sum().backward();
        assertArrayEquals(new float[] {0, 0, 0, 0, 0}, x.grad().toFloatArray());
        Dropout none = new Dropout(0);
        assertSame(x, none.forward(x));
        Dropout d = new Dropout(0.5);
        assertSame(x, d.eval().forward(x), "identity in eval mode");
        assertTrue(d.train().forward(x) != x, "drops again in train mode");
        Tensor empty = Tensor.zeros(device, 0, 3);
        assertSame(empty, d.forward(empty));
    }

    @Test
    void dropoutChecksItsInputAndP() {
        Tensor meta = Tensor.zeros(Device.META, 4, 5).requiresGrad(true);
        Tensor y = new Dropout(0.5).forward(meta);
        assertEquals(Device.META, y.device());
        assertArrayEquals(new int[] {4, 5}, y.shape());
        dev.tensorj.DTypeMismatchException e = assertThrows(dev.tensorj.DTypeMismatchException.class,
                () -> new Dropout(0.5).forward(Tensor.zeros(dev.tensorj.DType.INT64, 3)));
        assertTrue(e.getMessage().startsWith("dropout"), e.getMessage());
        for (double p : new double[] {-0.1, 1.5, Double.NaN}) {
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                    () -> dev.tensorj.Functional.dropout(Tensor.ones(3), p, true));
            assertTrue(bad.getMessage().contains("dropout") && bad.getMessage().contains(String.valueOf(p)),
                    bad.getMessage());
        }
        Tensor x = Tensor.ones(3);
        assertSame(x, dev.tensorj.Functional.dropout(x, 0.5, false), "not training: the input");
    }

    @ParameterizedTest
    @DevicesSource
    void layerNormMatchesAReference(Device device) {
        Tensor.manualSeed(6);
        float[] xs = Tensor.randn(2, 3, 4).mul(3).add(1).toFloatArray();
        LayerNorm ln = new LayerNorm(new int[] {3, 4}, 1e-5, true);
        float[] ws = Tensor.randn(12).toFloatArray();
        float[] bs = Tensor.randn(12).toFloatArray();
        try (NoGrad g = NoGrad.enter()) {
            ln.weight().copy_(Tensor.of(ws, 3, 4));
            ln.bias().copy_(Tensor.of(bs, 3, 4));
        }
        ln.to(device);
        Tensor x = Tensor.of(xs, 2, 3, 4).to(device).requiresGrad(true);
        Tensor y = ln.forward(x);
        float[] got = y.toFloatArray();
        for (int n = 0; n < 2; n++) {
            double mean = 0;
            for (int i = 0; i < 12; i++) {
                mean += xs[n * 12 + i];
            }
            mean /= 12;
            double var = 0;
            for (int i = 0; i < 12; i++) {
                var += (xs[n * 12 + i] - mean) * (xs[n * 12 + i] - mean);
            }
            var /= 12; // biased
            for (int i = 0; i < 12; i++) {
                double ref = (xs[n * 12 + i] - mean) / Math.sqrt(var + 1e-5) * ws[i] + bs[i];
                assertEquals(ref, got[n * 12 + i], 1e-4, "n=" + n + " i=" + i);
            }
        }
        y.sum().backward();
        // d(sum y)/d bias = batch count; the gradient of x sums to ~0 over each normalised group.
        for (float v : ln.bias().grad().toFloatArray()) {
            assertEquals(2f, v, 1e-6);
        }
        float[] gx = x.grad().toFloatArray();
        double gsum = 0;
        for (int i = 0; i < 12; i++) {
            gsum += gx[i];
        }
        assertEquals(0, gsum, 1e-4);
        assertTrue(java.util.Arrays.stream(new double[] {gx[0], gx[5]}).anyMatch(v -> Math.abs(v) > 1e-3));
    }

    @Test
    void layerNormWithoutAffineNormalisesAndChecksTheShape() {
        LayerNorm ln = new LayerNorm(new int[] {4}, 1e-5, false);
        assertTrue(ln.parameters().isEmpty());
        float[] y = ln.forward(Tensor.of(new float[] {1, 2, 3, 4, 10, 10, 10, 14}, 2, 4)).toFloatArray();
        double s = Math.sqrt(1.25 + 1e-5);
        assertArrayEquals(new float[] {(float) (-1.5 / s), (float) (-0.5 / s), (float) (0.5 / s), (float) (1.5 / s)},
                java.util.Arrays.copyOf(y, 4), 1e-5f);
        double s2 = Math.sqrt(3 + 1e-5); // mean 11, var (1+1+1+9)/4 = 3
        assertEquals(-1 / s2, y[4], 1e-5);
        assertEquals(3 / s2, y[7], 1e-5);
        assertThrows(dev.tensorj.ShapeMismatchException.class, () -> ln.forward(Tensor.zeros(2, 5)));
        LayerNorm typed = new LayerNorm(4).to(Device.META).eval();
        assertEquals(Device.META, typed.weight().device());
    }
}
