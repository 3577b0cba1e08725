package dev.tensorj.nn;

import dev.tensorj.Functional;
import dev.tensorj.Tensor;

/** {@code max(x, 0)} elementwise. */
public class ReLU extends Module {
    @Override
    public Tensor forward(Tensor input) {
        return Functional.relu(input);
    }
}
