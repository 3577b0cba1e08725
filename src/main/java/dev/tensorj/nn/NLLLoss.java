package dev.tensorj.nn;

import dev.tensorj.Device;
import dev.tensorj.Functional;
import dev.tensorj.Tensor;

/**
 * {@code nn.NLLLoss}: log-probabilities {@code [N,C]} (e.g. from {@link LogSoftmax}) against int64
 * class indices {@code [N]}, with an optional class weight {@code [C]}; see
 * {@link Functional#nllLoss(Tensor, Tensor, Tensor, long, String)}. The weight is a buffer named
 * {@code "weight"}, so {@link #to} moves it with the module. On CUDA the targets are validated on
 * the host: each forward waits for pending GPU work and copies them back ({@code N·8} bytes,
 * counted as device-to-host in {@link dev.tensorj.Counters}).
 */
public class NLLLoss extends Loss {
    private final Tensor weight;
    private final long ignoreIndex;
    private final String reduction;

    /** PyTorch's defaults: no class weight, ignore index -100, mean reduction. */
    public NLLLoss() {
        this(null, -100, "mean");
    }

    /**
     * With a class {@code weight} ({@code [C]}, or null for none) and PyTorch's other defaults; see
     * {@link #NLLLoss(Tensor, long, String)}.
     */
    public NLLLoss(Tensor weight) {
        this(weight, -100, "mean");
    }

    /**
     * With PyTorch's {@code reduction} ({@code "none"}, {@code "mean"} or {@code "sum"}) and its
     * other defaults.
     *
     * @throws IllegalArgumentException for another reduction
     */
    public NLLLoss(String reduction) {
        this(null, -100, reduction);
    }

    /**
     * With PyTorch's {@code weight} ({@code [C]}, or null for none; kept as a buffer that shares its
     * memory), {@code ignore_index} and {@code reduction} ({@code "none"}, {@code "mean"} or
     * {@code "sum"}). "mean" divides by the summed weights of the non-ignored targets, as PyTorch.
     *
     * @throws IllegalArgumentException for another reduction
     */
    public NLLLoss(Tensor weight, long ignoreIndex, String reduction) {
        this.reduction = checkReduction("NLLLoss", reduction);
        this.ignoreIndex = ignoreIndex;
        this.weight = weight == null ? null : registerBuffer("weight", weight.detach());
    }

    /** Moves this module's class weight, if any; see {@link Module#to}. Returns this NLLLoss. */
    @Override
    public NLLLoss to(Device device) {
        super.to(device);
        return this;
    }

    @Override
    public NLLLoss train() {
        super.train();
        return this;
    }

    @Override
    public NLLLoss eval() {
        super.eval();
        return this;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Functional.nllLoss(input, target, weight, ignoreIndex, reduction);
    }
}
