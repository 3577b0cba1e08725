package dev.tensorj.nn;

import dev.tensorj.Device;
import dev.tensorj.Functional;
import dev.tensorj.Tensor;

/**
 * {@code nn.BCELoss}: probabilities against float targets of the same shape, each log clamped at
 * -100 as PyTorch, with an optional weight that broadcasts to the input's shape; see
 * {@link Functional#binaryCrossEntropy(Tensor, Tensor, Tensor, String)}. The weight is a buffer
 * named {@code "weight"}, so {@link #to} moves it with the module.
 */
public class BCELoss extends Loss {
    private final Tensor weight;
    private final String reduction;

    /** PyTorch's defaults: no weight, mean reduction. */
    public BCELoss() {
        this(null, "mean");
    }

    /**
     * With PyTorch's {@code reduction}: {@code "none"}, {@code "mean"} or {@code "sum"}; no weight.
     *
     * @throws IllegalArgumentException for another reduction
     */
    public BCELoss(String reduction) {
        this(null, reduction);
    }

    /**
     * With PyTorch's {@code weight} (a rescaling of each element's loss that broadcasts to the
     * input's shape, or null for none; kept as a buffer that shares its memory) and {@code reduction}.
     * "mean" is the mean of the weighted losses over all elements, as PyTorch.
     *
     * @throws IllegalArgumentException for another reduction
     */
    public BCELoss(Tensor weight, String reduction) {
        this.reduction = checkReduction("BCELoss", reduction);
        this.weight = weight == null ? null : registerBuffer("weight", weight.detach());
    }

    /** Moves this module's weight, if any; see {@link Module#to}. Returns this BCELoss. */
    @Override
    public BCELoss to(Device device) {
        super.to(device);
        return this;
    }

    @Override
    public BCELoss train() {
        super.train();
        return this;
    }

    @Override
    public BCELoss eval() {
        super.eval();
        return this;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Functional.binaryCrossEntropy(input, target, weight, reduction);
    }
}
