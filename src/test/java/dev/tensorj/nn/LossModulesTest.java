package dev.tensorj.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Device;
import dev.tensorj.DeviceMismatchException;
import dev.tensorj.Functional;
import dev.tensorj.ShapeMismatchException;
import dev.tensorj.Tensor;
import dev.tensorj.junit.DevicesSource;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * The loss modules forward to {@link Functional} with their settings: the same values and input
 * gradients on random inputs, each option changing the result; weights are buffers moved by
 * {@code to}; bad settings fail at construction.
 */
class LossModulesTest {
    private static final int N = 6;
    private static final int C = 4;

    /**
     * {@code module} and {@code functional} on fresh leaves holding {@code input}'s values, with the
     * same target: equal values and equal input gradients (the same ops run either way).
     */
    private static Tensor assertModuleIsFunctional(String what, Tensor input, Tensor target, Loss module,
            BiFunction<Tensor, Tensor, Tensor> functional) {
        Tensor a = input.detach().clone().requiresGrad(true);
        Tensor b = input.detach().clone().requiresGrad(true);
        Tensor byModule = module.forward(a, target);
        Tensor byFunctional = functional.apply(b, target);
        assertArrayEquals(byFunctional.shape(), byModule.shape(), what + ": shape");
        assertEquals(input.device(), byModule.device(), what + ": device");
        assertArrayEquals(byFunctional.toFloatArray(), byModule.toFloatArray(), what + ": values");
        byModule.sum().backward();
        byFunctional.sum().backward();
        assertArrayEquals(b.grad().toFloatArray(), a.grad().toFloatArray(), what + ": input gradient");
        return byModule;
    }

    /** Class-index targets in {@code [0, C)} with one -100 (PyTorch's default ignore index) and a 1. */
    private static Tensor classTargets(Device device) {
        return Tensor.of(new long[] {2, 0, -100, 1, 3, 1}, N).to(device);
    }

    /** Targets with no -100: for an ignore index of 1, -100 is out of range as in PyTorch. */
    private static Tensor targetsWithout100(Device device) {
        return Tensor.of(new long[] {2, 0, 3, 1, 3, 1}, N).to(device);
    }

    private static Tensor classWeight() {
        return Tensor.rand(C).add(0.5f); // on the CPU: the modules are moved to the device
    }

    @ParameterizedTest
    @DevicesSource
    void crossEntropyLossWithEveryOption(Device device) {
        Tensor.manualSeed(1);
        Tensor x = Tensor.randn(N, C).to(device);
        Tensor t = classTargets(device);
        Tensor w = classWeight();
        Tensor wd = w.to(device);
        Tensor plain = assertModuleIsFunctional("CrossEntropyLoss()", x, t, new CrossEntropyLoss(),
                Functional::crossEntropy);
        Tensor weighted = assertModuleIsFunctional("CrossEntropyLoss(w)", x, t,
                new CrossEntropyLoss(w, -100, "mean", 0f).to(device),
                (in, tg) -> Functional.crossEntropy(in, tg, wd, -100, "mean", 0f));
        assertNotEquals(plain.item(), weighted.item(), "the weight must change the loss");
        assertModuleIsFunctional("CrossEntropyLoss(w, 1, 0.1, sum)", x, targetsWithout100(device),
                new CrossEntropyLoss(w, 1, "sum", 0.1f).to(device),
                (in, tg) -> Functional.crossEntropy(in, tg, wd, 1, "sum", 0.1f));
        Tensor none = assertModuleIsFunctional("CrossEntropyLoss(-100, 0.2, none)", x, t,
                new CrossEntropyLoss(-100, "none", 0.2f),
                (in, tg) -> Functional.crossEntropy(in, tg, null, -100, "none", 0.2f));
        assertArrayEquals(new int[] {N}, none.shape());
        Tensor probabilities = Functional.softmax(Tensor.randn(N, C), 1).to(device);
        assertModuleIsFunctional("CrossEntropyLoss(w) with probabilities", x, probabilities,
                new CrossEntropyLoss(w, -100, "mean", 0f).to(device),
                (in, tg) -> Functional.crossEntropy(in, tg, wd, -100, "mean", 0f));
    }

