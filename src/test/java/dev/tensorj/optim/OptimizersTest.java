package dev.tensorj.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tensorj.Device;
import dev.tensorj.Tensor;
import dev.tensorj.junit.CheckDevices;
import dev.tensorj.junit.DeviceCases;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Adam, AdamW, RMSprop and Adagrad against PyTorch's documented algorithms written here in double
 * with plain loops, over 60 steps of random quadratic losses on cpu and (emulated) cuda, in every
 * variant: weight decay, maximize, AMSGrad, centered, momentum, lr decay, and a parameter whose
 * gradient is null on most steps (skipped, its step count not advanced), with the learning rate
 * changed half way.
 */
class OptimizersTest {
    private static final int STEPS = 60;

    /** PyTorch's rule for one parameter in double: updates {@code p} from {@code g} with its own state. */
    interface Rule {
        void step(double[] p, double[] g, double lr, Map<String, double[]> state);
    }

    /** One optimizer variant: how to build it from parameters and its rule in double. */
    record Variant(String name, Function<List<Tensor>, Optimizer> build, float lr, Rule rule) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Variant> variants() {
        List<Variant> v = new ArrayList<>();
        for (Adam.Options o : List.of(Adam.Options.lr(0.05f),
                Adam.Options.lr(0.05f).withWeightDecay(0.1f),
                Adam.Options.lr(0.05f).withAmsgrad(true).withBetas(0.8f, 0.99f),
                Adam.Options.lr(0.02f).withMaximize(true).withEps(1e-3f),
                Adam.Options.lr(0.05f).withAmsgrad(true).withWeightDecay(0.05f).withMaximize(true))) {
            v.add(new Variant("Adam " + o, ps -> new Adam(ps, o), o.lr(), adam(o, false)));
            Adam.Options w = o.weightDecay() == 0f ? o.withWeightDecay(AdamW.DEFAULT_WEIGHT_DECAY) : o;
            v.add(new Variant("AdamW " + w, ps -> new AdamW(ps, w), w.lr(), adam(w, true)));
        }
        for (RMSprop.Options o : List.of(RMSprop.Options.lr(0.01f),
                RMSprop.Options.lr(0.01f).withWeightDecay(0.1f).withAlpha(0.9f),
                RMSprop.Options.lr(0.01f).withCentered(true),
                RMSprop.Options.lr(0.005f).withMomentum(0.9f),
                RMSprop.Options.lr(0.005f).withMomentum(0.5f).withCentered(true).withMaximize(true)
                        .withWeightDecay(0.01f).withEps(1e-4f))) {
            v.add(new Variant("RMSprop " + o, ps -> new RMSprop(ps, o), o.lr(), rmsprop(o)));
        }
        for (Adagrad.Options o : List.of(Adagrad.Options.lr(0.1f),
                Adagrad.Options.lr(0.1f).withLrDecay(0.05f).withWeightDecay(0.1f),
                Adagrad.Options.lr(0.1f).withInitialAccumulatorValue(0.5f).withMaximize(true).withEps(1e-3f))) {
            v.add(new Variant("Adagrad " + o, ps -> new Adagrad(ps, o), o.lr(), adagrad(o)));
        }
        return v.stream();
    }

    static Stream<Arguments> cases() {
        return DeviceCases.devices().flatMap(d -> variants().map(v -> Arguments.of(d, v)));
    }

