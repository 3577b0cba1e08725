package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tensorj.junit.CheckDevices;
import dev.tensorj.junit.DeviceCases;
import dev.tensorj.junit.DevicesSource;
import dev.tensorj.junit.RequiresCuda;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The elementwise math ops (exp, log, ..., gelu): values against a double-precision reference on
 * random inputs and special values, gradients against finite differences, meta shapes, dtype
 * rejection, and the CPU against CUDA.
 */
class UnaryMathTest {
    /** A few float ulps (6e-8 each): the kernels round once or use libm's few-ulp float functions. */
    private static final double RTOL = 2e-6;

    /** Where an op's gradient is checked: away from its kinks and poles. */
    enum Domain { ANY, POSITIVE, ABOVE_MINUS_HALF, AWAY_FROM_ZERO }

    record Op(String name, UnaryOperator<Tensor> f, DoubleUnaryOperator ref, Domain domain) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final double SQRT1_2 = Math.sqrt(0.5);
    static final double K = Math.sqrt(2 / Math.PI);

    static List<Op> ops() {
        return List.of(
                new Op("exp", Tensor::exp, Math::exp, Domain.ANY),
                new Op("log", Tensor::log, Math::log, Domain.POSITIVE),
                new Op("log1p", Tensor::log1p, Math::log1p, Domain.ABOVE_MINUS_HALF),
                new Op("expm1", Tensor::expm1, Math::expm1, Domain.ANY),
                new Op("sqrt", Tensor::sqrt, Math::sqrt, Domain.POSITIVE),
                new Op("rsqrt", Tensor::rsqrt, x -> 1 / Math.sqrt(x), Domain.POSITIVE),
                new Op("abs", Tensor::abs, Math::abs, Domain.AWAY_FROM_ZERO),
                new Op("sign", Tensor::sign, Math::signum, Domain.AWAY_FROM_ZERO),
                new Op("tanh", Tensor::tanh, Math::tanh, Domain.ANY),
                new Op("sigmoid", Tensor::sigmoid, UnaryMathTest::sigmoid, Domain.ANY),
                new Op("silu", Tensor::silu, x -> x * sigmoid(x), Domain.ANY),
                new Op("gelu", Tensor::gelu, x -> 0.5 * x * erfc(-x * SQRT1_2), Domain.ANY),
                new Op("gelu tanh", t -> t.gelu("tanh"), UnaryMathTest::geluTanh, Domain.ANY),
                new Op("sin", Tensor::sin, Math::sin, Domain.ANY),
                new Op("cos", Tensor::cos, Math::cos, Domain.ANY),
                new Op("reciprocal", Tensor::reciprocal, x -> 1 / x, Domain.AWAY_FROM_ZERO));
    }

    static List<Object[]> opsOnDevices() {
        return DeviceCases.devices().flatMap(d -> ops().stream().map(op -> new Object[] {d, op})).toList();
    }

    /** {@code 0.5·x·(1 + tanh u)}; where that cancels (u < -1), {@code x·e^(2u)/(1 + e^(2u))}. */
    static double geluTanh(double x) {
        double u = K * (x + 0.044715 * x * x * x);
        if (u >= -1 || Double.isNaN(u)) {
            return 0.5 * x * (1 + Math.tanh(u));
        }
        double e = Math.exp(2 * u);
        return x * e / (1 + e);
    }

    static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    /**
     * erfc in double, independent of the library's: the alternating Maclaurin series of erf for
     * |x| < 3 (cancellation costs ~1e-12 there, ample for float), the continued fraction beyond.
     */
    static double erfc(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        if (Math.abs(x) < 3) {
            double term = x;
            double sum = x;
            for (int n = 1; n < 200; n++) {
                term *= -x * x / n;
                sum += term / (2 * n + 1);
                if (Math.abs(term) < 1e-20) {
                    break;
                }
            }
            return 1 - 2 / Math.sqrt(Math.PI) * sum;
        }
        if (x < 0) {
            return 2 - erfc(-x);
        }
        if (x == Double.POSITIVE_INFINITY) {
            return 0;
        }
        double t = x;
        for (int k = 100; k >= 1; k--) {
            t = x + (k * 0.5) / t;
        }
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / t;
    }

    /** Random values, wide enough to cross the interesting ranges, and the special values. */
    static Nd inputs(long seed) {
        double[] specials = {0.0, -0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 1e-30, -1e-30,
            1e-7, -1e-7, 0.5, -0.5, 1, -1, 2, -2, 5, -5, 12, -12, 30, -30, 88.7, -88.7, 100, -100, 1000, -1000, 3e30, -3e30};
        Random rng = new Random(seed);
        double[] v = new double[specials.length + 200];
        System.arraycopy(specials, 0, v, 0, specials.length);
        for (int i = specials.length; i < v.length; i++) {
            v[i] = (float) (rng.nextGaussian() * 4);
        }
        for (int i = 0; i < specials.length; i++) {
            v[i] = (float) v[i];
        }
        return new Nd(v, 1, v.length);
    }