    @ParameterizedTest
    @DevicesSource
    void nllLossWithEveryOptionAndLogSoftmaxMakesCrossEntropy(Device device) {
        Tensor.manualSeed(2);
        Tensor logp = Functional.logSoftmax(Tensor.randn(N, C), 1).to(device);
        Tensor t = classTargets(device);
        Tensor w = classWeight();
        Tensor wd = w.to(device);
        Tensor plain = assertModuleIsFunctional("NLLLoss()", logp, t, new NLLLoss(), Functional::nllLoss);
        Tensor weighted = assertModuleIsFunctional("NLLLoss(w, -100, mean)", logp, t,
                new NLLLoss(w, -100, "mean").to(device), (in, tg) -> Functional.nllLoss(in, tg, wd, -100, "mean"));
        assertNotEquals(plain.item(), weighted.item(), "the weight must change the loss");
        Tensor t1 = targetsWithout100(device);
        Tensor ignoring1 = assertModuleIsFunctional("NLLLoss(null, 1, sum)", logp, t1, new NLLLoss(null, 1, "sum"),
                (in, tg) -> Functional.nllLoss(in, tg, null, 1, "sum"));
        assertNotEquals(new NLLLoss(null, -100, "sum").forward(logp, t1).item(), ignoring1.item(),
                "the ignore index must change the loss");
        Tensor none = assertModuleIsFunctional("NLLLoss(w, -100, none)", logp, t, new NLLLoss(w, -100, "none").to(device),
                (in, tg) -> Functional.nllLoss(in, tg, wd, -100, "none"));
        assertArrayEquals(new int[] {N}, none.shape());
        assertEquals(0f, none.toFloatArray()[2], 0f, "the ignored sample contributes nothing (-0 here)");

        // LogSoftmax then NLLLoss is CrossEntropyLoss, as in PyTorch.
        Tensor x = Tensor.randn(N, C).to(device);
        float composed = new NLLLoss(w, -100, "mean").to(device).forward(new LogSoftmax(1).forward(x), t).item();
        float fused = new CrossEntropyLoss(w, -100, "mean", 0f).to(device).forward(x, t).item();
        assertEquals(fused, composed, 1e-6 * (1 + Math.abs(fused)));
    }

    @ParameterizedTest
    @DevicesSource
    void regressionLossesWithEveryOption(Device device) {
        Tensor.manualSeed(3);
        Tensor x = Tensor.randn(3, 5).mul(2f).to(device); // |x - y| spans both sides of delta and beta
        Tensor y = Tensor.randn(3, 5).to(device);
        for (String r : new String[] {"none", "mean", "sum"}) {
            assertModuleIsFunctional("L1Loss(" + r + ")", x, y, new L1Loss(r), (a, b) -> Functional.l1Loss(a, b, r));
            assertModuleIsFunctional("MSELoss(" + r + ")", x, y, new MSELoss(r), (a, b) -> Functional.mseLoss(a, b, r));
            assertModuleIsFunctional("HuberLoss(" + r + ", 0.5)", x, y, new HuberLoss(r, 0.5f),
                    (a, b) -> Functional.huberLoss(a, b, r, 0.5f));
            assertModuleIsFunctional("SmoothL1Loss(" + r + ", 0.3)", x, y, new SmoothL1Loss(r, 0.3f),
                    (a, b) -> Functional.smoothL1Loss(a, b, r, 0.3f));
        }
        assertModuleIsFunctional("L1Loss()", x, y, new L1Loss(), Functional::l1Loss);
        assertModuleIsFunctional("MSELoss()", x, y, new MSELoss(), Functional::mseLoss);
        assertModuleIsFunctional("HuberLoss()", x, y, new HuberLoss(), Functional::huberLoss);
        assertModuleIsFunctional("SmoothL1Loss()", x, y, new SmoothL1Loss(), Functional::smoothL1Loss);
        assertModuleIsFunctional("SmoothL1Loss(mean, 0) is L1", x, y, new SmoothL1Loss("mean", 0f), Functional::l1Loss);
        assertNotEquals(new HuberLoss().forward(x, y).item(), new HuberLoss("mean", 0.5f).forward(x, y).item(),
                "delta must change the loss");
        assertNotEquals(new SmoothL1Loss().forward(x, y).item(), new SmoothL1Loss("mean", 0.3f).forward(x, y).item(),
                "beta must change the loss");
        assertEquals(new MSELoss("sum").forward(x, y).item() / 15, new MSELoss().forward(x, y).item(), 1e-5);
    }

