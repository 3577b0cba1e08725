package dev.tensorj;

import static dev.tensorj.Approx.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tensorj.junit.CheckDevices;
import dev.tensorj.junit.DeviceCases;
import dev.tensorj.junit.DevicesSource;
import dev.tensorj.junit.Placement;
import dev.tensorj.junit.RequiresCuda;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * pow with a tensor exponent (and a scalar base), maximum/minimum, clamp out of place (scalar and
 * tensor bounds), rsub and rdiv: values against double references with broadcasting and special
 * values, gradients against finite differences and PyTorch's masks and tie rules, the CPU against
 * CUDA bit for bit, meta shapes, typed errors; and the fused backward kernels of the activations.
 */
class ElementwiseBinaryOpsTest {
    private static final float NAN = Float.NaN;
    private static final float INF = Float.POSITIVE_INFINITY;

    /** C's pow (torch.pow): pow(1, y) = 1 and pow(-1, ±inf) = 1, where Java's Math.pow gives NaN. */
    static double cpow(double a, double b) {
        return a == 1 || (a == -1 && Double.isInfinite(b)) ? 1 : Math.pow(a, b);
    }

    private static Tensor on(Device device, float... v) {
        return Tensor.of(v, v.length).to(device);
    }

    /** Bases of both signs and exponents that are integers a third of the time (so negative bases give numbers). */
    private static Nd[] powOperands(Random rng, int[] sa, int[] sb) {
        Nd a = Nd.randn(rng, sa).map(v -> (float) (v * 2));
        Nd b = Nd.randn(rng, sb).map(v -> (float) (v * 2));
        for (int i = 0; i < b.v.length; i += 3) {
            b.v[i] = Math.round(b.v[i]);
        }
        return new Nd[] {a, b};
    }

    // ------------------------------------------------------------ values, broadcasting

    @ParameterizedTest
    @DevicesSource
    void binaryOpsBroadcastAgainstDoubleReferences(Device device) {
        Random rng = new Random(31);
        Map<String, BinaryOperator<Tensor>> ops = new LinkedHashMap<>();
        ops.put("maximum", Tensor::maximum);
        ops.put("minimum", Tensor::minimum);
        for (int[][] c : ElementwiseOpsTest.BROADCAST_CASES) {
            String shapes = " " + Arrays.toString(c[0]) + " " + Arrays.toString(c[1]) + " on " + device;
            Nd[] p = powOperands(rng, c[0], c[1]);
            assertClose("pow" + shapes, p[0].tensor(device).pow(p[1].tensor(device)),
                    RefOps.binary(p[0], p[1], ElementwiseBinaryOpsTest::cpow));
            Nd a = Nd.randn(rng, c[0]);
            Nd b = Nd.randn(rng, c[1]);
            assertClose("maximum" + shapes, a.tensor(device).maximum(b.tensor(device)), RefOps.binary(a, b, Math::max));
            assertClose("minimum" + shapes, a.tensor(device).minimum(b.tensor(device)), RefOps.binary(a, b, Math::min));
            Nd lo = b.map(v -> v - 0.5);
            Nd hi = b.map(v -> v + 0.5);
            assertClose("clamp" + shapes, a.tensor(device).clamp(lo.tensor(device), hi.tensor(device)),
                    RefOps.binary(RefOps.binary(a, lo, Math::max), hi, Math::min));
            assertClose("clamp min only" + shapes, a.tensor(device).clamp(lo.tensor(device), null),
                    RefOps.binary(a, lo, Math::max));
            assertClose("clamp max only" + shapes, a.tensor(device).clamp(null, hi.tensor(device)),
                    RefOps.binary(a, hi, Math::min));
        }
    }

    @ParameterizedTest
    @DevicesSource
    void clampBroadcastsAllThreeOperands(Device device) {
        Random rng = new Random(32);
        Nd x = Nd.randn(rng, 3, 1);
        Nd lo = Nd.randn(rng, 1, 4).map(v -> v - 0.5);
        Nd hi = Nd.randn(rng, 2, 1, 1).map(v -> v + 0.5);
        assertClose("clamp [3,1] [1,4] [2,1,1]", x.tensor(device).clamp(lo.tensor(device), hi.tensor(device)),
                RefOps.binary(RefOps.binary(x, lo, Math::max), hi, Math::min));
    }

