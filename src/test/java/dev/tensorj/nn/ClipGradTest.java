package dev.tensorj.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tensorj.Device;
import dev.tensorj.Tensor;
import dev.tensorj.junit.CheckDevices;
import dev.tensorj.junit.DeviceCases;
import dev.tensorj.junit.DevicesSource;
import dev.tensorj.junit.RequiresCuda;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * clip_grad_norm_ and clip_grad_value_ against references in double: every norm type (inf
 * included), clipping and not clipping, a parameter without a gradient, non-finite norms, on cpu and
 * (emulated) cuda.
 */
class ClipGradTest {

    static Stream<Arguments> norms() {
        List<Arguments> out = new ArrayList<>();
        DeviceCases.devices().forEach(d -> {
            for (double p : new double[] {2, 1, 3, Double.POSITIVE_INFINITY}) {
                for (double maxNorm : new double[] {0.5, 1e6}) {
                    out.add(Arguments.of(d, p, maxNorm));
                }
            }
        });
        return out.stream();
    }

    @ParameterizedTest(name = "{0} normType={1} maxNorm={2}")
    @MethodSource("norms")
    @CheckDevices
    void clipGradNormMatchesTheReference(Device device, double normType, double maxNorm) {
        var rnd = new SplittableRandom(7 + (long) maxNorm);
        int[][] shapes = {{3, 4}, {5}, {2, 1, 3}};
        List<Tensor> params = new ArrayList<>();
        List<float[]> grads = new ArrayList<>();
        for (int[] shape : shapes) {
            Tensor p = Tensor.zeros(device, shape).requiresGrad(true);
            float[] g = random(rnd, Arrays.stream(shape).reduce(1, (a, b) -> a * b));
            p.setGrad(Tensor.of(g, shape).to(device));
            params.add(p);
            grads.add(g);
        }
        Tensor noGrad = Tensor.zeros(device, 2).requiresGrad(true);
        params.add(1, noGrad);

        // torch.nn.utils.clip_grad_norm_ in double: the norm of all gradients as one vector.
        double total = 0;
        for (float[] g : grads) {
            for (float x : g) {
                total = Double.isInfinite(normType) ? Math.max(total, Math.abs(x))
                        : total + Math.pow(Math.abs(x), normType);
            }
        }
        if (!Double.isInfinite(normType)) {
            total = Math.pow(total, 1 / normType);
        }
        double coef = Math.min(1, maxNorm / (total + 1e-6));

        Tensor got = ClipGrad.clipGradNorm_(params, maxNorm, normType, true);
        assertEquals(0, got.dim(), "the total norm is a 0-d tensor");
        assertEquals(device, got.device());
        assertEquals(total, got.item(), 1e-5 * total);
        int k = 0;
        for (Tensor p : params) {
            if (p == noGrad) {
                assertNull(p.grad(), "a parameter without a gradient keeps none");
                continue;
            }
            float[] g = grads.get(k++);
            float[] clipped = p.grad().toFloatArray();
            for (int i = 0; i < g.length; i++) {
                double want = g[i] * coef;
                if (!(Math.abs(clipped[i] - want) <= 1e-6 * (1 + Math.abs(want)))) {
                    fail("grad[" + i + "] = " + clipped[i] + ", reference " + want);
                }
            }
        }
        if (maxNorm < total) {
            assertEquals(maxNorm, ClipGrad.clipGradNorm_(params, 1e6, normType, false).item(), 1e-5,
                    "after clipping, the total norm is maxNorm");
        }
    }

