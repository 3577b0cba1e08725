package dev.tensorj.nn;

import dev.tensorj.Device;
import dev.tensorj.Functional;
import dev.tensorj.Tensor;

/**
 * {@code nn.BCEWithLogitsLoss} without weights: logits against float targets of the same shape;
 * see {@link Functional#binaryCrossEntropyWithLogits(Tensor, Tensor, Tensor, String)}.
 */
public class BCEWithLogitsLoss extends Loss {
    private final String reduction;

    /** Mean reduction, as PyTorch's default. */
    public BCEWithLogitsLoss() {
        this("mean");
    }

    /**
     * With PyTorch's {@code reduction}: {@code "none"}, {@code "mean"} or {@code "sum"}.
     *
     * @throws IllegalArgumentException for another reduction
     */
    public BCEWithLogitsLoss(String reduction) {
        this.reduction = checkReduction("BCEWithLogitsLoss", reduction);
    }

    /** Moves this module's parameters; see {@link Module#to}. Returns this BCEWithLogitsLoss. */
    @Override
    public BCEWithLogitsLoss to(Device device) {
        super.to(device);
        return this;
    }

    @Override
    public BCEWithLogitsLoss train() {
        super.train();
        return this;
    }

    @Override
    public BCEWithLogitsLoss eval() {
        super.eval();
        return this;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Functional.binaryCrossEntropyWithLogits(input, target, null, reduction);
    }
}
