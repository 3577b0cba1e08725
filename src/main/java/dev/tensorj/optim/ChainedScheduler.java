package dev.tensorj.optim;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Steps several schedulers of one optimizer together, each acting on the rate the previous one
 * left, as {@code torch.optim.lr_scheduler.ChainedScheduler}; for chainable schedulers (all but
 * {@link OneCycleLR}) the rate is then the product of their factors. Building it changes nothing:
 * each scheduler already took its first step when it was built. {@link #lastEpoch()} counts this
 * scheduler's steps from 0.
 */
public class ChainedScheduler extends LRScheduler {
    private final List<LRScheduler> schedulers;

    /**
     * PyTorch's {@code ChainedScheduler(schedulers)}; the optimizer is theirs.
     *
     * @throws IllegalArgumentException if {@code schedulers} is empty or they belong to different
     *     optimizers
     * @throws NullPointerException if {@code schedulers} or one of them is null
     */
    public ChainedScheduler(List<LRScheduler> schedulers) {
        super(first(schedulers).optimizer);
        this.schedulers = checkedChildren(schedulers);
        baseLrs = GroupLrs.initialLrs(optimizer);
        lastEpoch = 0;
        lastLr = GroupLrs.lrs(optimizer);
    }

    private static LRScheduler first(List<LRScheduler> schedulers) {
        Objects.requireNonNull(schedulers, "ChainedScheduler: schedulers is null");
        if (schedulers.isEmpty()) {
            throw new IllegalArgumentException("ChainedScheduler: expects at least one scheduler");
        }
        return Objects.requireNonNull(schedulers.get(0), "ChainedScheduler: schedulers[0] is null");
    }

    /** Steps every scheduler, in order. */
    @Override
    public void step() {
        for (LRScheduler s : schedulers) {
            s.step();
        }
        lastEpoch++;
        stepCount++;
        lastLr = GroupLrs.lrs(optimizer);
    }

    /**
     * Not used: a ChainedScheduler steps its schedulers.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    protected double computeLr(int group) {
        throw new UnsupportedOperationException("ChainedScheduler: cannot restart at an epoch inside a SequentialLR");
    }

    /** The schedulers, in order. */
    public List<LRScheduler> schedulers() {
        return schedulers;
    }

    /** Its counters as {@link LRScheduler#stateDict()}, and its schedulers' as {@code _schedulers}. */
    @Override
    public Map<String, Object> stateDict() {
        return stateDictWith(schedulers);
    }

    /**
     * Restores {@link #stateDict()}: its counters and each scheduler's; all or nothing.
     *
     * @throws IllegalArgumentException if a map is incomplete or malformed (nothing changes)
     * @throws NullPointerException if {@code state} is null
     */
    @Override
    public void loadStateDict(Map<String, ?> state) {
        loadStateDictWith(state, schedulers);
    }
}
