package dev.tensorj.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Device;
import dev.tensorj.Tensor;
import dev.tensorj.junit.DevicesSource;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * {@code to}, {@code train} and {@code eval} of every module return the module itself (so calls chain:
 * {@code new Linear(2, 3).to(d).eval()}), after doing their work: every parameter and buffer is on the
 * device, and the mode is set. Also for a user's module or loss that does not override them.
 */
class FluentModuleCallsTest {
    /** A user's module with a parameter and a buffer that keeps Module's own to/train/eval. */
    static final class Plain extends Module {
        final Tensor w = registerParameter("w", Tensor.randn(3));
        final Tensor b = registerBuffer("b", Tensor.randn(2));

        @Override
        public Tensor forward(Tensor input) {
            return input.mul(w);
        }
    }

    /** A user's loss that keeps Loss's own to/train/eval. */
    static final class PlainLoss extends Loss {
        final Tensor scale = registerBuffer("scale", Tensor.of(new float[] {2f}, 1));

        @Override
        public Tensor forward(Tensor input, Tensor target) {
            return input.sub(target).mul(scale).sum();
        }
    }

    private static List<Module> everyModule() {
        return List.of(new Linear(3, 2), new BatchNorm1d(3), new LayerNorm(3), new Embedding(4, 3), new Dropout(0.25),
                new Flatten(), new GELU(), new ReLU(), new SiLU(), new Sigmoid(), new Tanh(), new Identity(),
                new Softmax(1), new LogSoftmax(1), new Sequential(new Linear(3, 3), new ReLU()),
                new MSELoss(), new L1Loss(), new HuberLoss(), new SmoothL1Loss(), new BCELoss(Tensor.rand(3), "mean"),
                new BCEWithLogitsLoss(), new CrossEntropyLoss(Tensor.rand(3)), new NLLLoss(Tensor.rand(3)),
                new Plain(), new PlainLoss());
    }

    private static void check(Module m, Function<Module, Module> call, String what) {
        assertSame(m, call.apply(m), m.getClass().getSimpleName() + "." + what + " returns the module itself");
    }

    @ParameterizedTest
    @DevicesSource
    void toTrainAndEvalReturnTheModuleAfterDoingTheirWork(Device device) {
        for (Module m : everyModule()) {
            String name = m.getClass().getSimpleName();
            check(m, x -> x.to(device), "to");
            m.stateDict().values().forEach(t -> assertEquals(device, t.device(), name + ": state on " + device));
            check(m, Module::eval, "eval");
            assertFalse(m.isTraining(), name);
            m.children().values().forEach(c -> assertFalse(c.isTraining(), name + "'s child"));
            check(m, Module::train, "train");
            assertTrue(m.isTraining(), name);
            m.children().values().forEach(c -> assertTrue(c.isTraining(), name + "'s child"));
            check(m, x -> x.to(Device.CPU), "to(cpu)");
        }
    }
}
