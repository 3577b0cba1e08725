package dev.tensorj.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tensorj.Device;
import dev.tensorj.Tensor;
import dev.tensorj.junit.RequiresCuda;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SGD's update against PyTorch's rule computed in double, for every option, on a small parameter
 * and on one large enough for the CPU kernel to split it across threads.
 */
class SgdTest {

    /**
     * The update is tensor ops, each rounded as a separate float32 op on every device: CUDA (no fused
     * multiply-add in tensorj's kernels) gives the CPU's bits, step after step.
     */
    @ParameterizedTest(name = "momentum={0} dampening={1} weightDecay={2} nesterov={3}")
    @CsvSource({
        "0,   0,   0,    false",
        "0,   0,   1e-4, false",
        "0.9, 0,   0,    false",
        "0.9, 0.1, 1e-3, false",
        "0.9, 0,   1e-2, true",
        "0.9, 0,   0,    true",
    })
    @RequiresCuda
    void cudaGivesTheCpusBitsInEveryVariant(float momentum, float dampening, float weightDecay, boolean nesterov) {
        var rnd = new SplittableRandom(42);
        int n = 65_537;
        float[] p0 = random(rnd, n);
        float[][] grads = {random(rnd, n), random(rnd, n), random(rnd, n)};
        float[][] result = new float[2][];
        Device[] devices = {Device.CPU, Device.cuda(0)};
        for (int d = 0; d < 2; d++) {
            Tensor p = Tensor.of(p0.clone()).to(devices[d]).requiresGrad(true);
            SGD sgd = new SGD(List.of(p), SGD.Options.lr(0.05f).withMomentum(momentum).withDampening(dampening)
                    .withWeightDecay(weightDecay).withNesterov(nesterov));
            for (float[] g : grads) {
                p.setGrad(Tensor.of(g).to(devices[d]));
                sgd.step();
            }
            result[d] = p.toFloatArray();
        }
        assertArrayEquals(result[0], result[1], "cuda against cpu after three steps");
    }

    @ParameterizedTest(name = "momentum={0} dampening={1} weightDecay={2} nesterov={3} size={4}")
    @CsvSource({
        "0,   0,   0,    false, 7",
        "0.9, 0,   0,    false, 7",
        "0.9, 0.1, 0,    false, 7",
        "0.9, 0,   0,    true,  7",
        "0,   0,   0.01, false, 7",
        "0.8, 0.2, 0.05, false, 7",
        "0.8, 0,   0.05, true,  7",
        "0,   0,   0,    false, 600001",
        "0.9, 0.1, 0.01, false, 600001",
        "0.9, 0,   0.01, true,  600001",
    })
    void matchesPyTorchsRuleInDouble(float momentum, float dampening, float weightDecay, boolean nesterov, int size) {
        var rnd = new SplittableRandom(size + (long) (momentum * 100) + (long) (weightDecay * 1000));
        float lr = 0.05f;
        float[] p0 = random(rnd, size);
        float[][] grads = {random(rnd, size), random(rnd, size), random(rnd, size)};
        Tensor param = Tensor.of(p0.clone()).requiresGrad(true);
        SGD sgd = new SGD(List.of(param), SGD.Options.lr(lr).withMomentum(momentum).withDampening(dampening)
                .withWeightDecay(weightDecay).withNesterov(nesterov));

        double[] p = toDouble(p0);
        double[] buf = null;
        for (float[] grad : grads) {
            sgd.zeroGrad();
            // d(Σ param·g)/d param = g: the gradient is exactly the chosen vector.
            param.mul(Tensor.of(grad)).sum().backward();
            sgd.step();
            // PyTorch's SGD, in double.
            double[] d = new double[size];
            for (int i = 0; i < size; i++) {
                d[i] = grad[i] + (weightDecay != 0 ? weightDecay * p[i] : 0);
            }
            if (momentum != 0) {
                if (buf == null) {
                    buf = d.clone();
                } else {
                    for (int i = 0; i < size; i++) {
                        buf[i] = momentum * buf[i] + (1 - dampening) * d[i];
                    }
                }
                for (int i = 0; i < size; i++) {
                    d[i] = nesterov ? d[i] + momentum * buf[i] : buf[i];
                }
            }
            for (int i = 0; i < size; i++) {
                p[i] -= lr * d[i];
            }
        }
        float[] got = param.toFloatArray();
        for (int i = 0; i < size; i++) {
            if (!(Math.abs(got[i] - p[i]) <= 1e-5 * (1 + Math.abs(p[i])))) {
                fail("param[" + i + "] = " + got[i] + ", PyTorch's rule in double gives " + p[i]);
            }
        }
    }

    @Test
    void withoutWeightDecayAnInfiniteWeightStaysInfinite() {
        // PyTorch skips weight decay when it is 0; adding 0 · inf would turn the weight into NaN.
        Tensor param = Tensor.of(new float[] {Float.POSITIVE_INFINITY, 1f}).requiresGrad(true);
        SGD sgd = new SGD(List.of(param), 0.1f);
        param.mul(Tensor.of(new float[] {0f, 2f})).sum().backward();
        sgd.step();
        float[] got = param.toFloatArray();
        assertEquals(Float.POSITIVE_INFINITY, got[0]);
        assertEquals(0.8f, got[1], 1e-7f);
    }

    // ---------------------------------------------------------------- options by name

