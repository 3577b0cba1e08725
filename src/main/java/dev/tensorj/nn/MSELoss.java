package dev.tensorj.nn;

import dev.tensorj.Functional;
import dev.tensorj.Tensor;

/**
 * Mean squared error, {@code mean((input - target)²)}. Input and target must have the same shape
 * (see {@link Functional#mseLoss}).
 */
public class MSELoss extends Loss {
    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Functional.mseLoss(input, target);
    }
}
