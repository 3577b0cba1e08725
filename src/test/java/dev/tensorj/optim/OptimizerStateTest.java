package dev.tensorj.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Counters;
import dev.tensorj.Device;
import dev.tensorj.Tensor;
import dev.tensorj.junit.DevicesSource;
import dev.tensorj.junit.Placement;
import dev.tensorj.junit.RequiresCuda;
import dev.tensorj.nn.Linear;
import dev.tensorj.nn.MSELoss;
import dev.tensorj.nn.Module;
import dev.tensorj.nn.ReLU;
import dev.tensorj.nn.Sequential;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An optimizer's per-parameter state follows its parameter: after {@code model.to(device)} the
 * optimizer built before keeps working, with the values it would have had on that device all along.
 */
class OptimizerStateTest {

    /** One parameter whose gradient is exactly the vector passed to {@link #step}: loss = Σ w·g. */
    static final class Vec extends Module {
        final Tensor w;

        Vec(float[] values) {
            w = registerParameter("w", Tensor.of(values.clone()));
        }

        @Override
        public Tensor forward(Tensor g) {
            return w.mul(g).sum();
        }
    }

    // Few binary digits each: every SGD update below is exact in float, whatever the device.
    private static final float[] W0 = {1.5f, -2.25f, 0.75f, 3.125f, -0.5f};
    private static final float[][] GRADS = {
        {0.5f, 1.25f, -3f, 0.25f, -1f},
        {-1.75f, 0.25f, 2.5f, -0.5f, 1.5f},
        {1f, -0.75f, 0.5f, 2.25f, -0.25f},
        {-0.25f, 1.5f, -1.25f, 0.75f, 2f},
    };

    static Stream<SGD.Options> momentumOptions() {
        return Stream.of(
                SGD.Options.lr(0.5f).withMomentum(0.5f),
                SGD.Options.lr(0.25f).withMomentum(0.75f).withDampening(0.5f).withWeightDecay(0.25f),
                SGD.Options.lr(0.5f).withMomentum(0.5f).withNesterov(true).withWeightDecay(0.125f));
    }

    /** Steps a {@link Vec} through {@link #GRADS}, moving the model to {@code target} after {@code moveAfter} steps. */
    private static float[] train(SGD.Options options, Device start, Device target, int moveAfter) {
        Vec model = new Vec(W0);
        model.to(start);
        SGD sgd = new SGD(model.parameters(), options);
        for (int i = 0; i < GRADS.length; i++) {
            if (i == moveAfter) {
                model.to(target);
            }
            sgd.zeroGrad();
            model.forward(Tensor.of(GRADS[i].clone()).to(model.w.device())).backward();
            sgd.step();
            Tensor buf = sgd.state(model.w, SGD.MOMENTUM_BUFFER);
            assertEquals(model.w.device(), buf.device(), "the momentum buffer is on its parameter's device");
        }
        return model.w.toFloatArray();
    }

    @ParameterizedTest
    @MethodSource("momentumOptions")
    @RequiresCuda
    void momentumContinuesExactlyAfterMovingToCuda(SGD.Options options) {
        Device cuda = Device.cuda();
        float[] uninterrupted = train(options, cuda, cuda, -1);
        float[] onCpu = train(options, Device.CPU, Device.CPU, -1);
        assertArrayEquals(onCpu, uninterrupted, "exact arithmetic: the same values on either device");
        for (int moveAfter = 1; moveAfter < GRADS.length; moveAfter++) {
            assertArrayEquals(uninterrupted, train(options, Device.CPU, cuda, moveAfter), "moved after " + moveAfter);
            assertArrayEquals(uninterrupted, train(options, cuda, Device.CPU, moveAfter), "back after " + moveAfter);
        }
    }

