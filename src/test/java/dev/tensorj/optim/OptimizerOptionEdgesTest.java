package dev.tensorj.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tensorj.Device;
import dev.tensorj.Tensor;
import dev.tensorj.junit.CheckDevices;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The optimizers' options at the ends of the ranges PyTorch accepts (0 for every coefficient, a
 * beta just below 1), which must be accepted and give the update PyTorch's rule gives there, and
 * the values just past them, which must be refused.
 */
class OptimizerOptionEdgesTest {
    private static final float[] PARAM = {0.5f, -1.25f, 2f, 0.75f};
    private static final float[] GRAD = {0.3f, -2f, 1e-3f, -0.6f};
    private static final float LR = 0.1f;

    /**
     * With every averaging coefficient and eps at 0, Adam, AdamW, RMSprop and Adagrad all divide
     * the gradient by its own magnitude: one step moves each parameter by {@code lr·sign(g)}.
     */
    static Stream<Arguments> signSteps() {
        List<Function<List<Tensor>, Optimizer>> optimizers = List.of(
                ps -> new Adam(ps, Adam.Options.lr(LR).withBetas(0f, 0f).withEps(0f).withWeightDecay(0f)),
                ps -> new AdamW(ps, Adam.Options.lr(LR).withBetas(0f, 0f).withEps(0f).withWeightDecay(0f)),
                ps -> new RMSprop(ps, RMSprop.Options.lr(LR).withAlpha(0f).withEps(0f).withMomentum(0f)),
                ps -> new Adagrad(ps, Adagrad.Options.lr(LR).withLrDecay(0f).withInitialAccumulatorValue(0f)
                        .withEps(0f).withWeightDecay(0f)));
        return OptimizerTemporariesTest.onEveryDevice(optimizers);
    }

    @ParameterizedTest(name = "{0} optimizer #{1}")
    @CheckDevices
    @MethodSource("signSteps")
    void zeroCoefficientsGiveASignStep(Device device, int index, Function<List<Tensor>, Optimizer> make) {
        try (Tensor p = Tensor.of(PARAM).to(device).requiresGrad(true); Tensor g = Tensor.of(GRAD).to(device)) {
            Optimizer opt = make.apply(List.of(p));
            p.setGrad(g);
            opt.step();
            float[] expected = new float[PARAM.length];
            for (int i = 0; i < PARAM.length; i++) {
                expected[i] = PARAM[i] - LR * Math.signum(GRAD[i]);
            }
            assertArrayEquals(expected, p.toFloatArray(), 1e-6f, opt.getClass().getSimpleName());
        }
    }

    /** SGD with no momentum, decay or dampening, and any optimizer with rate 0 (a frozen group). */
    @Test
    void plainSgdAndAZeroRate() {
        try (Tensor p = Tensor.of(PARAM).requiresGrad(true); Tensor g = Tensor.of(GRAD)) {
            SGD sgd = new SGD(List.of(p), SGD.Options.lr(LR).withMomentum(0f).withDampening(0f).withWeightDecay(0f));
            p.setGrad(g);
            sgd.step();
            float[] expected = new float[PARAM.length];
            for (int i = 0; i < PARAM.length; i++) {
                expected[i] = PARAM[i] - LR * GRAD[i];
            }
            assertArrayEquals(expected, p.toFloatArray(), 1e-7f);
            float[] before = p.toFloatArray();
            for (Optimizer o : List.of(new SGD(List.of(p), 0f), new Adam(List.of(p), 0f),
                    new RMSprop(List.of(p), RMSprop.Options.lr(0f)), new Adagrad(List.of(p), Adagrad.Options.lr(0f)))) {
                o.step();
                assertArrayEquals(before, p.toFloatArray(), o.getClass().getSimpleName() + " with lr 0");
            }
        }
    }

    /** Betas just below 1 are accepted; 1 and past it, or below 0, are refused, changing nothing. */
    @Test
    void betasAtTheEdgeOfTheirRange() {
        try (Tensor p = Tensor.of(PARAM).requiresGrad(true)) {
            float below1 = Math.nextDown(1f);
            Adam adam = new Adam(List.of(p), Adam.Options.lr(LR).withBetas(below1, below1));
            assertEquals(below1, adam.options().beta1());
            for (float[] betas : new float[][] {{1f, 0.9f}, {0.9f, 1f}, {-1e-7f, 0.9f}, {0.9f, -1e-7f}}) {
                assertThrows(IllegalArgumentException.class,
                        () -> new Adam(List.of(p), Adam.Options.lr(LR).withBetas(betas[0], betas[1])));
            }
            assertThrows(IllegalArgumentException.class, () -> adam.setLr(-1e-9f));
            assertThrows(IllegalArgumentException.class, () -> adam.setLr(Float.NaN));
            assertEquals(LR, adam.lr());
            for (Function<Float, Object> make : List.<Function<Float, Object>>of(
                    x -> new RMSprop(List.of(p), RMSprop.Options.lr(LR).withAlpha(x)),
                    x -> new RMSprop(List.of(p), RMSprop.Options.lr(LR).withEps(x)),
                    x -> new RMSprop(List.of(p), RMSprop.Options.lr(LR).withMomentum(x)),
                    x -> new Adagrad(List.of(p), Adagrad.Options.lr(LR).withEps(x)),
                    x -> new Adagrad(List.of(p), Adagrad.Options.lr(LR).withInitialAccumulatorValue(x)),
                    x -> new Adam(List.of(p), Adam.Options.lr(LR).withEps(x)),
                    x -> new SGD(List.of(p), SGD.Options.lr(LR).withMomentum(x)))) {
                make.apply(0f);
                assertThrows(IllegalArgumentException.class, () -> make.apply(-1e-9f));
            }
        }
    }
}