    /**
     * Two parameters: {@code a} always in the loss, {@code b} only on every third step (its grad is
     * null otherwise). The loss is {@code Σ ½·k·(w − c)²} with random k and c, so the gradient
     * {@code k·(w − c)} comes from autograd; the reference applies PyTorch's rule to the same
     * gradient values, so any difference is the rule's.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    @CheckDevices
    void matchesPyTorchsRuleInDoubleOverSixtySteps(Device device, Variant variant) {
        var rnd = new SplittableRandom(variant.name().hashCode());
        int[] sizes = {37, 5};
        Tensor[] params = new Tensor[2];
        Tensor[] k = new Tensor[2];
        Tensor[] c = new Tensor[2];
        double[][] ref = new double[2][];
        List<Map<String, double[]>> refState = List.of(new HashMap<>(), new HashMap<>());
        for (int i = 0; i < 2; i++) {
            float[] w0 = random(rnd, sizes[i], -1, 1);
            params[i] = Tensor.of(w0).to(device).requiresGrad(true);
            k[i] = Tensor.of(random(rnd, sizes[i], 0.5, 2)).to(device);
            c[i] = Tensor.of(random(rnd, sizes[i], -1, 1)).to(device);
            ref[i] = toDouble(w0);
        }
        Optimizer opt = variant.build().apply(List.of(params));
        double lr = variant.lr();
        long stepsOfB = 0;
        for (int s = 0; s < STEPS; s++) {
            if (s == STEPS / 2) {
                lr = variant.lr() / 2;
                opt.setLr(variant.lr() / 2);
            }
            opt.zeroGrad();
            Tensor loss = quadratic(params[0], k[0], c[0]);
            boolean withB = s % 3 == 0;
            if (withB) {
                loss = loss.add(quadratic(params[1], k[1], c[1]));
                stepsOfB++;
            }
            loss.backward();
            double[][] grads = {toDouble(params[0].grad().toFloatArray()),
                withB ? toDouble(params[1].grad().toFloatArray()) : null};
            opt.step();
            for (int i = 0; i < 2; i++) {
                if (grads[i] != null) {
                    variant.rule().step(ref[i], grads[i], lr, refState.get(i));
                }
            }
        }
        for (int i = 0; i < 2; i++) {
            float[] got = params[i].toFloatArray();
            for (int j = 0; j < got.length; j++) {
                if (!(Math.abs(got[j] - ref[i][j]) <= 2e-5 * (1 + Math.abs(ref[i][j])))) {
                    fail("param " + i + "[" + j + "] = " + got[j] + ", PyTorch's rule in double gives " + ref[i][j]);
                }
            }
        }
        Map<String, Tensor> stateA = opt.state(params[0]);
        Map<String, Tensor> stateB = opt.state(params[1]);
        assertEquals((float) STEPS, stateA.get("step").item(), "step counts every update");
        assertEquals((float) stepsOfB, stateB.get("step").item(), "steps without a gradient are not counted");
        // The reference's own step counter is "#step"; the optimizer shows its count as "step", checked above.
        assertEquals(refState.get(0).keySet().stream().filter(n -> !n.startsWith("#")).sorted().toList(),
                stateA.keySet().stream().filter(n -> !n.equals("step")).sorted().toList(),
                "the state names are PyTorch's");
        for (Map.Entry<String, double[]> e : refState.get(0).entrySet()) {
            if (e.getKey().startsWith("#")) {
                continue;
            }
            Tensor t = stateA.get(e.getKey());
            assertEquals(device, t.device(), e.getKey() + " lives on the parameter's device");
            float[] got = t.toFloatArray();
            for (int j = 0; j < got.length; j++) {
                double want = e.getValue()[j];
                assertTrue(Math.abs(got[j] - want) <= 1e-4 * (1 + Math.abs(want)),
                        e.getKey() + "[" + j + "] = " + got[j] + ", reference " + want);
            }
        }
        assertThrows(UnsupportedOperationException.class, () -> stateA.remove("step"), "state() is read-only");
    }

    /**
     * A gradient of zeros is a gradient, not a missing one (PyTorch skips only {@code grad is None}):
     * the step count advances and the moments decay, so Adam's parameter keeps moving on its
     * momentum. Random gradients for 5 steps, then zeros for 5, against the rule in double.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void aZeroGradientIsAStepNotASkip(Variant variant) {
        var rnd = new SplittableRandom(11);
        float[] w0 = random(rnd, 6, -1, 1);
        Tensor p = Tensor.of(w0).requiresGrad(true);
        double[] ref = toDouble(w0);
        Map<String, double[]> refState = new HashMap<>();
        Optimizer opt = variant.build().apply(List.of(p));
        for (int s = 0; s < 10; s++) {
            float[] g = s < 5 ? random(rnd, 6, -1, 1) : new float[6];
            p.setGrad(Tensor.of(g));
            opt.step();
            variant.rule().step(ref, toDouble(g), variant.lr(), refState);
        }
        assertEquals(10f, opt.state(p).get("step").item(), "zero gradients count as steps");
        float[] got = p.toFloatArray();
        for (int j = 0; j < got.length; j++) {
            assertTrue(Math.abs(got[j] - ref[j]) <= 2e-5 * (1 + Math.abs(ref[j])),
                    "p[" + j + "] = " + got[j] + ", PyTorch's rule in double gives " + ref[j]);
        }
    }

    /** {@code Σ ½·k·(w − c)²}: its gradient is {@code k·(w − c)}. */
    static Tensor quadratic(Tensor w, Tensor k, Tensor c) {
        return w.sub(c).pow(2f).mul(k).sum().mul(0.5f);
    }

