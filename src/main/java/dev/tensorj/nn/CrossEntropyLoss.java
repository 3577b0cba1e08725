package dev.tensorj.nn;

import dev.tensorj.Device;
import dev.tensorj.Functional;
import dev.tensorj.Tensor;

/**
 * {@code nn.CrossEntropyLoss}: logits {@code [N,C]} against int64 class indices {@code [N]} or float
 * class probabilities {@code [N,C]}, with an optional class weight {@code [C]}; see
 * {@link Functional#crossEntropy(Tensor, Tensor, Tensor, long, String, float)}. The weight is a buffer
 * named {@code "weight"}, so {@link #to} moves it with the module. On CUDA, class-index targets are
 * validated on the host: each forward waits for pending GPU work and copies the targets back
 * ({@code N·8} bytes, counted as device-to-host in {@link dev.tensorj.Counters}).
 */
public class CrossEntropyLoss extends Loss {
    private final Tensor weight;
    private final long ignoreIndex;
    private final String reduction;
    private final float labelSmoothing;

    /** PyTorch's defaults: no class weight, ignore index -100, mean reduction, no label smoothing. */
    public CrossEntropyLoss() {
        this(null, -100, "mean", 0f);
    }

    /**
     * With a class {@code weight} ({@code [C]}, or null for none) and PyTorch's other defaults; see
     * {@link #CrossEntropyLoss(Tensor, long, String, float)}.
     */
    public CrossEntropyLoss(Tensor weight) {
        this(weight, -100, "mean", 0f);
    }

    /**
     * With PyTorch's {@code reduction} ({@code "none"}, {@code "mean"} or {@code "sum"}) and its
     * other defaults.
     *
     * @throws IllegalArgumentException for another reduction
     */
    public CrossEntropyLoss(String reduction) {
        this(null, -100, reduction, 0f);
    }

    /**
     * With PyTorch's {@code ignore_index}, {@code reduction} ({@code "none"}, {@code "mean"} or
     * {@code "sum"}) and {@code label_smoothing}, in PyTorch's order; no class weight.
     *
     * @throws IllegalArgumentException for another reduction or a smoothing outside {@code [0, 1]}
     */
    public CrossEntropyLoss(long ignoreIndex, String reduction, float labelSmoothing) {
        this(null, ignoreIndex, reduction, labelSmoothing);
    }

    /**
     * PyTorch's {@code CrossEntropyLoss(weight, ignore_index=..., reduction=..., label_smoothing=...)}
     * in its order: a class {@code weight} ({@code [C]}, or null for none; kept as a buffer that
     * shares its memory, as PyTorch keeps the tensor given) and the settings above. "mean" divides
     * by the summed weights of the non-ignored targets, as PyTorch.
     *
     * @throws IllegalArgumentException for another reduction or a smoothing outside {@code [0, 1]}
     */
    public CrossEntropyLoss(Tensor weight, long ignoreIndex, String reduction, float labelSmoothing) {
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
        return Functional.crossEntropy(input, target, weight, ignoreIndex, reduction, labelSmoothing);
    }
}