    @Test
    void optionsAreNamedImmutableValues() {
        SGD.Options base = SGD.Options.lr(0.05f);
        SGD.Options full = base.withMomentum(0.9f).withDampening(0.1f).withWeightDecay(0.01f);
        assertEquals(0.05f, base.lr());
        assertEquals(0f, base.momentum());
        assertEquals(0f, base.dampening());
        assertEquals(0f, base.weightDecay());
        assertFalse(base.nesterov());
        assertEquals(0.9f, full.momentum());
        assertEquals(0.1f, full.dampening());
        assertEquals(0.01f, full.weightDecay());
        assertEquals(0.05f, full.lr());
        assertEquals(0.2f, full.withLr(0.2f).lr());
        assertTrue(base.withMomentum(0.5f).withNesterov(true).nesterov());
        assertEquals(SGD.Options.lr(0.05f).withMomentum(0.9f).withDampening(0.1f).withWeightDecay(0.01f), full);
        assertEquals(full.hashCode(), SGD.Options.lr(0.05f).withWeightDecay(0.01f).withDampening(0.1f)
                .withMomentum(0.9f).hashCode());
        assertNotEquals(base, full);
        assertEquals("SGD.Options[lr=0.05, momentum=0.9, dampening=0.1, weightDecay=0.01, nesterov=false]",
                full.toString());
    }

    @Test
    void theShortConstructorsAreOptionsWithDefaults() {
        Tensor p = Tensor.of(new float[] {1.5f, -2f}).requiresGrad(true);
        assertEquals(SGD.Options.lr(0.1f), new SGD(List.of(p), 0.1f).options());
        assertEquals(SGD.Options.lr(0.1f).withMomentum(0.9f), new SGD(List.of(p), 0.1f, 0.9f).options());
        SGD.Options o = SGD.Options.lr(0.01f).withMomentum(0.9f).withNesterov(true).withWeightDecay(1e-4f);
        assertEquals(o, new SGD(List.of(p), o).options());
    }

    @Test
    void badOptionsAreRejectedNamingSgdAndTheOption() {
        List<Tensor> params = List.of(Tensor.of(new float[] {1.5f, -2f}).requiresGrad(true));
        assertRejected(params, SGD.Options.lr(-0.1f), "lr=-0.1");
        assertRejected(params, SGD.Options.lr(Float.NaN), "lr=NaN");
        assertRejected(params, SGD.Options.lr(0.1f).withMomentum(-0.5f), "momentum=-0.5");
        assertRejected(params, SGD.Options.lr(0.1f).withWeightDecay(-1f), "weightDecay=-1.0");
        assertRejected(params, SGD.Options.lr(0.1f).withNesterov(true), "Nesterov");
        assertRejected(params, SGD.Options.lr(0.1f).withMomentum(0.9f).withDampening(0.1f).withNesterov(true),
                "zero dampening");
    }

    private static void assertRejected(List<Tensor> params, SGD.Options options, String mentions) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SGD(params, options));
        assertTrue(e.getMessage().startsWith("SGD:") && e.getMessage().contains(mentions), e.getMessage());
    }

    // ---------------------------------------------------------------- lr settable

    @Test
    void setLrChangesTheNextStep() {
        // Values with few binary digits, so every update below is exact in float.
        float[] p0 = {1.5f, -2.25f, 0.75f};
        float[] g1 = {0.5f, 1.25f, -3f};
        float[] g2 = {-1.75f, 0.25f, 2.5f};
        Tensor p = Tensor.of(p0.clone()).requiresGrad(true);
        SGD sgd = new SGD(List.of(p), SGD.Options.lr(0.5f).withMomentum(0.5f));
        gradientStep(sgd, p, g1);
        sgd.setLr(0.25f);
        assertEquals(0.25f, sgd.lr());
        assertEquals(SGD.Options.lr(0.25f).withMomentum(0.5f), sgd.options());
        gradientStep(sgd, p, g2);
        float[] expected = new float[3];
        for (int i = 0; i < 3; i++) {
            float buf = g1[i];
            float p1 = p0[i] - 0.5f * buf;
            buf = 0.5f * buf + g2[i];
            expected[i] = p1 - 0.25f * buf;
        }
        assertArrayEquals(expected, p.toFloatArray());
        sgd.setLr(0f);
        float[] frozen = p.toFloatArray();
        gradientStep(sgd, p, g1);
        assertArrayEquals(frozen, p.toFloatArray(), "lr 0 is allowed and leaves the parameter as it is");
    }

    @Test
    void setLrRejectsNegativeAndNaNAndKeepsTheRate() {
        SGD sgd = new SGD(List.of(Tensor.of(new float[] {1.5f, -2f}).requiresGrad(true)), 0.1f);
        for (float bad : new float[] {-0.01f, Float.NaN, Float.NEGATIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sgd.setLr(bad));
            assertTrue(e.getMessage().startsWith("SGD:") && e.getMessage().contains("lr")
                    && e.getMessage().contains(Float.toString(bad)), e.getMessage());
            assertEquals(0.1f, sgd.lr());
        }
    }

    /** Sets the gradient to exactly {@code g} (d(Σ p·g)/dp = g) and steps. */
    private static void gradientStep(Optimizer opt, Tensor p, float[] g) {
        opt.zeroGrad();
        p.mul(Tensor.of(g.clone()).to(p.device())).sum().backward();
        opt.step();
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return x;
    }

    private static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }
}
