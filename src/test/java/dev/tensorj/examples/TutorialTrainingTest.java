package dev.tensorj.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Device;
import dev.tensorj.Tensor;
import dev.tensorj.junit.CheckDevices;
import dev.tensorj.nn.Linear;
import dev.tensorj.nn.MSELoss;
import dev.tensorj.nn.Module;
import dev.tensorj.optim.SGD;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tutorial's models train and their loss falls, and ten steps match an independent
 * double-precision implementation of the same math (ReferenceMlp) to 1e-5 relative.
 */
class TutorialTrainingTest {
    private static final int STEPS = 10;
    private static final float LR = 0.01f;

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Device d : new Device[] {Device.CPU, Device.cuda(0)}) {
            for (float momentum : new float[] {0f, 0.9f}) {
                out.add(Arguments.of("SimpleModel", (Supplier<Module>) TutorialModels.SimpleModel::new, d, momentum));
                out.add(Arguments.of("ComplexModel", (Supplier<Module>) TutorialModels.ComplexModel::new, d, momentum));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} on {2}, momentum {3}")
    @MethodSource("cases")
    @CheckDevices
    void trainsLikeTheDoublePrecisionReference(String name, Supplier<Module> factory, Device device, float momentum) {
        Tensor.manualSeed(42);
        Module model = factory.get();
        Tensor x = Tensor.randn(32, 10);
        Tensor y = Tensor.randn(32, 1);
        ReferenceMlp ref = reference(model);
        double[][] xd = rows(x);
        double[][] yd = rows(y);

        model.to(device);
        Tensor xs = x.to(device);
        Tensor ys = y.to(device);
        SGD sgd = new SGD(model.parameters(), LR, momentum);
        MSELoss lossFn = new MSELoss();
        double first = 0;
        double last = 0;
        for (int step = 0; step < STEPS; step++) {
            sgd.zeroGrad();
            Tensor loss = lossFn.forward(model.forward(xs), ys);
            loss.backward();
            sgd.step();
            double expected = ref.step(xd, yd, LR, momentum);
            double actual = loss.item();
            assertEquals(expected, actual, 1e-5 * Math.abs(expected), "loss at step " + step);
            if (step == 0) {
                first = actual;
            }
            last = actual;
        }
        assertTrue(last < first, "loss falls: " + first + " -> " + last);
        assertParametersMatch(model, ref);
    }

    /** The reference starts from tensorj's own initial parameters (an independent copy in double). */
    private static ReferenceMlp reference(Module model) {
        List<Linear> layers = linears(model);
        double[][][] w = new double[layers.size()][][];
        double[][] b = new double[layers.size()][];
        for (int l = 0; l < layers.size(); l++) {
            w[l] = rows(layers.get(l).weight());
            b[l] = toDouble(layers.get(l).bias().toFloatArray());
        }
        return new ReferenceMlp(w, b);
    }

    private static List<Linear> linears(Module model) {
        List<Linear> out = new ArrayList<>();
        for (Module m : model.children().values()) {
            if (m instanceof Linear) {
                out.add((Linear) m);
            }
        }
        return out;
    }

    private static void assertParametersMatch(Module model, ReferenceMlp ref) {
        List<Linear> layers = linears(model);
        for (int l = 0; l < layers.size(); l++) {
            assertClose(flatten(ref.w[l]), layers.get(l).weight().toFloatArray(), "weight of layer " + l);
            assertClose(ref.b[l], layers.get(l).bias().toFloatArray(), "bias of layer " + l);
        }
    }

    /** Relative to the tensor's largest magnitude: elements near zero have no meaningful relative error. */
    private static void assertClose(double[] expected, float[] actual, String what) {
        double scale = 0;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5 * scale, what + " [" + i + "]");
        }
    }

    private static double[][] rows(Tensor t) {
        int r = t.size(0);
        int c = t.size(1);
        float[] v = t.toFloatArray();
        double[][] out = new double[r][c];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                out[i][j] = v[i * c + j];
            }
        }
        return out;
    }

    private static double[] flatten(double[][] m) {
        return Stream.of(m).flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    private static double[] toDouble(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }
}