    @ParameterizedTest
    @DevicesSource
    void scalarFormsAgainstDoubleReferences(Device device) {
        Random rng = new Random(33);
        Nd a = Nd.randn(rng, 4, 5);
        Nd away = Nd.randnAwayFromZero(rng, 0.2, 4, 5);
        Tensor x = a.tensor(device);
        assertClose("rsub", x.rsub(1.75f), a.map(v -> 1.75f - v));
        assertClose("rdiv", away.tensor(device).rdiv(-2.5f), away.map(v -> -2.5f / v));
        assertClose("pow(2.5, x)", Tensor.pow(2.5f, x), a.map(v -> Math.pow(2.5f, v)));
        assertClose("pow(0.3, x)", Tensor.pow(0.3f, x), a.map(v -> Math.pow(0.3f, v)));
        assertClose("clamp", x.clamp(-0.4f, 0.7f), a.map(v -> Math.min(Math.max(v, -0.4f), 0.7f)));
        assertClose("clampMin", x.clampMin(0.1f), a.map(v -> Math.max(v, 0.1f)));
        assertClose("clampMax", x.clampMax(-0.2f), a.map(v -> Math.min(v, -0.2f)));
        assertClose("clamp min > max is max", x.clamp(0.5f, -0.5f), a.map(v -> -0.5f));
        Nd z = Nd.randn(rng); // 0-d
        assertClose("0-d rsub", z.tensor(device).rsub(2f), z.map(v -> 2f - v));
    }

    @ParameterizedTest
    @DevicesSource
    void specialValuesFollowPyTorch(Device device) {
        Tensor a = on(device, 1f, NAN, 2f, 0f, -0f, INF, -INF, 3f);
        Tensor b = on(device, NAN, 1f, 2f, -0f, 0f, 5f, 5f, INF);
        // NaN in either wins; +0 is above -0; infinities order as numbers
        assertBits(new float[] {NAN, NAN, 2f, 0f, 0f, INF, 5f, INF}, a.maximum(b), "maximum");
        assertBits(new float[] {NAN, NAN, 2f, -0f, -0f, 5f, -INF, 3f}, a.minimum(b), "minimum");
        Tensor x = on(device, NAN, INF, -INF, -3f, 0.25f, 3f);
        assertBits(new float[] {NAN, 1f, -1f, -1f, 0.25f, 1f}, x.clamp(-1f, 1f), "clamp");
        assertBits(new float[] {NAN, 1f, 1f, 1f, 1f, 1f}, x.clamp(2f, 1f), "clamp with min > max");
        assertBits(new float[] {NAN, INF, -INF, -3f, 0.25f, 3f}, x.clamp(Float.NEGATIVE_INFINITY, INF), "no bound");
        assertBits(new float[] {NAN, NAN, NAN, NAN, NAN, NAN}, x.clamp(NAN, 1f), "NaN bound");
        Tensor nanBound = on(device, NAN, 0f, 0f, 0f, 0f, 0f);
        assertBits(new float[] {NAN, INF, 0f, 0f, 0.25f, 3f}, x.clamp(nanBound, null), "NaN tensor bound");
        assertBits(new float[] {NAN, -INF, INF, 3f, -0.25f, -3f}, x.rsub(0f), "rsub");
        Tensor d = on(device, 0f, -0f, INF, 2f);
        assertBits(new float[] {INF, -INF, 0f, 0.5f}, d.rdiv(1f), "rdiv");
        // C's pow: 1^NaN = 1, x^0 = 1, (-1)^±inf = 1, 0^-1 = inf, (-8)^(1/3) = NaN
        Tensor base = on(device, 1f, NAN, -1f, 0f, -0f, -8f, 2f);
        Tensor exp = on(device, NAN, 0f, -INF, -1f, -1f, 1f / 3f, -INF);
        assertBits(new float[] {1f, 1f, 1f, INF, -INF, NAN, 0f}, base.pow(exp), "pow");
        assertBits(new float[] {1f, NAN, INF, 0.5f}, Tensor.pow(2f, on(device, 0f, NAN, INF, -1f)), "pow(2, e)");
        assertBits(new float[] {1f, 1f}, Tensor.pow(1f, on(device, NAN, INF)), "pow(1, e)");
    }