    @ParameterizedTest
    @DevicesSource
    void bceLossesWithEveryOption(Device device) {
        Tensor.manualSeed(4);
        Tensor p = Tensor.rand(N, C).mul(0.9f).add(0.05f).to(device);
        Tensor y = Tensor.rand(N, C).to(device);
        Tensor w = classWeight(); // [C], broadcast over the rows
        Tensor wd = w.to(device);
        Tensor pw = classWeight();
        Tensor pwd = pw.to(device);
        assertModuleIsFunctional("BCELoss()", p, y, new BCELoss(), Functional::binaryCrossEntropy);
        for (String r : new String[] {"none", "mean", "sum"}) {
            assertModuleIsFunctional("BCELoss(" + r + ")", p, y, new BCELoss(r),
                    (a, b) -> Functional.binaryCrossEntropy(a, b, r));
            assertModuleIsFunctional("BCELoss(w, " + r + ")", p, y, new BCELoss(w, r).to(device),
                    (a, b) -> Functional.binaryCrossEntropy(a, b, wd, r));
            assertModuleIsFunctional("BCEWithLogitsLoss(" + r + ")", p, y, new BCEWithLogitsLoss(r),
                    (a, b) -> Functional.binaryCrossEntropyWithLogits(a, b, null, r, null));
            assertModuleIsFunctional("BCEWithLogitsLoss(w, " + r + ", pw)", p, y,
                    new BCEWithLogitsLoss(w, r, pw).to(device),
                    (a, b) -> Functional.binaryCrossEntropyWithLogits(a, b, wd, r, pwd));
        }
        assertNotEquals(new BCEWithLogitsLoss(w, "mean", null).to(device).forward(p, y).item(),
                new BCEWithLogitsLoss(null, "mean", w).to(device).forward(p, y).item(),
                "weight and pos_weight are different arguments");
        assertModuleIsFunctional("BCEWithLogitsLoss()", p, y, new BCEWithLogitsLoss(),
                Functional::binaryCrossEntropyWithLogits);
    }

    /**
     * The weighted binary cross-entropy against a double reference: loss = mean(w·ℓ) with
     * ℓ = -(y·log p + (1-y)·log(1-p)), and by hand ∂loss/∂p = w·(p - y) / (p·(1-p)) / n.
     */
    @ParameterizedTest
    @DevicesSource
    void weightedBceMatchesTheReference(Device device) {
        Tensor.manualSeed(5);
        float[] p = Tensor.rand(N, C).mul(0.9f).add(0.05f).toFloatArray();
        float[] y = Tensor.rand(N, C).toFloatArray();
        float[] w = Tensor.rand(C).add(0.5f).toFloatArray();
        Tensor pt = Tensor.of(p, N, C).to(device).requiresGrad(true);
        Tensor loss = new BCELoss(Tensor.of(w, C), "mean").to(device).forward(pt, Tensor.of(y, N, C).to(device));
        double sum = 0;
        double[] grad = new double[N * C];
        for (int i = 0; i < N * C; i++) {
            double wi = w[i % C];
            sum += -wi * (y[i] * Math.log(p[i]) + (1 - y[i]) * Math.log(1 - p[i]));
            grad[i] = wi * (p[i] - y[i]) / (p[i] * (1 - p[i])) / (N * C);
        }
        assertEquals(sum / (N * C), loss.item(), 1e-5 * Math.abs(sum / (N * C)));
        loss.backward();
        float[] g = pt.grad().toFloatArray();
        for (int i = 0; i < g.length; i++) {
            assertEquals(grad[i], g[i], 1e-5 * (1 + Math.abs(grad[i])), "element " + i);
        }
    }