    @Test
    void momentumContinuesOnMetaAfterSteps() {
        Tensor.manualSeed(21);
        Sequential model = new Sequential(new Linear(10, 20), new ReLU(), new Linear(20, 1));
        SGD sgd = new SGD(model.parameters(), SGD.Options.lr(0.05f).withMomentum(0.9f).withNesterov(true));
        MSELoss loss = new MSELoss();
        Tensor x = Tensor.randn(8, 10);
        Tensor y = Tensor.randn(8, 1);
        for (int i = 0; i < 2; i++) {
            sgd.zeroGrad();
            loss.forward(model.forward(x), y).backward();
            sgd.step();
        }
        model.to(Device.META);
        Tensor mx = x.to(Device.META);
        Tensor my = y.to(Device.META);
        Counters.Snapshot cpuWork = Placement.of(() -> {
            for (int i = 0; i < 2; i++) {
                sgd.zeroGrad();
                loss.forward(model.forward(mx), my).backward();
                sgd.step();
            }
        }).on(Device.CPU);
        assertEquals(0, cpuWork.launches() + cpuWork.allocations(), "the steps on meta left the cpu alone: " + cpuWork);
        for (Tensor p : model.parameters()) {
            assertEquals(Device.META, p.device());
            Tensor buf = sgd.state(p, SGD.MOMENTUM_BUFFER);
            assertEquals(Device.META, buf.device());
            assertArrayEquals(p.shape(), buf.shape());
        }
    }

    @ParameterizedTest
    @DevicesSource
    void aModelMovedAfterStepsTrainsAsIfItHadStartedThere(Device target) {
        SGD.Options options = SGD.Options.lr(0.1f).withMomentum(0.9f).withNesterov(true).withWeightDecay(1e-3f);
        List<float[]> uninterrupted = trainMlp(options, target, target, 0, true);
        List<float[]> moved = trainMlp(options, Device.CPU, target, 3, true);
        List<float[]> stateLost = trainMlp(options, Device.CPU, target, 3, false);
        // The same device computes the same values; cpu and a GPU round differently in matmul.
        double tolerance = target.isCpu() ? 0 : 1e-5;
        double lostBy = 0;
        for (int i = 0; i < uninterrupted.size(); i++) {
            float[] want = uninterrupted.get(i);
            float[] got = moved.get(i);
            for (int j = 0; j < want.length; j++) {
                assertTrue(Math.abs(got[j] - want[j]) <= tolerance * (1 + Math.abs(want[j])),
                        "parameter " + i + "[" + j + "]: " + got[j] + " vs " + want[j]);
                lostBy = Math.max(lostBy, Math.abs(stateLost.get(i)[j] - want[j]));
            }
        }
        assertTrue(lostBy > 100 * Math.max(tolerance, 1e-6), "the comparison sees the momentum: " + lostBy);
    }

    /**
     * Six steps of a small MLP built on the cpu and moved to {@code start}, then to {@code target}
     * after {@code moveAfter} steps. {@code keepState=false} is the control that rebuilds the
     * optimizer after the move, losing its momentum.
     */
    private static List<float[]> trainMlp(SGD.Options options, Device start, Device target, int moveAfter,
                                          boolean keepState) {
        Tensor.manualSeed(33);
        Sequential model = new Sequential(new Linear(10, 16), new ReLU(), new Linear(16, 1));
        Tensor x = Tensor.randn(16, 10);
        Tensor y = Tensor.randn(16, 1);
        model.to(start);
        SGD sgd = new SGD(model.parameters(), options);
        MSELoss loss = new MSELoss();
        for (int i = 0; i < 6; i++) {
            if (i == moveAfter) {
                model.to(target);
                if (!keepState) {
                    sgd = new SGD(model.parameters(), options);
                }
            }
            Device d = model.parameters().get(0).device();
            sgd.zeroGrad();
            loss.forward(model.forward(x.to(d)), y.to(d)).backward();
            sgd.step();
        }
        return model.parameters().stream().map(Tensor::toFloatArray).toList();
    }
}
