package dev.tensorj.nn;

import dev.tensorj.Device;
import dev.tensorj.Functional;
import dev.tensorj.Tensor;

/**
 * Squared error {@code (input - target)²}, by default averaged: {@code mean((input - target)²)}.
 * Input and target must have the same shape (see {@link Functional#mseLoss(Tensor, Tensor, String)}).
 */
public class MSELoss extends Loss {
    private final String reduction;

    /** Mean reduction, as PyTorch's default. */
    public MSELoss() {
        this("mean");
    }

    /**
     * With PyTorch's {@code reduction}: {@code "none"}, {@code "mean"} or {@code "sum"}.
     *
     * @throws IllegalArgumentException for another reduction
     */
    public MSELoss(String reduction) {
        this.reduction = checkReduction("MSELoss", reduction);
    }

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
        return Functional.mseLoss(input, target, reduction);
    }
}
