package dev.tensorj.optim;

/**
 * Anneals the rate along a cosine from its base rate to {@code etaMin} over {@code tMax} epochs, as
 * {@code torch.optim.lr_scheduler.CosineAnnealingLR}, with PyTorch's recursive form (so that it
 * chains with other schedulers and follows a rate changed from outside):
 * {@code lr_t = etaMin + (lr_{t-1} − etaMin) · (1 + cos(πt/tMax)) / (1 + cos(π(t−1)/tMax))}, and
 * at {@code t − 1 − tMax ≡ 0 (mod 2·tMax)}, where that quotient is 0/0,
 * {@code lr_t = lr_{t-1} + (baseLr − etaMin)(1 − cos(π/tMax)) / 2}. Left alone, it equals the closed
 * form {@code etaMin + (baseLr − etaMin)(1 + cos(πt/tMax)) / 2} to rounding, and keeps following the
 * cosine past {@code tMax} (back up, without restarts), as PyTorch's does.
 */
public class CosineAnnealingLR extends LRScheduler {
    private final int tMax;
    private final double etaMin;

    /**
     * PyTorch's {@code CosineAnnealingLR(optimizer, T_max)} with {@code eta_min = 0}.
     *
     * @throws IllegalArgumentException as {@link #CosineAnnealingLR(Optimizer, int, double)}
     */
    public CosineAnnealingLR(Optimizer optimizer, int tMax) {
        this(optimizer, tMax, 0.0);
    }

    /**
     * PyTorch's {@code CosineAnnealingLR(optimizer, T_max, eta_min)}.
     *
     * @throws IllegalArgumentException if {@code tMax < 1} (PyTorch would divide by zero) or
     *     {@code etaMin} is negative or NaN
     * @throws NullPointerException if {@code optimizer} is null
     */
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
        super(optimizer);
        require(tMax >= 1, "tMax must be >= 1, got " + tMax);
        require(etaMin >= 0, "etaMin must be >= 0, got " + etaMin);
        this.tMax = tMax;
        this.etaMin = etaMin;
        initialStep();
    }

    /** PyTorch's recursive rule (see the class comment). */
    @Override
    protected double computeLr(int group) {
        double lr = groupLr(group);
        if (lastEpoch == 0) {
            return lr;
        }
        if (Math.floorMod(lastEpoch - 1 - tMax, 2 * tMax) == 0) {
            return lr + (baseLr(group) - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
        }
        return (1 + Math.cos(Math.PI * lastEpoch / tMax)) / (1 + Math.cos(Math.PI * (lastEpoch - 1) / tMax))
                * (lr - etaMin) + etaMin;
    }

    /** {@code etaMin + (baseLr − etaMin)(1 + cos(π·epoch/tMax)) / 2}. */
    @Override
    protected double closedFormLr(int group) {
        return etaMin + (baseLr(group) - etaMin) * (1 + Math.cos(Math.PI * lastEpoch / tMax)) / 2;
    }
}
