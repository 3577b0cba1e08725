package dev.tensorj.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reduces the rate when a metric stops improving, as {@code torch.optim.lr_scheduler.ReduceLROnPlateau}:
 * call {@link #step(double)} with the epoch's metric (a validation loss, say). A metric is better
 * than the best so far when, in mode {@code "min"}, it is below {@code best·(1 − threshold)}
 * ({@code thresholdMode "rel"}) or {@code best − threshold} ({@code "abs"}); in mode {@code "max"},
 * above {@code best·(1 + threshold)} or {@code best + threshold}. After more than {@code patience}
 * epochs in a row without one, the rate becomes {@code max(lr·factor, minLr)} (unless that changes
 * it by {@code eps} or less), then {@code cooldown} epochs pass before bad epochs count again. A NaN
 * metric is never better.
 *
 * <p>Unlike PyTorch's, this is not an {@link LRScheduler}: its step takes the metric, so it can
 * never be put in a {@link SequentialLR} or {@link ChainedScheduler} (PyTorch rejects it there at
 * run time). Both are {@link Scheduler}s, so a {@link Checkpoint} saves and restores either.
 */
public class ReduceLROnPlateau implements Scheduler {
    private static final Set<String> KEYS = Set.of("best", "num_bad_epochs", "cooldown_counter", "last_epoch",
            "_last_lr");

    private final Optimizer optimizer;
    private final boolean max;
    private final double factor;
    private final int patience;
    private final double threshold;
    private final boolean relative;
    private final int cooldown;
    private final double minLr;
    private final double eps;
    private double best;
    private int numBadEpochs;
    private int cooldownCounter;
    private int lastEpoch;
    private double[] lastLr;

    /**
     * PyTorch's defaults: mode {@code "min"}, {@code factor = 0.1}, {@code patience = 10},
     * {@code threshold = 1e-4}, {@code threshold_mode = "rel"}, {@code cooldown = 0},
     * {@code min_lr = 0}, {@code eps = 1e-8}.
     *
     * @throws NullPointerException if {@code optimizer} is null
     */
    public ReduceLROnPlateau(Optimizer optimizer) {
        this(optimizer, "min", 0.1, 10, 1e-4, "rel", 0, 0.0, 1e-8);
    }

    /**
     * PyTorch's {@code ReduceLROnPlateau(optimizer, mode, factor, patience, threshold, threshold_mode,
     * cooldown, min_lr, eps)}, in its order.
     *
     * @throws IllegalArgumentException if {@code mode} is not {@code "min"} or {@code "max"},
     *     {@code thresholdMode} not {@code "rel"} or {@code "abs"}, {@code factor} not below 1
     *     (PyTorch's checks), or {@code factor} or {@code minLr} negative or NaN, or
     *     {@code patience}, {@code cooldown}, {@code threshold} or {@code eps} negative
     * @throws NullPointerException if {@code optimizer}, {@code mode} or {@code thresholdMode} is null
     */
    public ReduceLROnPlateau(Optimizer optimizer, String mode, double factor, int patience, double threshold,
            String thresholdMode, int cooldown, double minLr, double eps) {
        this.optimizer = Objects.requireNonNull(optimizer, "ReduceLROnPlateau: optimizer is null");
        Objects.requireNonNull(mode, "ReduceLROnPlateau: mode is null");
        Objects.requireNonNull(thresholdMode, "ReduceLROnPlateau: thresholdMode is null");
        require(mode.equals("min") || mode.equals("max"), "mode must be \"min\" or \"max\", got \"" + mode + "\"");
        require(thresholdMode.equals("rel") || thresholdMode.equals("abs"),
                "thresholdMode must be \"rel\" or \"abs\", got \"" + thresholdMode + "\"");
        require(factor < 1.0 && factor >= 0, "factor should be < 1.0 and >= 0, got " + factor);
        require(minLr >= 0, "minLr must be >= 0, got " + minLr);
        require(patience >= 0 && cooldown >= 0 && threshold >= 0 && eps >= 0,
                "patience, cooldown, threshold and eps must be >= 0, got " + patience + ", " + cooldown + ", "
                        + threshold + ", " + eps);
        this.max = mode.equals("max");
        this.factor = factor;
        this.patience = patience;
        this.threshold = threshold;
        this.relative = thresholdMode.equals("rel");
        this.cooldown = cooldown;
        this.minLr = minLr;
        this.eps = eps;
        this.best = max ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        this.lastLr = GroupLrs.lrs(optimizer);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("ReduceLROnPlateau: " + message);
        }
    }

    /** Records the epoch's {@code metric} and reduces the rate if it has not improved for too long. */
    public void step(double metric) {
        lastEpoch++;
        if (isBetter(metric)) {
            best = metric;
            numBadEpochs = 0;
        } else {
            numBadEpochs++;
        }
        if (cooldownCounter > 0) {
            cooldownCounter--;
            numBadEpochs = 0; // bad epochs in cooldown are ignored
        }
        if (numBadEpochs > patience) {
            reduceLr();
            cooldownCounter = cooldown;
            numBadEpochs = 0;
        }
        lastLr = GroupLrs.lrs(optimizer);
    }

    private boolean isBetter(double a) {
        if (max) {
            return relative ? a > best * (threshold + 1) : a > best + threshold;
        }
        return relative ? a < best * (1 - threshold) : a < best - threshold;
    }

    private void reduceLr() {
        for (int g = 0; g < GroupLrs.groups(optimizer); g++) {
            double old = GroupLrs.lr(optimizer, g);
            double lr = Math.max(old * factor, minLr);
            if (old - lr > eps) {
                GroupLrs.setLr(optimizer, g, lr);
            }
        }
    }

    /** The optimizer whose rate this scheduler sets. */
    @Override
    public Optimizer optimizer() {
        return optimizer;
    }

    /** The number of {@link #step(double)} calls so far. */
    @Override
    public int lastEpoch() {
        return lastEpoch;
    }

    /** The best metric so far (infinite, of the wrong sign, before the first step). */
    public double best() {
        return best;
    }

    /** The rates after the last step, one per parameter group, in double (PyTorch's {@code get_last_lr()}). */
    @Override
    public List<Double> getLastLr() {
        return LRScheduler.boxed(lastLr);
    }

    /**
     * The counters, as PyTorch names them: {@code best} (Double), {@code num_bad_epochs},
     * {@code cooldown_counter}, {@code last_epoch} (Integer), {@code _last_lr} (a List of Double).
     */
    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("best", best);
        state.put("num_bad_epochs", numBadEpochs);
        state.put("cooldown_counter", cooldownCounter);
        state.put("last_epoch", lastEpoch);
        state.put("_last_lr", getLastLr());
        return state;
    }

    /**
     * Restores the counters of {@link #stateDict()}; the optimizer's rate is not changed (it comes
     * with the optimizer's state).
     *
     * @throws IllegalArgumentException if a key is missing or unknown or a value has the wrong type
     *     (nothing changes)
     * @throws NullPointerException if {@code state} is null
     */
    @Override
    public void loadStateDict(Map<String, ?> state) {
        Objects.requireNonNull(state, "ReduceLROnPlateau.loadStateDict: state is null");
        String owner = "ReduceLROnPlateau";
        StateDicts.checkKeys(owner, state, KEYS);
        double newBest = StateDicts.doubleValue(owner, state, "best");
        int bad = StateDicts.intValue(owner, state, "num_bad_epochs");
        int cooling = StateDicts.intValue(owner, state, "cooldown_counter");
        int epoch = StateDicts.intValue(owner, state, "last_epoch");
        double[] last = StateDicts.doubles(owner, state, "_last_lr", lastLr.length);
        best = newBest;
        numBadEpochs = bad;
        cooldownCounter = cooling;
        lastEpoch = epoch;
        lastLr = last;
        for (int g = 0; g < last.length; g++) {
            GroupLrs.rememberLr(optimizer, g, last[g]);
        }
    }
}