    @ParameterizedTest
    @DevicesSource
    void aNonfiniteNormIsAnErrorOnlyWhenAskedAndTheGradientsAreThenUnchanged(Device device) {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            Tensor a = Tensor.zeros(device, 2).requiresGrad(true);
            Tensor b = Tensor.zeros(device, 3).requiresGrad(true);
            a.setGrad(Tensor.of(new float[] {3f, 4f}).to(device));
            b.setGrad(Tensor.of(new float[] {1f, bad, 2f}).to(device));
            for (double normType : new double[] {2, Double.POSITIVE_INFINITY}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> ClipGrad.clipGradNorm_(List.of(a, b), 1.0, normType, true));
                assertTrue(e.getMessage().startsWith("clip_grad_norm_:") && e.getMessage().contains("non-finite")
                        && e.getMessage().contains(Float.toString(bad)), e.getMessage());
                assertArrayEquals(new float[] {3f, 4f}, a.grad().toFloatArray(), "unchanged after the error");
            }
            // Without the check, PyTorch scales by max/(inf+1e-6) = 0 (or NaN) and returns the norm.
            float total = ClipGrad.clipGradNorm_(List.of(a, b), 1.0).item();
            assertTrue(!Float.isFinite(total), "the non-finite total is returned: " + total);
        }
    }

    @ParameterizedTest
    @DevicesSource
    void clipGradValueClampsEachGradient(Device device) {
        var rnd = new SplittableRandom(11);
        float[] g = random(rnd, 50);
        g[3] = Float.NaN;
        g[4] = Float.NEGATIVE_INFINITY;
        Tensor p = Tensor.zeros(device, 50).requiresGrad(true);
        Tensor q = Tensor.zeros(device, 4).requiresGrad(true);
        p.setGrad(Tensor.of(g).to(device));
        ClipGrad.clipGradValue_(List.of(q, p), 0.75);
        float[] got = p.grad().toFloatArray();
        for (int i = 0; i < g.length; i++) {
            float want = Float.isNaN(g[i]) ? Float.NaN : Math.min(Math.max(g[i], -0.75f), 0.75f);
            assertEquals(want, got[i], "grad[" + i + "]");
        }
        assertNull(q.grad());
    }

    @org.junit.jupiter.api.Test
    @RequiresCuda
    void gradientsOnTwoDevicesAreClippedWhereTheyAreWithTheTotalOnTheFirstsDevice() {
        Tensor a = Tensor.zeros(Device.cuda(0), 2).requiresGrad(true);
        Tensor b = Tensor.zeros(3).requiresGrad(true);
        a.setGrad(Tensor.of(new float[] {3f, -4f}).to(Device.cuda(0)));
        b.setGrad(Tensor.of(new float[] {0f, 12f, 0f}));
        // Total 2-norm sqrt(9 + 16 + 144) = 13; coef = 6.5 / (13 + 1e-6).
        Tensor total = ClipGrad.clipGradNorm_(List.of(a, b), 6.5);
        assertEquals(Device.cuda(0), total.device());
        assertEquals(13f, total.item(), 1e-5f);
        double coef = 6.5 / (13 + 1e-6);
        assertArrayEquals(new float[] {(float) (3 * coef), (float) (-4 * coef)}, a.grad().toFloatArray(), 1e-6f);
        assertEquals(Device.cuda(0), a.grad().device());
        assertArrayEquals(new float[] {0f, (float) (12 * coef), 0f}, b.grad().toFloatArray(), 1e-6f);
        assertEquals(Device.CPU, b.grad().device());
    }

    @org.junit.jupiter.api.Test
    void withoutGradientsTheNormIsZeroAndNullIsNamed() {
        Tensor p = Tensor.zeros(3).requiresGrad(true);
        assertEquals(0f, ClipGrad.clipGradNorm_(List.of(p), 1.0).item());
        assertEquals(0f, ClipGrad.clipGradNorm_(List.of(), 1.0).item());
        NullPointerException e = assertThrows(NullPointerException.class, () -> ClipGrad.clipGradNorm_(null, 1.0));
        assertEquals("clip_grad_norm_: parameters is null", e.getMessage());
        List<Tensor> withNull = new ArrayList<>();
        withNull.add(null);
        e = assertThrows(NullPointerException.class, () -> ClipGrad.clipGradValue_(withNull, 1.0));
        assertEquals("clip_grad_value_: parameters holds null", e.getMessage());
        p.setGrad(Tensor.of(new float[] {1f, 2f, 2f}));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> ClipGrad.clipGradNorm_(List.of(p), 1.0, Double.NaN, false));
        assertTrue(bad.getMessage().contains("normType"), bad.getMessage());
        Tensor m = Tensor.zeros(Device.META, 3).requiresGrad(true);
        m.setGrad(Tensor.zeros(Device.META, 3));
        Tensor total = ClipGrad.clipGradNorm_(List.of(m), 1.0, 2, true);
        assertEquals(Device.META, total.device(), "meta: shapes only, the check cannot read a value");
        assertEquals(0, total.dim());
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextDouble() * 4 - 2);
        }
        return x;
    }
}
