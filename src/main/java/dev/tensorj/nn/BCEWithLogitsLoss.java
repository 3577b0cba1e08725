package dev.tensorj.nn;

import dev.tensorj.Device;
import dev.tensorj.Functional;
import dev.tensorj.Tensor;

/**
 * {@code nn.BCEWithLogitsLoss}: logits against float targets of the same shape, with an optional
 * per-element weight and an optional weight of the positive term; see
 * {@link Functional#binaryCrossEntropyWithLogits(Tensor, Tensor, Tensor, String, Tensor)}. The
 * weights are buffers named {@code "weight"} and {@code "pos_weight"}, so {@link #to} moves them
 * with the module.
 */
public class BCEWithLogitsLoss extends Loss {
    private final Tensor weight;
    private final String reduction;
    private final Tensor posWeight;

    /** PyTorch's defaults: no weight, mean reduction, no pos_weight. */
    public BCEWithLogitsLoss() {
        this(null, "mean", null);
    }

    /**
     * With PyTorch's {@code reduction}: {@code "none"}, {@code "mean"} or {@code "sum"}; no weights.
     *
     * @throws IllegalArgumentException for another reduction
     */
    public BCEWithLogitsLoss(String reduction) {
        this(null, reduction, null);
    }

    /**
     * PyTorch's {@code BCEWithLogitsLoss(weight, reduction=..., pos_weight=...)} in its order:
     * {@code weight} rescales each element's loss and {@code posWeight} the positive term (e.g. one
     * value per class, {@code [C]}); each broadcasts to the input's shape, or is null for none, and
     * is kept as a buffer that shares its memory. "mean" is the mean of the weighted losses over
     * all elements, as PyTorch.
     *
     * @throws IllegalArgumentException for another reduction
     */
    public BCEWithLogitsLoss(Tensor weight, String reduction, Tensor posWeight) {
        this.reduction = checkReduction("BCEWithLogitsLoss", reduction);
        this.weight = weight == null ? null : registerBuffer("weight", weight.detach());
        this.posWeight = posWeight == null ? null : registerBuffer("pos_weight", posWeight.detach());
    }

    /** Moves this module's weights, if any; see {@link Module#to}. Returns this BCEWithLogitsLoss. */
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
        return Functional.binaryCrossEntropyWithLogits(input, target, weight, reduction, posWeight);
    }
}