    @Test
    void aParameterThatNeverHasAGradientIsUntouchedAndHasNoState() {
        Tensor a = Tensor.of(new float[] {0.5f, -1f}).requiresGrad(true);
        Tensor b = Tensor.of(new float[] {2f, 3f}).requiresGrad(true);
        for (Optimizer opt : List.of(new Adam(List.of(a, b), 0.1f), new AdamW(List.of(a, b), 0.1f),
                new RMSprop(List.of(a, b), 0.1f), new Adagrad(List.of(a, b), 0.1f))) {
            opt.zeroGrad();
            a.mul(a).sum().backward();
            opt.step();
            assertEquals(Map.of(), opt.state(b), opt.getClass().getSimpleName());
            assertEquals(List.of(2f, 3f), List.of(b.toFloatArray()[0], b.toFloatArray()[1]));
            assertEquals(1f, opt.state(a).get("step").item());
        }
    }

    @Test
    void metaParametersGetStateOfTheirShape() {
        for (Function<List<Tensor>, Optimizer> build : List.<Function<List<Tensor>, Optimizer>>of(
                ps -> new Adam(ps, Adam.Options.lr(0.1f).withAmsgrad(true).withWeightDecay(0.1f)),
                ps -> new AdamW(ps, 0.1f),
                ps -> new RMSprop(ps, RMSprop.Options.lr(0.1f).withCentered(true).withMomentum(0.9f)),
                ps -> new Adagrad(ps, Adagrad.Options.lr(0.1f).withWeightDecay(0.1f)))) {
            Tensor p = Tensor.zeros(Device.META, 3, 4).requiresGrad(true);
            p.setGrad(Tensor.zeros(Device.META, 3, 4));
            Optimizer opt = build.apply(List.of(p));
            opt.step();
            opt.step();
            for (Map.Entry<String, Tensor> e : opt.state(p).entrySet()) {
                if (!e.getKey().equals("step")) {
                    assertEquals(Device.META, e.getValue().device(), e.getKey());
                    assertEquals("[3, 4]", Arrays.toString(e.getValue().shape()), e.getKey());
                }
            }
            assertEquals(2f, opt.state(p).get("step").item());
        }
    }

    @Test
    void defaultsArePyTorchs() {
        assertEquals(new Adam.Options(1e-3f, 0.9f, 0.999f, 1e-8f, 0f, false, false), Adam.Options.defaults());
        assertEquals(Adam.Options.defaults().withWeightDecay(1e-2f), AdamW.lr(1e-3f));
        Tensor p = Tensor.of(new float[] {1f}).requiresGrad(true);
        assertEquals(AdamW.lr(0.5f), new AdamW(List.of(p), 0.5f).options());
        assertEquals(new RMSprop.Options(1e-2f, 0.99f, 1e-8f, 0f, 0f, false, false), RMSprop.Options.defaults());
        assertEquals(new Adagrad.Options(1e-2f, 0f, 0f, 0f, 1e-10f, false), Adagrad.Options.defaults());
        Adam adam = new Adam(List.of(p), Adam.Options.defaults().withAmsgrad(true));
        adam.setLr(0.25f);
        assertEquals(0.25f, adam.lr());
        assertEquals(Adam.Options.lr(0.25f).withAmsgrad(true), adam.options());
    }

    @Test
    void badOptionsAreRejectedNamingTheOptimizerAndTheOption() {
        List<Tensor> ps = List.of(Tensor.of(new float[] {1f}).requiresGrad(true));
        assertRejected(() -> new Adam(ps, Adam.Options.lr(-1f)), "Adam:", "lr=-1.0");
        assertRejected(() -> new Adam(ps, Adam.Options.lr(0.1f).withBetas(1f, 0.9f)), "Adam:", "beta1=1.0");
        assertRejected(() -> new Adam(ps, Adam.Options.lr(0.1f).withBetas(0.9f, -0.1f)), "Adam:", "beta2=-0.1");
        assertRejected(() -> new Adam(ps, Adam.Options.lr(0.1f).withEps(Float.NaN)), "Adam:", "eps=NaN");
        assertRejected(() -> new AdamW(ps, AdamW.lr(0.1f).withWeightDecay(-1f)), "AdamW:", "weightDecay=-1.0");
        assertRejected(() -> new RMSprop(ps, RMSprop.Options.lr(0.1f).withAlpha(-0.5f)), "RMSprop:", "alpha=-0.5");
        assertRejected(() -> new RMSprop(ps, RMSprop.Options.lr(0.1f).withMomentum(-1f)), "RMSprop:", "momentum=-1.0");
        assertRejected(() -> new Adagrad(ps, Adagrad.Options.lr(0.1f).withLrDecay(-1f)), "Adagrad:", "lrDecay=-1.0");
        assertRejected(() -> new Adagrad(ps, Adagrad.Options.lr(0.1f).withInitialAccumulatorValue(-1f)),
                "Adagrad:", "initialAccumulatorValue=-1.0");
        assertThrows(NullPointerException.class, () -> new Adam(ps, (Adam.Options) null));
        assertThrows(NullPointerException.class, () -> new RMSprop(ps, (RMSprop.Options) null));
        assertThrows(NullPointerException.class, () -> new Adagrad(ps, (Adagrad.Options) null));
    }

