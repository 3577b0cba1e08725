package dev.tensorj.optim;

/**
 * Scales the rate by a factor that goes linearly from {@code startFactor} to {@code endFactor}
 * over {@code totalIters} epochs, then stays (a warm-up, by default), as
 * {@code torch.optim.lr_scheduler.LinearLR}:
 * {@code lr = baseLr · (startFactor + (endFactor − startFactor) · min(epoch, totalIters) / totalIters)}.
 * Steps use PyTorch's chainable form, which multiplies the current rate by the ratio of consecutive
 * factors.
 */
public class LinearLR extends LRScheduler {
    private final double startFactor;
    private final double endFactor;
    private final int totalIters;

    /**
     * PyTorch's defaults: {@code start_factor = 1/3}, {@code end_factor = 1}, {@code total_iters = 5}.
     *
     * @throws NullPointerException if {@code optimizer} is null
     */
    public LinearLR(Optimizer optimizer) {
        this(optimizer, 1.0 / 3, 1.0, 5);
    }

    /**
     * PyTorch's {@code LinearLR(optimizer, start_factor, end_factor, total_iters)}.
     *
     * @throws IllegalArgumentException if {@code startFactor} is not in (0, 1], {@code endFactor}
     *     not in [0, 1] (PyTorch's checks), or {@code totalIters < 1} (PyTorch would divide by zero)
     * @throws NullPointerException if {@code optimizer} is null
     */
    public LinearLR(Optimizer optimizer, double startFactor, double endFactor, int totalIters) {
        super(optimizer);
        require(startFactor > 0 && startFactor <= 1,
                "startFactor must be in (0, 1], got " + startFactor);
        require(endFactor >= 0 && endFactor <= 1, "endFactor must be in [0, 1], got " + endFactor);
        require(totalIters >= 1, "totalIters must be >= 1, got " + totalIters);
        this.startFactor = startFactor;
        this.endFactor = endFactor;
        this.totalIters = totalIters;
        initialStep();
    }

    /** PyTorch's chainable rule: the rate times the ratio of this epoch's factor to the last one's. */
    @Override
    protected double computeLr(int group) {
        double lr = groupLr(group);
        if (lastEpoch == 0) {
            return lr * startFactor;
        }
        if (lastEpoch > totalIters) {
            return lr;
        }
        return lr * (1.0 + (endFactor - startFactor)
                / (totalIters * startFactor + (lastEpoch - 1) * (endFactor - startFactor)));
    }

    /** {@code baseLr · (startFactor + (endFactor − startFactor) · min(epoch, totalIters) / totalIters)}. */
    @Override
    protected double closedFormLr(int group) {
        return baseLr(group)
                * (startFactor + (endFactor - startFactor) * Math.min(totalIters, lastEpoch) / totalIters);
    }
}
