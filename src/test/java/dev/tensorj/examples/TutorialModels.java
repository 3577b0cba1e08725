package dev.tensorj.examples;

import dev.tensorj.Tensor;
import dev.tensorj.nn.Linear;
import dev.tensorj.nn.Module;
import dev.tensorj.nn.ReLU;

/** The two models of the PyTorch tutorial (shared/reference), written as a Java user would. */
public final class TutorialModels {
    private TutorialModels() {}

    /** {@code nn.Linear(10, 1)}. */
    public static class SimpleModel extends Module {
        public final Linear linear = register("linear", new Linear(10, 1));

        @Override
        public Tensor forward(Tensor x) {
            return linear.forward(x);
        }
    }

    /** {@code Linear(10, 20) → ReLU → Linear(20, 1)}. */
    public static class ComplexModel extends Module {
        public final Linear linear1 = register("linear1", new Linear(10, 20));
        public final ReLU relu = register("relu", new ReLU());
        public final Linear linear2 = register("linear2", new Linear(20, 1));

        @Override
        public Tensor forward(Tensor x) {
            x = linear1.forward(x);
            x = relu.forward(x);
            x = linear2.forward(x);
            return x;
        }
    }
}
