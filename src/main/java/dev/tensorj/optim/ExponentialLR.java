package dev.tensorj.optim;

/**
 * Multiplies the rate by {@code gamma} every epoch, as {@code torch.optim.lr_scheduler.ExponentialLR}:
 * {@code lr = baseLr · gamma^epoch}.
 */
public class ExponentialLR extends LRScheduler {
    private final double gamma;

    /**
     * PyTorch's {@code ExponentialLR(optimizer, gamma)}.
     *
     * @throws IllegalArgumentException if {@code gamma} is negative or NaN
     * @throws NullPointerException if {@code optimizer} is null
     */
    public ExponentialLR(Optimizer optimizer, double gamma) {
        super(optimizer);
        require(gamma >= 0, "gamma must be >= 0, got " + gamma);
        this.gamma = gamma;
        initialStep();
    }

    /** PyTorch's chainable rule: the rate times {@code gamma}, except at epoch 0. */
    @Override
    protected double computeLr(int group) {
        return lastEpoch == 0 ? groupLr(group) : groupLr(group) * gamma;
    }

    /** {@code baseLr · gamma^epoch}. */
    @Override
    protected double closedFormLr(int group) {
        return baseLr(group) * Math.pow(gamma, lastEpoch);
    }
}