    private static void assertRejected(org.junit.jupiter.api.function.Executable build, String prefix, String mentions) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
        assertTrue(e.getMessage().startsWith(prefix) && e.getMessage().contains(mentions), e.getMessage());
    }

    // ---------------------------------------------------------------- PyTorch's rules in double

    /** torch.optim.Adam / AdamW (decoupled), as the documentation's pseudo-code. */
    static Rule adam(Adam.Options o, boolean decoupled) {
        return (p, grad, lr, s) -> {
            int n = p.length;
            double[] g = grad.clone();
            double[] m = s.computeIfAbsent("exp_avg", x -> new double[n]);
            double[] v = s.computeIfAbsent("exp_avg_sq", x -> new double[n]);
            double[] vmax = o.amsgrad() ? s.computeIfAbsent("max_exp_avg_sq", x -> new double[n]) : null;
            double t = ++s.computeIfAbsent("#step", x -> new double[1])[0];
            for (int i = 0; i < n; i++) {
                if (o.maximize()) {
                    g[i] = -g[i];
                }
                if (o.weightDecay() != 0) {
                    if (decoupled) {
                        p[i] *= 1 - lr * o.weightDecay();
                    } else {
                        g[i] += o.weightDecay() * p[i];
                    }
                }
                m[i] = o.beta1() * m[i] + (1 - o.beta1()) * g[i];
                v[i] = o.beta2() * v[i] + (1 - o.beta2()) * g[i] * g[i];
                double vhat = v[i];
                if (vmax != null) {
                    vmax[i] = Math.max(vmax[i], v[i]);
                    vhat = vmax[i];
                }
                double mHat = m[i] / (1 - Math.pow(o.beta1(), t));
                double denom = Math.sqrt(vhat) / Math.sqrt(1 - Math.pow(o.beta2(), t)) + o.eps();
                p[i] -= lr * mHat / denom;
            }
        };
    }

    /** torch.optim.RMSprop, as the documentation's pseudo-code. */
    static Rule rmsprop(RMSprop.Options o) {
        return (p, grad, lr, s) -> {
            int n = p.length;
            double[] sq = s.computeIfAbsent("square_avg", x -> new double[n]);
            double[] ga = o.centered() ? s.computeIfAbsent("grad_avg", x -> new double[n]) : null;
            double[] buf = o.momentum() > 0 ? s.computeIfAbsent("momentum_buffer", x -> new double[n]) : null;
            for (int i = 0; i < n; i++) {
                double g = o.maximize() ? -grad[i] : grad[i];
                g += o.weightDecay() * p[i];
                sq[i] = o.alpha() * sq[i] + (1 - o.alpha()) * g * g;
                double vt = sq[i];
                if (ga != null) {
                    ga[i] = o.alpha() * ga[i] + (1 - o.alpha()) * g;
                    vt -= ga[i] * ga[i];
                }
                double ratio = g / (Math.sqrt(vt) + o.eps());
                if (buf != null) {
                    buf[i] = o.momentum() * buf[i] + ratio;
                    p[i] -= lr * buf[i];
                } else {
                    p[i] -= lr * ratio;
                }
            }
        };
    }

    /** torch.optim.Adagrad, as the documentation's pseudo-code. */
    static Rule adagrad(Adagrad.Options o) {
        return (p, grad, lr, s) -> {
            int n = p.length;
            double[] sum = s.computeIfAbsent("sum", x -> {
                double[] a = new double[n];
                Arrays.fill(a, o.initialAccumulatorValue());
                return a;
            });
            double t = ++s.computeIfAbsent("#step", x -> new double[1])[0];
            double clr = lr / (1 + (t - 1) * o.lrDecay());
            for (int i = 0; i < n; i++) {
                double g = o.maximize() ? -grad[i] : grad[i];
                g += o.weightDecay() * p[i];
                sum[i] += g * g;
                p[i] -= clr * g / (Math.sqrt(sum[i]) + o.eps());
            }
        };
    }

    static float[] random(SplittableRandom rnd, int n, double lo, double hi) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (lo + rnd.nextDouble() * (hi - lo));
        }
        return x;
    }

    static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }
}