    /**
     * BCEWithLogitsLoss(weight, reduction, posWeight) against a double reference of PyTorch's
     * formula, ℓ = w·((1-y)·x + (1 + (pw-1)·y)·log(1 + e^-x)), and its gradient by hand:
     * ∂ℓ/∂x = w·((1 + (pw-1)·y)·σ(x) - pw·y), over n for "mean". Weight [N, 1] and pos_weight [C]
     * broadcast along different dims, so swapping them would fail.
     */
    @ParameterizedTest
    @DevicesSource
    void bceWithLogitsLossWithWeightAndPosWeightMatchesTheReference(Device device) {
        Tensor.manualSeed(6);
        float[] x = Tensor.randn(N, C).mul(2f).toFloatArray();
        float[] y = Tensor.rand(N, C).toFloatArray();
        float[] w = Tensor.rand(N).add(0.5f).toFloatArray();
        float[] pw = Tensor.rand(C).mul(3f).add(0.25f).toFloatArray();
        BCEWithLogitsLoss module = new BCEWithLogitsLoss(Tensor.of(w, N, 1), "sum", Tensor.of(pw, C)).to(device);
        Tensor xt = Tensor.of(x, N, C).to(device).requiresGrad(true);
        Tensor loss = module.forward(xt, Tensor.of(y, N, C).to(device));
        double sum = 0;
        double[] grad = new double[N * C];
        for (int i = 0; i < N * C; i++) {
            double wi = w[i / C];
            double pwi = pw[i % C];
            double lw = 1 + (pwi - 1) * y[i];
            sum += wi * ((1 - y[i]) * x[i] + lw * Math.log1p(Math.exp(-x[i])));
            grad[i] = wi * (lw / (1 + Math.exp(-x[i])) - pwi * y[i]);
        }
        assertEquals(sum, loss.item(), 1e-5 * Math.abs(sum));
        loss.backward();
        float[] g = xt.grad().toFloatArray();
        for (int i = 0; i < g.length; i++) {
            assertEquals(grad[i], g[i], 1e-5 * (1 + Math.abs(grad[i])), "element " + i);
        }
        assertEquals(Map.of("weight", List.of(N, 1), "pos_weight", List.of(C)), shapes(module.namedBuffers()));
    }

    private static Map<String, List<Integer>> shapes(Map<String, Tensor> tensors) {
        Map<String, List<Integer>> out = new java.util.HashMap<>();
        tensors.forEach((k, v) -> out.put(k, java.util.Arrays.stream(v.shape()).boxed().toList()));
        return out;
    }