    /** NaN exactly where the reference is, infinities (in float) equal, else within RTOL (or both below the normal range). */
    static void assertMatches(String what, Tensor actual, Nd in, Nd ref) {
        assertArrayEquals(ref.shape, actual.shape(), what + ": shape");
        float[] x = actual.toFloatArray();
        for (int i = 0; i < x.length; i++) {
            double r = ref.v[i];
            boolean ok = Double.isNaN(r) ? Float.isNaN(x[i])
                    : Float.isInfinite((float) r) || Float.isInfinite(x[i]) ? x[i] == (float) r // overflow as float
                    : Math.abs(x[i] - r) <= RTOL * Math.abs(r) + Float.MIN_NORMAL;
            if (!ok) {
                fail(what + ": at x = " + (float) in.v[i] + " got " + x[i] + ", expected " + r);
            }
        }
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("opsOnDevices")
    @CheckDevices
    void valuesMatchADoubleReference(Device device, Op op) {
        Nd in = inputs(11);
        assertMatches(op.name(), op.f().apply(in.tensor(device)), in, in.map(op.ref()));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("opsOnDevices")
    @CheckDevices
    void gradientsMatchFiniteDifferences(Device device, Op op) {
        Random rng = new Random(op.name().hashCode());
        Nd x;
        switch (op.domain()) {
            case POSITIVE:
                x = Nd.randnPositive(rng, 0.3, 3, 5);
                break;
            case ABOVE_MINUS_HALF:
                x = Nd.randnPositive(rng, 0.2, 3, 5).map(v -> (float) (v - 0.7));
                break;
            case AWAY_FROM_ZERO:
                x = Nd.randnAwayFromZero(rng, 0.3, 3, 5);
                break;
            default:
                x = Nd.randn(rng, 3, 5).map(v -> (float) (v * 2.5));
        }
        GradCheck.check(op.name(), device, 7, xs -> op.f().apply(xs[0]), xs -> xs[0].map(op.ref()), x);
    }

    @ParameterizedTest
    @DevicesSource
    void specialValuesFollowPyTorch(Device device) {
        Tensor x = Tensor.of(new float[] {-1000f, 1000f, 0f, -0f, -1f, Float.NaN}, 6).to(device);
        float[] s = x.sigmoid().toFloatArray();
        assertEquals(0f, s[0]);
        assertEquals(1f, s[1]);
        assertEquals(0.5f, s[2]);
        assertTrue(Float.isNaN(s[5]), "sigmoid(NaN)");
        float[] log = x.log().toFloatArray();
        assertEquals(Float.NEGATIVE_INFINITY, log[2]);
        assertEquals(Float.NEGATIVE_INFINITY, log[3]);
        assertTrue(Float.isNaN(log[4]), "log(-1)");
        assertTrue(Float.isNaN(x.sqrt().toFloatArray()[4]), "sqrt(-1)");
        float[] rsqrt = x.rsqrt().toFloatArray();
        assertEquals(Float.POSITIVE_INFINITY, rsqrt[2]);
        assertEquals(Float.NEGATIVE_INFINITY, rsqrt[3]); // 1/sqrt(-0) = 1/-0, as C and PyTorch
        float[] abs = x.abs().toFloatArray();
        assertEquals(Float.floatToIntBits(0f), Float.floatToIntBits(abs[3]), "abs(-0) = +0");
        float[] sign = x.sign().toFloatArray();
        assertArrayEquals(new float[] {-1f, 1f, 0f, -0f, -1f, Float.NaN}, sign);
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(sign[3]), "sign(-0) = -0");
        float[] silu = x.silu().toFloatArray();
        assertEquals(-0f, silu[0]); // -1000·0
        assertEquals(1000f, silu[1]);
        float[] exp = x.exp().toFloatArray();
        assertEquals(0f, exp[0]);
        assertEquals(Float.POSITIVE_INFINITY, exp[1]);
        assertEquals(Float.NEGATIVE_INFINITY, x.reciprocal().toFloatArray()[3]);
        float[] tanh = x.tanh().toFloatArray();
        assertEquals(-1f, tanh[0]);
        assertEquals(1f, tanh[1]);
    }

    @ParameterizedTest
    @DevicesSource
    void functionalFormsAndGeluApproximations(Device device) {
        Nd in = inputs(5);
        Tensor x = in.tensor(device);
        assertArrayEquals(x.sigmoid().toFloatArray(), Functional.sigmoid(x).toFloatArray());
        assertArrayEquals(x.tanh().toFloatArray(), Functional.tanh(x).toFloatArray());
        assertArrayEquals(x.silu().toFloatArray(), Functional.silu(x).toFloatArray());
        assertArrayEquals(x.gelu().toFloatArray(), Functional.gelu(x).toFloatArray());
        assertArrayEquals(x.gelu().toFloatArray(), x.gelu("none").toFloatArray());
        assertArrayEquals(x.gelu("tanh").toFloatArray(), Functional.gelu(x, "tanh").toFloatArray());
        // the two forms differ (by up to ~5e-4 near |x| = 2): the argument is not ignored
        float[] exact = Tensor.of(new float[] {2f}, 1).to(device).gelu().toFloatArray();
        float[] approx = Tensor.of(new float[] {2f}, 1).to(device).gelu("tanh").toFloatArray();
        assertEquals(1.9544997f, exact[0], 1e-6f);
        assertEquals(1.9545977f, approx[0], 1e-6f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.gelu("erf"));
        assertTrue(e.getMessage().startsWith("gelu: "), e.getMessage());
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("opsOnDevices")
    @CheckDevices
    void int64InputsAreRejectedNamingTheOp(Device device, Op op) {
        Tensor x = Tensor.zeros(device, DType.INT64, 2, 3);
        DTypeMismatchException e = assertThrows(DTypeMismatchException.class, () -> op.f().apply(x));
        assertEquals(op.name().equals("gelu tanh") ? "gelu" : op.name(), e.op());
    }

    @Test
    void metaTensorsGetShapesAndGradientShapes() {
        for (Op op : ops()) {
            Tensor x = Tensor.randn(Device.META, 4, 0, 3);
            assertArrayEquals(new int[] {4, 0, 3}, op.f().apply(x).shape(), op.name());
            Tensor m = Tensor.randn(Device.META, 2, 5).requiresGrad(true);
            Tensor y = op.f().apply(m);
            assertArrayEquals(new int[] {2, 5}, y.shape(), op.name());
            assertEquals(Device.META, y.device(), op.name());
        }
    }

    @Test
    void emptyTensors() {
        for (Op op : ops()) {
            assertArrayEquals(new int[] {0, 3}, op.f().apply(Tensor.zeros(0, 3)).shape(), op.name());
        }
    }

    @ParameterizedTest
    @DevicesSource
    void rulesReadingTheOutputRefuseAnOverwrittenOutput(Device device) {
        for (String name : new String[] {"exp", "sigmoid", "tanh", "sqrt", "reciprocal"}) {
            Op op = ops().stream().filter(o -> o.name().equals(name)).findFirst().orElseThrow();
            Tensor x = Tensor.of(new float[] {0.5f, 1.5f}, 2).to(device).requiresGrad(true);
            Tensor y = op.f().apply(x);
            y.mul_(2f);
            assertThrows(IllegalStateException.class, () -> y.sum().backward(), name);
        }
    }

    /** The CPU against CUDA on the same inputs: bits for the IEEE-exact ops, a few ulps for the rest. */
    @Test
    @RequiresCuda
    void cpuAndCudaAgree() {
        Nd in = inputs(23);
        for (Op op : ops()) {
            float[] c = op.f().apply(in.tensor(Device.CPU)).toFloatArray();
            float[] g = op.f().apply(in.tensor(Device.cuda(0))).toFloatArray();
            boolean exact = List.of("abs", "sign", "sqrt", "rsqrt", "reciprocal").contains(op.name());
            for (int i = 0; i < c.length; i++) {
                boolean ok = exact ? Float.floatToIntBits(c[i]) == Float.floatToIntBits(g[i])
                        : Float.isNaN(c[i]) ? Float.isNaN(g[i])
                        : c[i] == g[i] || Math.abs(c[i] - g[i]) <= 1e-6 * Math.abs(c[i]) + Float.MIN_NORMAL;
                if (!ok) {
                    fail(op.name() + " at x = " + (float) in.v[i] + ": cpu " + c[i] + ", cuda " + g[i]);
                }
            }
            // and the gradients
            Tensor xc = in.tensor(Device.CPU).requiresGrad(true);
            Tensor xg = in.tensor(Device.cuda(0)).requiresGrad(true);
            op.f().apply(xc).sum().backward();
            op.f().apply(xg).sum().backward();
            float[] gc = xc.grad().toFloatArray();
            float[] gg = xg.grad().toFloatArray();
            // relative to the largest finite gradient too: rules such as out·(1 - out) lose relative
            // accuracy where out rounds near 1, on both devices alike (as PyTorch's)
            double scale = 0;
            for (float v : gc) {
                scale = Float.isFinite(v) ? Math.max(scale, Math.abs(v)) : scale;
            }
            for (int i = 0; i < gc.length; i++) {
                boolean ok = Float.isNaN(gc[i]) ? Float.isNaN(gg[i])
                        : gc[i] == gg[i] || Math.abs(gc[i] - gg[i]) <= 1e-5 * (Math.abs(gc[i]) + scale) + Float.MIN_NORMAL;
                if (!ok) {
                    fail(op.name() + " gradient at x = " + (float) in.v[i] + ": cpu " + gc[i] + ", cuda " + gg[i]);
                }
            }
        }
    }
}
