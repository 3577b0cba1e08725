package dev.tensorj.optim;

import java.util.Arrays;
import java.util.Objects;

/**
 * The 1cycle policy, as {@code torch.optim.lr_scheduler.OneCycleLR}: call {@link #step()} after
 * every batch. The rate starts at {@code maxLr / divFactor} (whatever the optimizer's rate was),
 * rises to {@code maxLr} over the first {@code pctStart · totalSteps − 1} steps, then falls to
 * {@code maxLr / divFactor / finalDivFactor} at step {@code totalSteps − 1}; with {@code threePhase}
 * it first falls back to the start rate (at step {@code 2 · pctStart · totalSteps − 2}), then to the
 * minimum. Each phase anneals along a cosine ({@code "cos"}:
 * {@code end + (start − end)(1 + cos(π·pct)) / 2}) or a line ({@code "linear"}:
 * {@code start + (end − start)·pct}), {@code pct} being the fraction of the phase done. Not
 * chainable, as in PyTorch.
 *
 * <p>Momentum is not cycled (PyTorch's {@code cycle_momentum}): tensorj's optimizers have no
 * settable momentum yet.
 */
public class OneCycleLR extends LRScheduler {
    private final int totalSteps;
    private final boolean cosine;
    private final double maxLr;
    private final double minLr;
    private final double[] phaseEnds;
    private final double[] phaseStartLrs;
    private final double[] phaseEndLrs;

    /**
     * PyTorch's {@code OneCycleLR(optimizer, max_lr, total_steps)} with its defaults:
     * {@code pct_start = 0.3}, {@code anneal_strategy = "cos"}, {@code div_factor = 25},
     * {@code final_div_factor = 1e4}, two phases.
     *
     * @throws IllegalArgumentException as the full constructor
     */
    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps) {
        this(optimizer, maxLr, totalSteps, 0.3, "cos", 25.0, 1e4, false);
    }

    /**
     * PyTorch's {@code OneCycleLR(optimizer, max_lr, total_steps, pct_start=, anneal_strategy=,
     * div_factor=, final_div_factor=, three_phase=)}, in PyTorch's order (without the momentum
     * arguments). For PyTorch's {@code epochs} and {@code steps_per_epoch}, pass their product as
     * {@code totalSteps}.
     *
     * @throws IllegalArgumentException if {@code totalSteps < 1}, {@code pctStart} is not in
     *     [0, 1], {@code annealStrategy} is not {@code "cos"} or {@code "linear"} (PyTorch's
     *     checks), or {@code maxLr} is negative or NaN, or {@code divFactor} or
     *     {@code finalDivFactor} is not > 0
     * @throws NullPointerException if {@code optimizer} or {@code annealStrategy} is null
     */
    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps, double pctStart, String annealStrategy,
            double divFactor, double finalDivFactor, boolean threePhase) {
        super(optimizer);
        Objects.requireNonNull(annealStrategy, "OneCycleLR: annealStrategy is null");
        require(totalSteps >= 1, "totalSteps must be >= 1, got " + totalSteps);
        require(pctStart >= 0 && pctStart <= 1, "pctStart must be in [0, 1], got " + pctStart);
        require(annealStrategy.equals("cos") || annealStrategy.equals("linear"),
                "annealStrategy must be \"cos\" or \"linear\", got \"" + annealStrategy + "\"");
        require(maxLr >= 0, "maxLr must be >= 0, got " + maxLr);
        require(divFactor > 0 && finalDivFactor > 0,
                "divFactor and finalDivFactor must be > 0, got " + divFactor + " and " + finalDivFactor);
        this.totalSteps = totalSteps;
        this.cosine = annealStrategy.equals("cos");
        this.maxLr = maxLr;
        double initialLr = maxLr / divFactor;
        this.minLr = initialLr / finalDivFactor;
        double rise = pctStart * totalSteps - 1;
        if (threePhase) {
            phaseEnds = new double[] {rise, 2 * pctStart * totalSteps - 2, totalSteps - 1};
            phaseStartLrs = new double[] {initialLr, maxLr, initialLr};
            phaseEndLrs = new double[] {maxLr, initialLr, minLr};
        } else {
            phaseEnds = new double[] {rise, totalSteps - 1};
            phaseStartLrs = new double[] {initialLr, maxLr};
            phaseEndLrs = new double[] {maxLr, minLr};
        }
        double[] initial = new double[GroupLrs.groups(optimizer)];
        Arrays.fill(initial, initialLr);
        GroupLrs.setInitialLrs(optimizer, initial); // PyTorch sets group["initial_lr"] unconditionally
        initialStep();
    }

    /**
     * Advances one batch.
     *
     * @throws IllegalStateException if the scheduler has already taken {@code totalSteps} steps
     *     after its first (PyTorch's "Tried to step ... times"); nothing changes
     */
    @Override
    public void step() {
        if (lastEpoch + 1 > totalSteps) {
            throw new IllegalStateException("OneCycleLR: tried to step " + (lastEpoch + 1)
                    + " times; the specified number of total steps is " + totalSteps);
        }
        super.step();
    }

    /** The rate of the phase the step falls in (the last phase also past its end). */
    @Override
    protected double computeLr(int group) {
        double start = 0;
        for (int i = 0; i < phaseEnds.length; i++) {
            double end = phaseEnds[i];
            if (lastEpoch <= end || i == phaseEnds.length - 1) {
                double pct = (lastEpoch - start) / (end - start);
                return anneal(phaseStartLrs[i], phaseEndLrs[i], pct);
            }
            start = end;
        }
        throw new AssertionError("unreachable: the last phase always matches");
    }

    private double anneal(double start, double end, double pct) {
        return cosine ? end + (start - end) / 2.0 * (Math.cos(Math.PI * pct) + 1) : (end - start) * pct + start;
    }

    /** The highest rate of the cycle. */
    public double maxLr() {
        return maxLr;
    }

    /** The rate at the end of the cycle, {@code maxLr / divFactor / finalDivFactor}. */
    public double minLr() {
        return minLr;
    }
}
