package dev.tensorj.backend;

/**
 * One SGD update, PyTorch's rule: {@code g = grad + weightDecay * p} (skipped when weightDecay is
 * 0, as PyTorch does, so an infinite weight does not turn into NaN); with momentum,
 * {@code buf = firstStep ? g : momentum * buf + (1 - dampening) * g} and
 * {@code g = nesterov ? g + momentum * buf : buf}; then {@code p -= lr * g}.
 */
public final class SgdParams {
    public final float lr;
    public final float momentum;
    public final float dampening;
    public final float weightDecay;
    public final boolean nesterov;
    public final boolean firstStep;

    public SgdParams(float lr, float momentum, float dampening, float weightDecay,
                     boolean nesterov, boolean firstStep) {
        this.lr = lr;
        this.momentum = momentum;
        this.dampening = dampening;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
        this.firstStep = firstStep;
    }
}
