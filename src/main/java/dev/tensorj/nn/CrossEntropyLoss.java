package dev.tensorj.nn;

import dev.tensorj.Device;
import dev.tensorj.Functional;
import dev.tensorj.Tensor;

/**
 * {@code nn.CrossEntropyLoss} without a class weight: logits {@code [N,C]} against int64 class
 * indices {@code [N]} or float class probabilities {@code [N,C]}; see {@link Functional#crossEntropy}.
 */
public class CrossEntropyLoss extends Loss {
    private final long ignoreIndex;
    private final float labelSmoothing;
    private final String reduction;

    /** PyTorch's defaults: ignore index -100, no label smoothing, mean reduction. */
    public CrossEntropyLoss() {
        this(-100, 0f, "mean");
    }

    /**
     * With PyTorch's {@code ignore_index}, {@code label_smoothing} and {@code reduction}
     * ({@code "none"}, {@code "mean"} or {@code "sum"}).
     *
     * @throws IllegalArgumentException for another reduction or a smoothing outside {@code [0, 1]}
     */
    public CrossEntropyLoss(long ignoreIndex, float labelSmoothing, String reduction) {
        java.util.Objects.requireNonNull(reduction, "CrossEntropyLoss: reduction is null");
        if (!reduction.equals("none") && !reduction.equals("mean") && !reduction.equals("sum")) {
            throw new IllegalArgumentException("CrossEntropyLoss: reduction must be \"none\", \"mean\" or \"sum\", got \""
                    + reduction + "\"");
        }
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
            throw new IllegalArgumentException("CrossEntropyLoss: labelSmoothing must be in [0, 1], got " + labelSmoothing);
        }
        this.ignoreIndex = ignoreIndex;
        this.labelSmoothing = labelSmoothing;
        this.reduction = reduction;
    }

    /** Moves this module's parameters; see {@link Module#to}. Returns this CrossEntropyLoss. */
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
        return Functional.crossEntropy(input, target, null, ignoreIndex, labelSmoothing, reduction);
    }
}
