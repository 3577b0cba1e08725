package dev.tensorj.optim;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Runs schedulers one after another, switching at milestone epochs, as
 * {@code torch.optim.lr_scheduler.SequentialLR}: a warm-up, then a decay, say
 * <pre>{@code
 * new SequentialLR(sgd, List.of(new LinearLR(sgd, 0.1, 1.0, 5), new CosineAnnealingLR(sgd, 95)), new int[] {5});
 * }</pre>
 * Building it puts the rate back to its {@code initial_lr} and starts the first scheduler again
 * (the others' own first steps are undone); at milestone {@code milestones[i]} scheduler
 * {@code i + 1} restarts at its epoch 0, with the closed form where it has one (PyTorch's
 * {@code step(0)}), and runs from there.
 */
public class SequentialLR extends LRScheduler {
    private final List<LRScheduler> schedulers;
    private final int[] milestones;

    /**
     * PyTorch's {@code SequentialLR(optimizer, schedulers, milestones)}.
     *
     * @throws IllegalArgumentException if {@code schedulers} is empty or one of them belongs to
     *     another optimizer, or there are not {@code schedulers.size() - 1} milestones in
     *     non-decreasing order
     * @throws NullPointerException if an argument or a scheduler is null
     */
    public SequentialLR(Optimizer optimizer, List<LRScheduler> schedulers, int[] milestones) {
        super(optimizer);
        this.schedulers = checkedChildren(schedulers);
        Objects.requireNonNull(milestones, "SequentialLR: milestones is null");
        require(milestones.length == schedulers.size() - 1, "expects " + (schedulers.size() - 1)
                + " milestones (one fewer than schedulers), got " + milestones.length);
        for (int i = 1; i < milestones.length; i++) {
            require(milestones[i - 1] <= milestones[i], "milestones must be in non-decreasing order, got "
                    + Arrays.toString(milestones));
        }
        this.milestones = milestones.clone();
        baseLrs = GroupLrs.initialLrs(optimizer);
        for (int g = 0; g < baseLrs.length; g++) {
            GroupLrs.setLr(optimizer, g, baseLrs[g]);
        }
        for (LRScheduler s : this.schedulers) {
            s.lastEpoch--;
        }
        this.schedulers.get(0).initialStep();
        lastEpoch = 0;
        lastLr = this.schedulers.get(0).lastLr.clone();
    }

    /** Advances one epoch: steps the scheduler in charge, restarting it at its milestone. */
    @Override
    public void step() {
        int epoch = lastEpoch + 1;
        int idx = 0;
        while (idx < milestones.length && milestones[idx] <= epoch) {
            idx++; // PyTorch's bisect_right
        }
        LRScheduler s = schedulers.get(idx);
        if (idx > 0 && milestones[idx - 1] == epoch) {
            s.stepTo(0);
        } else {
            s.step();
        }
        lastEpoch = epoch;
        stepCount++;
        lastLr = s.lastLr.clone();
    }

    /**
     * Not used: a SequentialLR steps through its schedulers. (So a SequentialLR cannot follow a
     * milestone inside another SequentialLR, as in PyTorch, whose SequentialLR.step takes no epoch.)
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    protected double computeLr(int group) {
        throw new UnsupportedOperationException("SequentialLR: cannot restart at an epoch inside another SequentialLR");
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