    /** log_softmax of row {@code i} of {@code x [N, C]}, in double. */
    private static double[] logSoftmaxRow(float[] x, int i) {
        double m = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < C; j++) {
            m = Math.max(m, x[i * C + j]);
        }
        double s = 0;
        for (int j = 0; j < C; j++) {
            s += Math.exp(x[i * C + j] - m);
        }
        double[] out = new double[C];
        for (int j = 0; j < C; j++) {
            out[j] = x[i * C + j] - m - Math.log(s);
        }
        return out;
    }

    /**
     * NLLLoss(weight, ignoreIndex, reduction) against PyTorch's formula in double: per sample
     * {@code -w[t]·logp[t]}, 0 where t is the ignore index (here 3, a valid class); "mean" divides
     * by Σ w[t] over the samples kept. The gradient, by hand, is {@code -w[t]} at (n, t) (over that
     * sum for "mean") and 0 elsewhere.
     */
    @ParameterizedTest
    @DevicesSource
    void nllLossMatchesTheReference(Device device) {
        Tensor.manualSeed(7);
        float[] logp = Functional.logSoftmax(Tensor.randn(N, C), 1).toFloatArray();
        float[] w = Tensor.rand(C).add(0.5f).toFloatArray();
        long[] t = {2, 3, 0, 1, 3, 1};
        double kept = 0;
        double[] per = new double[N];
        for (int i = 0; i < N; i++) {
            if (t[i] != 3) {
                per[i] = -w[(int) t[i]] * logp[i * C + (int) t[i]];
                kept += w[(int) t[i]];
            }
        }
        for (String r : new String[] {"none", "mean", "sum"}) {
            Tensor in = Tensor.of(logp, N, C).to(device).requiresGrad(true);
            Tensor loss = new NLLLoss(Tensor.of(w, C), 3, r).to(device).forward(in, Tensor.of(t, N).to(device));
            double scale = r.equals("mean") ? 1 / kept : 1;
            assertReduced(r, per, scale, loss);
            loss.sum().backward();
            float[] g = in.grad().toFloatArray();
            for (int i = 0; i < N * C; i++) {
                int n = i / C;
                double expected = t[n] != 3 && i % C == t[n] ? -w[(int) t[n]] * scale : 0;
                assertEquals(expected, g[i], 1e-6 * (1 + Math.abs(expected)), r + ": gradient element " + i);
            }
        }
    }

    /**
     * CrossEntropyLoss(weight, ignoreIndex, reduction, labelSmoothing) against PyTorch's formula in
     * double: per kept sample {@code (1-ε)·(-w[t]·lp[t]) + ε/C·Σ_c -w[c]·lp[c]} with lp = log_softmax,
     * 0 where t is the ignore index; "mean" divides by Σ w[t] over the kept samples (the smoothing
     * term too, as PyTorch). The gradient by hand: {@code (1-ε)·w[t]·(p_j - [j = t]) +
     * ε/C·(Σ_c w[c]·p_j - w[j])} with p = softmax, over that sum for "mean".
     */
    @ParameterizedTest
    @DevicesSource
    void crossEntropyLossWithWeightSmoothingAndIgnoreIndexMatchesTheReference(Device device) {
        Tensor.manualSeed(8);
        float[] x = Tensor.randn(N, C).mul(2f).toFloatArray();
        float[] w = Tensor.rand(C).add(0.5f).toFloatArray();
        long[] t = {2, 1, 0, 1, 3, 3};
        long ignore = 1;
        double eps = 0.15;
        double wAll = 0;
        for (float v : w) {
            wAll += v;
        }
        double kept = 0;
        double[] per = new double[N];
        double[] grad = new double[N * C];
        for (int i = 0; i < N; i++) {
            if (t[i] == ignore) {
                continue;
            }
            int ti = (int) t[i];
            double[] lp = logSoftmaxRow(x, i);
            double smooth = 0;
            for (int j = 0; j < C; j++) {
                smooth -= w[j] * lp[j];
                double p = Math.exp(lp[j]);
                grad[i * C + j] = (1 - eps) * w[ti] * (p - (j == ti ? 1 : 0)) + eps / C * (wAll * p - w[j]);
            }
            per[i] = (1 - eps) * -w[ti] * lp[ti] + eps / C * smooth;
            kept += w[ti];
        }
        for (String r : new String[] {"none", "mean", "sum"}) {
            Tensor in = Tensor.of(x, N, C).to(device).requiresGrad(true);
            CrossEntropyLoss module = new CrossEntropyLoss(Tensor.of(w, C), ignore, r, (float) eps).to(device);
            Tensor loss = module.forward(in, Tensor.of(t, N).to(device));
            double scale = r.equals("mean") ? 1 / kept : 1;
            assertReduced(r, per, scale, loss);
            loss.sum().backward();
            float[] g = in.grad().toFloatArray();
            for (int i = 0; i < N * C; i++) {
                assertEquals(grad[i] * scale, g[i], 1e-5 * (1 + Math.abs(grad[i] * scale)), r + ": gradient element " + i);
            }
        }
    }

    /** {@code loss} is {@code per} for "none", else its sum times {@code scale}. */
    private static void assertReduced(String reduction, double[] per, double scale, Tensor loss) {
        if (reduction.equals("none")) {
            float[] got = loss.toFloatArray();
            assertEquals(per.length, got.length);
            for (int i = 0; i < per.length; i++) {
                assertEquals(per[i], got[i], 1e-5 * (1 + Math.abs(per[i])), reduction + ": sample " + i);
            }
            return;
        }
        double sum = 0;
        for (double v : per) {
            sum += v;
        }
        assertEquals(sum * scale, loss.item(), 1e-5 * (1 + Math.abs(sum * scale)), reduction);
    }

    /** The shorter constructors are the long ones with PyTorch's defaults. */
    @ParameterizedTest
    @DevicesSource
    void shortConstructorsTakePyTorchsDefaults(Device device) {
        Tensor.manualSeed(9);
        Tensor x = Tensor.randn(N, C).to(device);
        Tensor t = classTargets(device);
        Tensor w = classWeight();
        assertModuleIsFunctional("CrossEntropyLoss(w)", x, t, new CrossEntropyLoss(w).to(device),
                (in, tg) -> new CrossEntropyLoss(w, -100, "mean", 0f).to(device).forward(in, tg));
        assertModuleIsFunctional("CrossEntropyLoss(sum)", x, t, new CrossEntropyLoss("sum"),
                (in, tg) -> new CrossEntropyLoss(null, -100, "sum", 0f).forward(in, tg));
        assertModuleIsFunctional("CrossEntropyLoss(-100, none, 0.2)", x, t, new CrossEntropyLoss(-100, "none", 0.2f),
                (in, tg) -> new CrossEntropyLoss(null, -100, "none", 0.2f).forward(in, tg));
        Tensor logp = Functional.logSoftmax(x, 1);
        assertModuleIsFunctional("NLLLoss(w)", logp, t, new NLLLoss(w).to(device),
                (in, tg) -> new NLLLoss(w, -100, "mean").to(device).forward(in, tg));
        assertModuleIsFunctional("NLLLoss(none)", logp, t, new NLLLoss("none"),
                (in, tg) -> new NLLLoss(null, -100, "none").forward(in, tg));
        assertEquals(List.of("weight"), List.copyOf(new CrossEntropyLoss(w).namedBuffers().keySet()));
        assertEquals(List.of("weight"), List.copyOf(new NLLLoss(w).namedBuffers().keySet()));
    }

    @ParameterizedTest
    @DevicesSource
    void weightsAreBuffersThatMoveWithTheModule(Device device) {
        Tensor w = classWeight();
        List<Loss> weighted = List.of(new CrossEntropyLoss(w, -100, "mean", 0f), new NLLLoss(w, -100, "mean"),
                new BCELoss(w, "mean"));
        for (Loss loss : weighted) {
            Tensor buffer = loss.namedBuffers().get("weight");
            assertArrayEquals(w.toFloatArray(), buffer.toFloatArray(), loss.getClass().getSimpleName());
            assertTrue(loss.parameters().isEmpty(), "a weight is not a parameter");
            assertEquals(loss, loss.to(device));
            assertEquals(device, buffer.device());
            assertEquals(Device.CPU, w.device(), "the caller's tensor stays where it was");
        }
        assertTrue(new NLLLoss().namedBuffers().isEmpty());
        assertTrue(new CrossEntropyLoss().namedBuffers().isEmpty());
        assertTrue(new BCEWithLogitsLoss().namedBuffers().isEmpty());
        Tensor pw = classWeight();
        BCEWithLogitsLoss bcel = new BCEWithLogitsLoss(w, "mean", pw);
        Map<String, Tensor> buffers = bcel.namedBuffers();
        assertEquals(List.of("weight", "pos_weight"), List.copyOf(buffers.keySet()));
        assertTrue(bcel.parameters().isEmpty(), "weights are not parameters");
        bcel.to(device);
        assertEquals(device, buffers.get("weight").device());
        assertEquals(device, buffers.get("pos_weight").device());
        assertArrayEquals(pw.toFloatArray(), buffers.get("pos_weight").toFloatArray());
        assertEquals(Device.CPU, pw.device(), "the caller's tensor stays where it was");

        // A module that was not moved meets its input's device in the functional op's one check.
        Device elsewhere = device.isCuda() ? device : Device.META;
        Tensor x = Tensor.randn(elsewhere, N, C);
        DeviceMismatchException e = assertThrows(DeviceMismatchException.class,
                () -> new NLLLoss(w, -100, "mean").forward(x, classTargets(elsewhere)));
        assertEquals("nll_loss", e.op());
        assertEquals(List.of("input", "weight"), e.roles());
        assertEquals(List.of(elsewhere, Device.CPU), e.devices());
    }

    @Test
    void metaGivesShapes() {
        Tensor x = Tensor.randn(Device.META, N, C);
        Tensor t = Tensor.zeros(Device.META, dev.tensorj.DType.INT64, N);
        assertArrayEquals(new int[0], new CrossEntropyLoss().forward(x, t).shape());
        assertArrayEquals(new int[] {N}, new NLLLoss(null, -100, "none").forward(x, t).shape());
        assertArrayEquals(new int[] {N, C}, new HuberLoss("none", 1f).forward(x, x).shape());
        assertArrayEquals(new int[0], new BCELoss(Tensor.ones(Device.META, C), "sum").forward(x, x).shape());
        assertEquals(Device.META, new L1Loss().forward(x, x).device());
    }

    @Test
    void badSettingsFailAtConstruction() {
        Map<String, Supplier<Loss>> badReduction = Map.of(
                "CrossEntropyLoss", () -> new CrossEntropyLoss(null, -100, "avg", 0f),
                "NLLLoss", () -> new NLLLoss(null, -100, "avg"),
                "BCELoss", () -> new BCELoss("avg"),
                "BCEWithLogitsLoss", () -> new BCEWithLogitsLoss("avg"),
                "L1Loss", () -> new L1Loss("avg"),
                "MSELoss", () -> new MSELoss("avg"),
                "HuberLoss", () -> new HuberLoss("avg", 1f),
                "SmoothL1Loss", () -> new SmoothL1Loss("avg", 1f));
        for (var e : badReduction.entrySet()) {
            IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e.getValue()::get);
            assertEquals(e.getKey() + ": reduction must be \"none\", \"mean\" or \"sum\", got \"avg\"", x.getMessage());
        }
        assertEquals("L1Loss: reduction is null",
                assertThrows(NullPointerException.class, () -> new L1Loss(null)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new HuberLoss("mean", 0f)).getMessage()
                .contains("HuberLoss: delta must be positive"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SmoothL1Loss("mean", -1f)).getMessage()
                .contains("SmoothL1Loss: beta must be non-negative"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new CrossEntropyLoss(null, -100, "mean", 1.5f))
                .getMessage().contains("labelSmoothing"));
    }

    @Test
    void errorsNameTheFunctionalOp() {
        Tensor x = Tensor.rand(N, C);
        Tensor t = classTargets(Device.CPU);
        assertThrows(UnsupportedOperationException.class, () -> new NLLLoss().forward(x));
        assertEquals("nll_loss: input is null",
                assertThrows(NullPointerException.class, () -> new NLLLoss().forward(null, t)).getMessage());
        assertEquals("huber_loss: target is null",
                assertThrows(NullPointerException.class, () -> new HuberLoss().forward(x, null)).getMessage());
        assertEquals("binary_cross_entropy: input is null",
                assertThrows(NullPointerException.class, () -> new BCELoss().forward(null, x)).getMessage());
        ShapeMismatchException s = assertThrows(ShapeMismatchException.class,
                () -> new BCELoss(Tensor.ones(3), "mean").forward(x, x));
        assertEquals("binary_cross_entropy", s.op());
        s = assertThrows(ShapeMismatchException.class, () -> new BCELoss(Tensor.ones(2, N, C), "mean").forward(x, x));
        assertTrue(s.getMessage().contains("[2, 6, 4]") && s.getMessage().contains("[6, 4]"), s.getMessage());
        s = assertThrows(ShapeMismatchException.class, () -> new L1Loss().forward(x, Tensor.rand(N)));
        assertEquals("l1_loss", s.op());
        s = assertThrows(ShapeMismatchException.class,
                () -> new CrossEntropyLoss(Tensor.ones(C + 1), -100, "mean", 0f).forward(x, t));
        assertEquals("cross_entropy", s.op());
    }
}
