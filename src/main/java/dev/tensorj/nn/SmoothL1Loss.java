package dev.tensorj.nn;

import dev.tensorj.Device;
import dev.tensorj.Functional;
import dev.tensorj.Tensor;

/**
 * {@code nn.SmoothL1Loss}: {@code 0.5·d²/beta} where {@code |d| < beta}, else {@code |d| - 0.5·beta},
 * for {@code d = input - target} of the same shape, reduced; beta 0 is the L1 loss. See
 * {@link Functional#smoothL1Loss(Tensor, Tensor, String, float)}.
 */
public class SmoothL1Loss extends Loss {
    private final String reduction;
    private final float beta;

    /** PyTorch's defaults: mean reduction, beta 1. */
    public SmoothL1Loss() {
        this("mean", 1f);
    }

    /**
     * With PyTorch's {@code reduction} ({@code "none"}, {@code "mean"} or {@code "sum"}) and {@code beta}.
     *
     * @throws IllegalArgumentException for another reduction or a negative beta
     */
    public SmoothL1Loss(String reduction, float beta) {
        this.reduction = checkReduction("SmoothL1Loss", reduction);
        if (!(beta >= 0f)) {
            throw new IllegalArgumentException("SmoothL1Loss: beta must be non-negative, got " + beta);
        }
        this.beta = beta;
    }

    /** Moves this module's parameters (it has none); see {@link Module#to}. Returns this SmoothL1Loss. */
    @Override
    public SmoothL1Loss to(Device device) {
        super.to(device);
        return this;
    }

    @Override
    public SmoothL1Loss train() {
        super.train();
        return this;
    }

    @Override
    public SmoothL1Loss eval() {
        super.eval();
        return this;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Functional.smoothL1Loss(input, target, reduction, beta);
    }
}
