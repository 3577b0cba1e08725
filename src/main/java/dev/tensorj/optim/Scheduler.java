package dev.tensorj.optim;

import java.util.List;
import java.util.Map;

/**
 * What every learning-rate scheduler shares, whether it steps by epoch ({@link LRScheduler}) or by
 * a metric ({@link ReduceLROnPlateau}): the optimizer it drives, the rates it set last and its state
 * dict, so that a {@link Checkpoint} can save and restore either.
 */
public interface Scheduler {
    /** The optimizer whose rates this scheduler sets. */
    Optimizer optimizer();

    /** The epoch of the last step. */
    int lastEpoch();

    /** The rates after the last step, one per parameter group, in double (PyTorch's {@code get_last_lr()}). */
    List<Double> getLastLr();

    /** Everything this scheduler carries across steps, in the shape of PyTorch's {@code state_dict()}. */
    Map<String, Object> stateDict();

    /**
     * Restores a {@link #stateDict()} of a scheduler of the same kind, all or nothing.
     *
     * @throws IllegalArgumentException if the state does not fit this scheduler (nothing changes)
     */
    void loadStateDict(Map<String, ?> state);
}
