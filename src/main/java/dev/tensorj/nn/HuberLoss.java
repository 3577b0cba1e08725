package dev.tensorj.nn;

import dev.tensorj.Device;
import dev.tensorj.Functional;
import dev.tensorj.Tensor;

/**
 * {@code nn.HuberLoss}: {@code 0.5·d²} where {@code |d| < delta}, else {@code delta·(|d| - 0.5·delta)},
 * for {@code d = input - target} of the same shape, reduced; see
 * {@link Functional#huberLoss(Tensor, Tensor, String, float)}.
 */
public class HuberLoss extends Loss {
    private final String reduction;
    private final float delta;

    /** PyTorch's defaults: mean reduction, delta 1. */
    public HuberLoss() {
        this("mean", 1f);
    }

    /**
     * With PyTorch's {@code reduction} ({@code "none"}, {@code "mean"} or {@code "sum"}) and {@code delta}.
     *
     * @throws IllegalArgumentException for another reduction or a delta that is not positive
     */
    public HuberLoss(String reduction, float delta) {
        this.reduction = checkReduction("HuberLoss", reduction);
        if (!(delta > 0f)) {
            throw new IllegalArgumentException("HuberLoss: delta must be positive, got " + delta);
        }
        this.delta = delta;
    }

    /** Moves this module's parameters (it has none); see {@link Module#to}. Returns this HuberLoss. */
    @Override
    public HuberLoss to(Device device) {
        super.to(device);
        return this;
    }

    @Override
    public HuberLoss train() {
        super.train();
        return this;
    }

    @Override
    public HuberLoss eval() {
        super.eval();
        return this;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Functional.huberLoss(input, target, reduction, delta);
    }
}
