package dev.tensorj.nn;

import dev.tensorj.Device;
import dev.tensorj.Functional;
import dev.tensorj.Tensor;

/**
 * {@code nn.CrossEntropyLoss}: logits {@code [N,C]} against int64 class indices {@code [N]} or float
 * class probabilities {@code [N,C]}, with an optional class weight {@code [C]}; see
 * {@link Functional#crossEntropy(Tensor, Tensor, Tensor, long, float, String)}. The weight is a buffer
 * named {@code "weight"}, so {@link #to} moves it with the module.
 */
public class CrossEntropyLoss extends Loss {
    private final Tensor weight;
    private final long ignoreIndex;
    private final float labelSmoothing;
    private final String reduction;

    /** PyTorch's defaults: no class weight, ignore index -100, no label smoothing, mean reduction. */
    public CrossEntropyLoss() {
        this(null, -100, 0f, "mean");
    }

    /**
     * With PyTorch's {@code ignore_index}, {@code label_smoothing} and {@code reduction}
     * ({@code "none"}, {@code "mean"} or {@code "sum"}), no class weight.
     *
     * @throws IllegalArgumentException for another reduction or a smoothing outside {@code [0, 1]}
     */
    public CrossEntropyLoss(long ignoreIndex, float labelSmoothing, String reduction) {
        this(null, ignoreIndex, labelSmoothing, reduction);
    }

    /**
     * With a class {@code weight} ({@code [C]}, or null for none; kept as a buffer that shares its
     * memory, as PyTorch keeps the tensor given), and the settings above. "mean" divides by the
     * summed weights of the non-ignored targets, as PyTorch.
     *
     * @throws IllegalArgumentException for another reduction or a smoothing outside {@code [0, 1]}
     */
    public CrossEntropyLoss(Tensor weight, long ignoreIndex, float labelSmoothing, String reduction) {
        this.reduction = checkReduction("CrossEntropyLoss", reduction);
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
            throw new IllegalArgumentException("CrossEntropyLoss: labelSmoothing must be in [0, 1], got " + labelSmoothing);
        }
        this.ignoreIndex = ignoreIndex;
        this.labelSmoothing = labelSmoothing;
        this.weight = weight == null ? null : registerBuffer("weight", weight.detach());
    }

    /** Moves this module's class weight, if any; see {@link Module#to}. Returns this CrossEntropyLoss. */
    @Override
    public CrossEntropyLoss to(Device device) {
        super.to(device);
        return this;
    }

    @Override
    public CrossEntropyLoss train() {
        super.train();
        return this;
    }

    @Override
    public CrossEntropyLoss eval() {
        super.eval();
        return this;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Functional.crossEntropy(input, target, weight, ignoreIndex, labelSmoothing, reduction);
    }
}