    private static void assertBits(float[] expected, Tensor actual, String what) {
        float[] got = actual.toFloatArray();
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(got[i])) {
                fail(what + " on " + actual.device() + ": element " + i + " is " + got[i] + ", expected " + expected[i]
                        + " (got " + Arrays.toString(got) + ")");
            }
        }
    }

    @ParameterizedTest
    @DevicesSource
    void zeroSizeAndSizeOneDims(Device device) {
        Tensor empty = Tensor.zeros(0, 3).to(device);
        Tensor row = on(device, 1f, 2f, 3f).reshape(1, 3);
        assertArrayEquals(new int[] {0, 3}, empty.pow(row).shape());
        assertArrayEquals(new int[] {0, 3}, row.maximum(empty).shape());
        assertArrayEquals(new int[] {0, 3}, empty.minimum(row).shape());
        assertArrayEquals(new int[] {0, 3}, empty.clamp(row, null).shape());
        assertArrayEquals(new int[] {0, 3}, empty.clamp(-1f, 1f).shape());
        assertArrayEquals(new int[] {0, 3}, empty.rsub(1f).rdiv(1f).shape());
        assertArrayEquals(new int[] {0, 3}, Tensor.pow(2f, empty).shape());
        Tensor e = Tensor.zeros(0, 3).to(device).requiresGrad(true);
        e.maximum(row).pow(row).clamp(0f, 1f).sum().backward();
        assertArrayEquals(new int[] {0, 3}, e.grad().shape());
        Tensor one = on(device, 2f).reshape(1, 1);
        assertClose("[1,1] ^ [3]", one.pow(on(device, 1f, 2f, 3f)), new Nd(new double[] {2, 4, 8}, 1, 3));
    }

    // ------------------------------------------------------------ gradients

    @ParameterizedTest
    @DevicesSource
    void gradientsMatchFiniteDifferences(Device device) {
        Random rng = new Random(41);
        for (int[][] c : List.of(new int[][] {{3, 4}, {4}}, new int[][] {{3, 1}, {1, 4}}, new int[][] {{}, {2, 3}})) {
            String shapes = " " + Arrays.toString(c[0]) + " " + Arrays.toString(c[1]);
            Nd base = Nd.randnPositive(rng, 0.3, c[0]);
            Nd exp = Nd.randn(rng, c[1]);
            GradCheck.check("pow" + shapes, device, 42, t -> t[0].pow(t[1]),
                    r -> RefOps.binary(r[0], r[1], Math::pow), base, exp);
            Nd a = Nd.randn(rng, c[0]);
            Nd b = Nd.randn(rng, c[1]);
            GradCheck.check("maximum" + shapes, device, 43, t -> t[0].maximum(t[1]),
                    r -> RefOps.binary(r[0], r[1], Math::max), a, b);
            GradCheck.check("minimum" + shapes, device, 44, t -> t[0].minimum(t[1]),
                    r -> RefOps.binary(r[0], r[1], Math::min), a, b);
        }
        Nd x = Nd.randn(rng, 3, 4).map(v -> (float) (v * 2));
        Nd lo = Nd.randn(rng, 4).map(v -> (float) (v - 1));
        Nd hi = Nd.randn(rng, 3, 1).map(v -> (float) (v + 1)); // min > max somewhere too
        GradCheck.check("clamp tensors", device, 45, t -> t[0].clamp(t[1], t[2]),
                r -> RefOps.binary(RefOps.binary(r[0], r[1], Math::max), r[2], Math::min), x, lo, hi);
        GradCheck.check("clamp min tensor", device, 46, t -> t[0].clamp(t[1], null),
                r -> RefOps.binary(r[0], r[1], Math::max), x, lo);
        GradCheck.check("clamp max tensor", device, 47, t -> t[0].clamp(null, t[1]),
                r -> RefOps.binary(r[0], r[1], Math::min), x, hi);
        GradCheck.check("clamp", device, 48, t -> t[0].clamp(-0.8f, 1.1f),
                r -> r[0].map(v -> Math.min(Math.max(v, -0.8f), 1.1f)), x);
        GradCheck.check("clampMin", device, 49, t -> t[0].clampMin(0.3f), r -> r[0].map(v -> Math.max(v, 0.3f)), x);
        GradCheck.check("clampMax", device, 50, t -> t[0].clampMax(0.3f), r -> r[0].map(v -> Math.min(v, 0.3f)), x);
        GradCheck.check("rsub", device, 51, t -> t[0].rsub(0.6f), r -> r[0].map(v -> 0.6f - v), x);
        Nd away = Nd.randnAwayFromZero(rng, 0.3, 3, 4);
        GradCheck.check("rdiv", device, 52, t -> t[0].rdiv(-1.5f), r -> r[0].map(v -> -1.5f / v), away);
        GradCheck.check("pow(2.5, x)", device, 53, t -> Tensor.pow(2.5f, t[0]), r -> r[0].map(v -> Math.pow(2.5f, v)), x);
        GradCheck.check("pow(0.4, x)", device, 54, t -> Tensor.pow(0.4f, t[0]), r -> r[0].map(v -> Math.pow(0.4f, v)), x);
    }

    @ParameterizedTest
    @DevicesSource
    void powGradientsUsePyTorchsMasks(Device device) {
        Tensor a = on(device, 0f, 0f, 0f, 2f, -2f, 0f).requiresGrad(true);
        Tensor b = on(device, 0f, 2f, -1f, 0f, 3f, 0.5f).requiresGrad(true);
        Tensor y = a.pow(b); // 1, 0, inf, 1, -8, 0
        y.backward(on(device, 1f, 1f, 1f, 1f, 1f, 1f), false);
        // d/da = b·a^(b-1), 0 where b == 0 (not 0·0^-1): 0, 2·0, -1·0^-2 = -inf, 0, 3·4, 0.5·0^-0.5 = inf
        assertBits(new float[] {0f, 0f, -INF, 0f, 12f, INF}, a.grad(), "d(a^b)/da");
        // d/db = a^b·ln a, 0 where a == 0 and b >= 0: 0, 0, inf·(-inf), ln 2, -8·ln(-2) = NaN, 0
        assertBits(new float[] {0f, 0f, -INF, (float) Math.log(2), NAN, 0f}, b.grad(), "d(a^b)/db");

        Tensor e = on(device, 0f, 2f, -1f, NAN).requiresGrad(true);
        Tensor.pow(0f, e).backward(on(device, 1f, 1f, 1f, 1f), false);
        // base 0: 0 where e >= 0, else 0^e·ln 0: inf·(-inf) = -inf; NaN stays NaN
        assertBits(new float[] {0f, 0f, -INF, NAN}, e.grad(), "d(0^e)/de");
        Tensor e2 = on(device, 0f, 1f, -2f).requiresGrad(true);
        Tensor.pow(2f, e2).backward(on(device, 1f, 3f, 1f), false);
        float ln2 = (float) Math.log(2);
        assertBits(new float[] {ln2, 3f * (2f * ln2), 0.25f * ln2}, e2.grad(), "d(2^e)/de");
        Tensor e3 = on(device, 1f).requiresGrad(true);
        Tensor.pow(-2f, e3).backward(on(device, 1f), false);
        assertTrue(Float.isNaN(e3.grad().toFloatArray()[0]), "a negative base's ln is NaN, as PyTorch's real log");
    }

    @ParameterizedTest
    @DevicesSource
    void maximumAndMinimumSplitTiesAndPassNan(Device device) {
        float[] av = {1f, 2f, 3f, NAN, 0f, -0f, 1f};
        float[] bv = {1f, 5f, 0f, 1f, -0f, 0f, NAN};
        float[] g = {4f, 4f, 4f, 4f, 4f, 4f, 4f};
        Tensor a = on(device, av).requiresGrad(true);
        Tensor b = on(device, bv).requiresGrad(true);
        a.maximum(b).backward(on(device, g), false);
        assertBits(new float[] {2f, 0f, 4f, 4f, 2f, 2f, 4f}, a.grad(), "d max/da");
        assertBits(new float[] {2f, 4f, 0f, 4f, 2f, 2f, 4f}, b.grad(), "d max/db");
        Tensor c = on(device, av).requiresGrad(true);
        Tensor d = on(device, bv).requiresGrad(true);
        c.minimum(d).backward(on(device, g), false);
        assertBits(new float[] {2f, 4f, 0f, 4f, 2f, 2f, 4f}, c.grad(), "d min/da");
        assertBits(new float[] {2f, 0f, 4f, 4f, 2f, 2f, 4f}, d.grad(), "d min/db");
        // a broadcast operand sums its share: max(x, 0-d 1) over x = [1, 1, 0, 2] gives 0.5 + 0.5 + 1 + 0
        Tensor s = Tensor.scalar(1f).to(device).requiresGrad(true);
        on(device, 1f, 1f, 0f, 2f).maximum(s).sum().backward();
        assertEquals(2f, s.grad().item());
    }

    @ParameterizedTest
    @DevicesSource
    void clampGradientsFollowPyTorchAtTheBoundsAndWhenMinExceedsMax(Device device) {
        // x inside, at min, at max, below, above, NaN, and with min > max
        float[] xv = {0.5f, 0f, 1f, -1f, 2f, NAN, 0.5f};
        float[] lov = {0f, 0f, 0f, 0f, 0f, 0f, 1f};
        float[] hiv = {1f, 1f, 1f, 1f, 1f, 1f, 0f};
        Tensor x = on(device, xv).requiresGrad(true);
        Tensor lo = on(device, lov).requiresGrad(true);
        Tensor hi = on(device, hiv).requiresGrad(true);
        Tensor y = x.clamp(lo, hi);
        assertBits(new float[] {0.5f, 0f, 1f, 0f, 1f, NAN, 0f}, y, "clamp");
        y.backward(on(device, 3f, 3f, 3f, 3f, 3f, 3f, 3f), false);
        assertBits(new float[] {3f, 3f, 3f, 0f, 0f, 0f, 0f}, x.grad(), "d/dx: min <= x <= max");
        assertBits(new float[] {0f, 0f, 0f, 3f, 0f, 0f, 0f}, lo.grad(), "d/dmin: x < min and min < max");
        assertBits(new float[] {0f, 0f, 0f, 0f, 3f, 0f, 3f}, hi.grad(), "d/dmax: x > max or max < min");
        // the scalar form and clamp_ share the rule: an infinite gradient outside the bounds gives 0
        Tensor s = on(device, xv).requiresGrad(true);
        s.clamp(0f, 1f).backward(on(device, INF, INF, INF, INF, INF, INF, INF), false);
        assertBits(new float[] {INF, INF, INF, 0f, 0f, 0f, INF}, s.grad(), "d clamp(x, 0, 1)/dx");
        Tensor m = on(device, xv).requiresGrad(true);
        m.clampMin(0.5f).backward(on(device, 1f, 1f, 1f, 1f, 1f, 1f, 1f), false);
        assertBits(new float[] {1f, 0f, 1f, 0f, 1f, 0f, 1f}, m.grad(), "d clampMin/dx");
        Tensor n = on(device, xv).requiresGrad(true);
        n.clampMax(0.5f).backward(on(device, 1f, 1f, 1f, 1f, 1f, 1f, 1f), false);
        assertBits(new float[] {1f, 1f, 0f, 1f, 0f, 0f, 1f}, n.grad(), "d clampMax/dx");
        Tensor w = on(device, xv).requiresGrad(true);
        w.clamp(1f, 0f).sum().backward();
        assertBits(new float[] {0f, 0f, 0f, 0f, 0f, 0f, 0f}, w.grad(), "min > max: no gradient to x");
    }

    @ParameterizedTest
    @DevicesSource
    void rulesReadingSavedValuesRefuseAnOverwrittenInput(Device device) {
        Tensor a = on(device, 1.5f, 2f).requiresGrad(true);
        Tensor b = on(device, 0.5f, 3f);
        Tensor y = a.mul(1f).pow(b); // saves a·1, b and y
        b.mul_(2f);
        assertThrows(IllegalStateException.class, () -> y.sum().backward());
        Tensor e = on(device, 1.5f, 2f).requiresGrad(true);
        Tensor p = Tensor.pow(3f, e);
        p.mul_(2f);
        assertThrows(IllegalStateException.class, () -> p.sum().backward());
    }

    // ------------------------------------------------------------ the fused backward kernels

    static List<Object[]> activations() {
        return List.of(
                new Object[] {"sigmoid", (UnaryOperator<Tensor>) Tensor::sigmoid},
                new Object[] {"tanh", (UnaryOperator<Tensor>) Tensor::tanh},
                new Object[] {"silu", (UnaryOperator<Tensor>) Tensor::silu},
                new Object[] {"gelu", (UnaryOperator<Tensor>) Tensor::gelu},
                new Object[] {"gelu tanh", (UnaryOperator<Tensor>) t -> t.gelu("tanh")},
                new Object[] {"relu", (UnaryOperator<Tensor>) Tensor::relu});
    }

    static List<Object[]> activationsOnDevices() {
        return DeviceCases.devices().flatMap(d -> activations().stream()
                .map(a -> new Object[] {d, a[0], a[1]})).toList();
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("activationsOnDevices")
    @CheckDevices
    void anActivationsBackwardIsOneKernelAndOneAllocation(Device device, String name, UnaryOperator<Tensor> f) {
        Tensor x = Nd.randn(new Random(61), 64, 33).tensor(device).requiresGrad(true);
        Tensor y = f.apply(x);
        Tensor g = Nd.randn(new Random(62), 64, 33).tensor(device);
        Counters.Snapshot step = Placement.of(() -> y.backward(g, false)).on(device);
        assertEquals(1, step.launches(), name + ": kernel launches of one backward");
        assertEquals(1, step.allocations(), name + ": allocations of one backward (the gradient itself)");
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("activationsOnDevices")
    @CheckDevices
    void fusedBackwardKeepsEdgeValues(Device device, String name, UnaryOperator<Tensor> f) {
        // saturated tails give 0 or g exactly, a zero gradient gives 0, NaN input gives NaN
        Tensor x = on(device, -100f, 100f, 0f, NAN, 1f).requiresGrad(true);
        f.apply(x).backward(on(device, 2f, 2f, 2f, 2f, 0f), false);
        float[] gx = x.grad().toFloatArray();
        boolean reluAtNan = name.equals("relu"); // threshold_backward passes g where x is NaN
        assertEquals(0f, gx[0], 1e-30f, name + " at -100");
        assertEquals(name.equals("sigmoid") || name.equals("tanh") ? 0f : 2f, gx[1], 1e-6f, name + " at 100");
        assertTrue(reluAtNan ? gx[3] == 2f : Float.isNaN(gx[3]), name + " at NaN: " + gx[3]);
        assertEquals(0f, gx[4], name + " with a zero gradient");
    }

    // ------------------------------------------------------------ cpu against cuda

    /** Random values with ties, signed zeros, infinities and NaN mixed in. */
    private static float[] mixed(long seed, int n) {
        Random rng = new Random(seed);
        float[] v = new float[n];
        float[] specials = {0f, -0f, INF, -INF, NAN, 1f, -1f};
        for (int i = 0; i < n; i++) {
            v[i] = i % 11 == 0 ? specials[(i / 11) % specials.length] : (float) (rng.nextGaussian() * 2);
        }
        return v;
    }

    @Test
    @RequiresCuda
    void cpuAndCudaGiveTheSameBits() {
        float[] av = mixed(71, 600);
        float[] bv = mixed(72, 600);
        bv[5] = av[5]; // ties
        bv[17] = av[17];
        Map<String, BinaryOperator<Tensor>> exact = new LinkedHashMap<>();
        exact.put("maximum", Tensor::maximum);
        exact.put("minimum", Tensor::minimum);
        exact.put("clamp", (a, b) -> a.clamp(b, b.add(0.5f)));
        exact.put("clamp scalar", (a, b) -> a.clamp(-0.5f, 0.75f).mul(b));
        exact.put("rsub rdiv", (a, b) -> a.rsub(0.25f).rdiv(3f).mul(b));
        Map<String, BinaryOperator<Tensor>> close = new LinkedHashMap<>();
        close.put("pow", Tensor::pow);
        close.put("pow scalar base", (a, b) -> Tensor.pow(1.7f, a).mul(b));
        close.put("sigmoid", (a, b) -> a.sigmoid().mul(b)); // the forwards differ by an ulp (CPU in double)
        close.put("tanh", (a, b) -> a.tanh().mul(b));
        close.put("silu", (a, b) -> a.silu().mul(b));
        close.put("gelu", (a, b) -> a.gelu().mul(b));
        close.put("gelu tanh", (a, b) -> a.gelu("tanh").mul(b));
        for (boolean bits : new boolean[] {true, false}) {
            for (var op : (bits ? exact : close).entrySet()) {
                float[][] cpu = run(op.getValue(), Device.CPU, av, bv);
                float[][] cuda = run(op.getValue(), Device.cuda(0), av, bv);
                for (int k = 0; k < 3; k++) {
                    String what = op.getKey() + (k == 0 ? " value" : k == 1 ? " d/da" : " d/db");
                    // relative to the largest finite value too: y·(1 - y) loses relative accuracy
                    // where y rounds near 1, so an ulp between the forwards grows there (as PyTorch's)
                    double scale = 0;
                    for (float v : cpu[k]) {
                        scale = Float.isFinite(v) ? Math.max(scale, Math.abs(v)) : scale;
                    }
                    for (int i = 0; i < av.length; i++) {
                        float c = cpu[k][i];
                        float g = cuda[k][i];
                        boolean ok = bits ? Float.floatToIntBits(c) == Float.floatToIntBits(g)
                                : Float.isNaN(c) ? Float.isNaN(g)
                                : c == g || Math.abs(c - g) <= 1e-5 * (Math.abs(c) + scale) + Float.MIN_NORMAL;
                        if (!ok) {
                            fail(what + " at a = " + av[i] + ", b = " + bv[i] + ": cpu " + c + ", cuda " + g);
                        }
                    }
                }
            }
        }
    }

    /** The value and both gradients (seeded by a fixed random gradient) on {@code device}. */
    private static float[][] run(BinaryOperator<Tensor> f, Device device, float[] av, float[] bv) {
        Tensor a = Tensor.of(av, av.length).to(device).requiresGrad(true);
        Tensor b = Tensor.of(bv, bv.length).to(device).requiresGrad(true);
        Tensor y = f.apply(a, b);
        y.backward(Nd.randn(new Random(73), av.length).tensor(device), false);
        return new float[][] {y.toFloatArray(), a.grad().toFloatArray(), b.grad().toFloatArray()};
    }

    // ------------------------------------------------------------ meta and errors

    @Test
    void metaTensorsGetShapesAndGradientShapes() {
        Tensor a = Tensor.randn(Device.META, 3, 1).requiresGrad(true);
        Tensor b = Tensor.randn(Device.META, 1, 4).requiresGrad(true);
        Tensor c = Tensor.randn(Device.META, 2, 1, 1).requiresGrad(true);
        List<Tensor> outs = List.of(a.pow(b), a.maximum(b), a.minimum(b), a.clamp(b, c), a.clamp(null, b),
                Tensor.pow(2f, a), a.rsub(1f), a.rdiv(1f), a.clamp(0f, 1f), a.clampMin(0f), a.clampMax(1f));
        int[][] shapes = {{3, 4}, {3, 4}, {3, 4}, {2, 3, 4}, {3, 4}, {3, 1}, {3, 1}, {3, 1}, {3, 1}, {3, 1}, {3, 1}};
        Tensor total = null;
        for (int i = 0; i < outs.size(); i++) {
            assertEquals(Device.META, outs.get(i).device());
            assertArrayEquals(shapes[i], outs.get(i).shape(), "output " + i);
            total = total == null ? outs.get(i).sum() : total.add(outs.get(i).sum());
        }
        total.backward();
        assertArrayEquals(new int[] {3, 1}, a.grad().shape());
        assertArrayEquals(new int[] {1, 4}, b.grad().shape());
        assertArrayEquals(new int[] {2, 1, 1}, c.grad().shape());
    }

    @ParameterizedTest
    @DevicesSource
    void errorsAreTypedNameTheOpAndAllocateNothing(Device device) {
        Tensor x = Tensor.randn(3).to(device);
        Tensor four = Tensor.randn(4).to(device);
        Tensor meta = Tensor.randn(Device.META, 3);
        Tensor ints = Tensor.zeros(device, DType.INT64, 3);
        Map<Executable, Class<? extends TensorjException>> bad = new LinkedHashMap<>();
        bad.put(() -> x.pow(four), ShapeMismatchException.class);
        bad.put(() -> x.maximum(four), ShapeMismatchException.class);
        bad.put(() -> x.clamp(four, null), ShapeMismatchException.class);
        bad.put(() -> x.clamp(null, four), ShapeMismatchException.class);
        bad.put(() -> x.minimum(meta), DeviceMismatchException.class);
        bad.put(() -> x.clamp(x, meta), DeviceMismatchException.class);
        bad.put(() -> x.pow(meta), DeviceMismatchException.class);
        bad.put(() -> Tensor.pow(2f, ints), DTypeMismatchException.class);
        bad.put(() -> ints.rsub(1f), DTypeMismatchException.class);
        bad.put(() -> ints.rdiv(1f), DTypeMismatchException.class);
        bad.put(() -> ints.clamp(0f, 1f), DTypeMismatchException.class);
        bad.put(() -> x.clamp(ints, null), DTypeMismatchException.class);
        bad.put(() -> ints.maximum(ints), DTypeMismatchException.class);
        List<String> ops = List.of("pow", "maximum", "clamp", "clamp", "minimum", "clamp", "pow", "pow", "rsub", "rdiv",
                "clamp", "clamp", "maximum");
        int i = 0;
        for (var e : bad.entrySet()) {
            TensorjException[] thrown = new TensorjException[1];
            String what = "case " + i;
            Placement p = Placement.of(() -> thrown[0] = assertThrows(e.getValue(), e.getKey(), what));
            TensorjException ex = thrown[0];
            assertEquals(ops.get(i), ex.op(), ex.getMessage());
            assertTrue(ex.getMessage().startsWith(ops.get(i) + ": "), ex.getMessage());
            assertEquals(0, p.on(device).allocations(), what + " allocated");
            i++;
        }
        DTypeMismatchException d = assertThrows(DTypeMismatchException.class, () -> Tensor.pow(2f, ints));
        assertEquals(List.of("exponent"), d.roles());
        ShapeMismatchException s = assertThrows(ShapeMismatchException.class, () -> x.pow(four));
        assertTrue(s.getMessage().contains("[3]") && s.getMessage().contains("[4]"), s.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> x.clamp(null, null));
        assertTrue(none.getMessage().startsWith("clamp: "), none.getMessage());
    }

    @Test
    void anInt64ExponentIsPromotedAndGetsNoGradient() {
        Tensor a = Tensor.of(new float[] {1.5f, 2f, -3f}, 3).requiresGrad(true);
        Tensor e = Tensor.of(new long[] {2, 3, 2}, 3);
        Tensor y = a.pow(e);
        assertArrayEquals(new float[] {2.25f, 8f, 9f}, y.toFloatArray());
        y.sum().backward();
        assertArrayEquals(new float[] {3f, 12f, -6f}, a.grad().toFloatArray());
    }
}
