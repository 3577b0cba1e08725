package dev.tensorj.optim;

import java.util.Arrays;
import java.util.Objects;

/**
 * Multiplies the rate by {@code gamma} at each milestone epoch, as
 * {@code torch.optim.lr_scheduler.MultiStepLR}: {@code lr = baseLr · gamma^(milestones ≤ epoch)}.
 * Milestones may come in any order; one given twice multiplies twice there (PyTorch's Counter).
 */
public class MultiStepLR extends LRScheduler {
    private final int[] milestones;
    private final double gamma;

    /**
     * PyTorch's {@code MultiStepLR(optimizer, milestones)} with {@code gamma = 0.1}.
     *
     * @throws IllegalArgumentException as {@link #MultiStepLR(Optimizer, int[], double)}
     */
    public MultiStepLR(Optimizer optimizer, int[] milestones) {
        this(optimizer, milestones, 0.1);
    }

    /**
     * PyTorch's {@code MultiStepLR(optimizer, milestones, gamma)}.
     *
     * @throws IllegalArgumentException if {@code gamma} is negative or NaN
     * @throws NullPointerException if {@code optimizer} or {@code milestones} is null
     */
    public MultiStepLR(Optimizer optimizer, int[] milestones, double gamma) {
        super(optimizer);
        Objects.requireNonNull(milestones, "MultiStepLR: milestones is null");
        require(gamma >= 0, "gamma must be >= 0, got " + gamma);
        this.milestones = milestones.clone();
        Arrays.sort(this.milestones);
        this.gamma = gamma;
        initialStep();
    }

    /** PyTorch's chainable rule: at a milestone, the rate times {@code gamma} once per time it is listed. */
    @Override
    protected double computeLr(int group) {
        long times = Arrays.stream(milestones).filter(m -> m == lastEpoch).count();
        return times == 0 ? groupLr(group) : groupLr(group) * Math.pow(gamma, times);
    }

    /** {@code baseLr · gamma^(number of milestones ≤ epoch)} (PyTorch's {@code bisect_right}). */
    @Override
    protected double closedFormLr(int group) {
        long passed = Arrays.stream(milestones).filter(m -> m <= lastEpoch).count();
        return baseLr(group) * Math.pow(gamma, passed);
    }
}
