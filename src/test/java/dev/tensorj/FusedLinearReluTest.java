package dev.tensorj;

import static dev.tensorj.GradCheck.check;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.junit.DevicesSource;
import dev.tensorj.junit.Placement;
import dev.tensorj.nn.Linear;
import dev.tensorj.nn.Module;
import dev.tensorj.nn.ReLU;
import dev.tensorj.nn.Sequential;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * {@code linearRelu}: a layer's bias add and ReLU in one pass over the product. Bit for bit the
 * two ops it replaces, forward and backward (NaN, ±Inf and -0 included), against the double
 * reference and finite differences, on every device; Sequential runs a Linear followed by a ReLU
 * as this one op, and only when both are exactly those classes.
 */
class FusedLinearReluTest {

    private static float[] randomWithSpecials(Random rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rng.nextGaussian();
        }
        float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f};
        for (int i = 0; i < specials.length && 3 * i < n; i++) {
            v[3 * i] = specials[i];
        }
        return v;
    }

    private static int[] bits(Tensor t) {
        float[] v = t.toFloatArray();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Float.floatToIntBits(v[i]);
        }
        return out;
    }

    @ParameterizedTest
    @DevicesSource
    void valuesAndGradientsAreThoseOfReluOfLinearBitForBit(Device d) {
        Random rng = new Random(17);
        for (int[] xs : new int[][] {{7, 5}, {5}, {2, 3, 5}, {0, 5}}) {
            for (boolean withBias : new boolean[] {true, false}) {
                String what = Arrays.toString(xs) + (withBias ? " with bias" : " without bias");
                float[] xv = randomWithSpecials(rng, Nd.numel(xs));
                float[] wv = randomWithSpecials(rng, 6 * 5);
                float[] bv = randomWithSpecials(rng, 6);
                Tensor[] fused = leaves(d, xs, xv, wv, withBias ? bv : null);
                Tensor[] plain = leaves(d, xs, xv, wv, withBias ? bv : null);
                Tensor y = Functional.linearRelu(fused[0], fused[1], fused[2]);
                Tensor z = Functional.relu(Functional.linear(plain[0], plain[1], plain[2]));
                assertArrayEquals(bits(z), bits(y), what + ": forward");
                float[] gv = new float[(int) y.numel()];
                for (int i = 0; i < gv.length; i++) {
                    gv[i] = (float) rng.nextGaussian();
                }
                Tensor g = Tensor.of(gv).reshape(y.shape()).to(d);
                y.backward(g, false);
                z.backward(g, false);
                for (int i = 0; i < 3; i++) {
                    if (fused[i] != null) {
                        assertArrayEquals(bits(plain[i].grad()), bits(fused[i].grad()), what + ": gradient " + i);
                    }
                }
            }
        }
    }

    private static Tensor[] leaves(Device d, int[] xs, float[] x, float[] w, float[] b) {
        return new Tensor[] {Tensor.of(x).reshape(xs).to(d).requiresGrad(true),
            Tensor.of(w).reshape(6, 5).to(d).requiresGrad(true),
            b == null ? null : Tensor.of(b).to(d).requiresGrad(true)};
    }

    @ParameterizedTest
    @DevicesSource
    void gradientsMatchFiniteDifferencesInDouble(Device d) {
        Random rng = new Random(29);
        Nd w = Nd.randn(rng, 4, 3);
        Nd b = Nd.randn(rng, 4);
        for (int[] xs : new int[][] {{6, 3}, {3}, {2, 5, 3}}) {
            Nd x = Nd.randn(rng, xs);
            check("linear_relu " + Arrays.toString(xs), d, 5, t -> Functional.linearRelu(t[0], t[1], t[2]),
                    r -> RefOps.relu(RefOps.linear(r[0], r[1], r[2])), x, w, b);
            check("linear_relu no bias " + Arrays.toString(xs), d, 6, t -> Functional.linearRelu(t[0], t[1], null),
                    r -> RefOps.relu(RefOps.linear(r[0], r[1], null)), x, w);
        }
    }

    @ParameterizedTest
    @DevicesSource
    void sequentialRunsALinearAndAReluAsOneOp(Device d) {
        Tensor.manualSeed(8);
        Sequential fused = new Sequential(new Linear(5, 8), new ReLU(), new Linear(8, 8), new ReLU(), new Linear(8, 3));
        fused.to(d);
        Tensor.manualSeed(8);
        // Exactly the same layers, with a ReLU subclass: not fused, two ops per pair.
        Sequential plain = new Sequential(new Linear(5, 8), new ReLU() {}, new Linear(8, 8), new ReLU() {},
                new Linear(8, 3));
        plain.to(d);
        Tensor x = Tensor.randn(d, 4, 5);
        long fusedOps = ops(d, () -> fused.forward(x).sum().mul(1f));
        long plainOps = ops(d, () -> plain.forward(x).sum().mul(1f));
        assertEquals(plainOps - 2, fusedOps, "two Linear+ReLU pairs ran as two ops, not four");
        Tensor yf = fused.forward(x);
        Tensor yp = plain.forward(x);
        assertArrayEquals(bits(yp), bits(yf));
        yf.sum().backward();
        yp.sum().backward();
        List<Tensor> fp = fused.parameters();
        List<Tensor> pp = plain.parameters();
        for (int i = 0; i < fp.size(); i++) {
            assertArrayEquals(bits(pp.get(i).grad()), bits(fp.get(i).grad()), "parameter " + i);
        }
        Module subclassed = new Sequential(new Linear(5, 8) {}, new ReLU());
        subclassed.to(d);
        long twoOps = ops(d, () -> subclassed.forward(x).sum().mul(1f));
        Module exact = new Sequential(new Linear(5, 8), new ReLU());
        exact.to(d);
        assertEquals(ops(d, () -> exact.forward(x).sum().mul(1f)) + 1, twoOps, "a Linear subclass is not fused");
    }

    private static long ops(Device d, Supplier<Tensor> f) {
        List<Tensor> keep = new ArrayList<>();
        return Placement.of(() -> keep.add(f.get())).on(d).ops();
    }

    @ParameterizedTest
    @DevicesSource
    void errorsNameTheLinearLayer(Device d) {
        Tensor x = Tensor.randn(d, 3, 4);
        Tensor w = Tensor.randn(d, 2, 5);
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> Functional.linearRelu(x, w, null));
        assertEquals("linear", e.op(), e.getMessage());
        Tensor onMeta = Tensor.randn(Device.META, 2, 4);
        DeviceMismatchException m = assertThrows(DeviceMismatchException.class,
                () -> Functional.linearRelu(x, onMeta, null));
        assertEquals("linear", m.op(), m.getMessage());
    }

    @ParameterizedTest
    @DevicesSource
    void onMetaItGivesTheShape(Device d) {
        Tensor y = Functional.linearRelu(Tensor.randn(Device.META, 2, 3, 4), Tensor.randn(Device.META, 5, 4),
                Tensor.randn(Device.META, 5));
        assertArrayEquals(new int[] {2, 3, 5}, y.shape());
        assertEquals(Device.META, y.device());
    }
}
