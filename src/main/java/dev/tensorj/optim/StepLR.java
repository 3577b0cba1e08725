package dev.tensorj.optim;

/**
 * Multiplies the rate by {@code gamma} every {@code stepSize} epochs, as
 * {@code torch.optim.lr_scheduler.StepLR}: {@code lr = baseLr · gamma^⌊epoch / stepSize⌋}.
 */
public class StepLR extends LRScheduler {
    private final int stepSize;
    private final double gamma;

    /**
     * PyTorch's {@code StepLR(optimizer, step_size)} with {@code gamma = 0.1}.
     *
     * @throws IllegalArgumentException as {@link #StepLR(Optimizer, int, double)}
     */
    public StepLR(Optimizer optimizer, int stepSize) {
        this(optimizer, stepSize, 0.1);
    }

    /**
     * PyTorch's {@code StepLR(optimizer, step_size, gamma)}.
     *
     * @throws IllegalArgumentException if {@code stepSize < 1} (PyTorch would divide by zero) or
     *     {@code gamma} is negative or NaN
     * @throws NullPointerException if {@code optimizer} is null
     */
    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        super(optimizer);
        require(stepSize >= 1, "stepSize must be >= 1, got " + stepSize);
        require(gamma >= 0, "gamma must be >= 0, got " + gamma);
        this.stepSize = stepSize;
        this.gamma = gamma;
        initialStep();
    }

    /** PyTorch's chainable rule: the rate times {@code gamma} at each multiple of {@code stepSize}. */
    @Override
    protected double computeLr(int group) {
        boolean decay = lastEpoch != 0 && lastEpoch % stepSize == 0;
        return decay ? groupLr(group) * gamma : groupLr(group);
    }

    /** {@code baseLr · gamma^⌊epoch / stepSize⌋}. */
    @Override
    protected double closedFormLr(int group) {
        return baseLr(group) * Math.pow(gamma, Math.floorDiv(lastEpoch, stepSize));
    }
}
