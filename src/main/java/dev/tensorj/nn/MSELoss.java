package dev.tensorj.nn;

import dev.tensorj.Device;
import dev.tensorj.Functional;
import dev.tensorj.Tensor;

/**
 * Mean squared error, {@code mean((input - target)²)}. Input and target must have the same shape
 * (see {@link Functional#mseLoss}).
 */
public class MSELoss extends Loss {
    /** Moves this module's parameters; see {@link Module#to}. Returns this MSELoss. */
    @Override
    public MSELoss to(Device device) {
        super.to(device);
        return this;
    }

    @Override
    public MSELoss train() {
        super.train();
        return this;
    }

    @Override
    public MSELoss eval() {
        super.eval();
        return this;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Functional.mseLoss(input, target);
    }
}
