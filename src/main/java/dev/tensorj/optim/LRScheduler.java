package dev.tensorj.optim;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Changes an optimizer's learning rate as training goes on, as {@code torch.optim.lr_scheduler.LRScheduler}:
 * call {@link #step()} once per epoch (or per batch, for {@link OneCycleLR}) after the optimizer's
 * step. Building a scheduler performs its first step, setting the rate for epoch 0.
 * <pre>{@code
 * LRScheduler s = new StepLR(sgd, 30, 0.1);
 * for (int epoch = 0; epoch < 100; epoch++) {
 *     train(...);
 *     s.step();
 * }
 * }</pre>
 *
 * <p>As in PyTorch, each group's <em>base</em> rate is its {@code initial_lr}: the rate it had when
 * the first scheduler was built on the optimizer (a later scheduler on the same optimizer starts
 * from that rate too). The rates are computed in double, as PyTorch's Python floats, and set on the
 * optimizer rounded to float; see {@link #getLastLr()}.
 *
 * <p>A subclass implements {@link #computeLr(int)}, PyTorch's chainable {@code get_lr} that reads
 * the group's current rate, and, where PyTorch has one, {@link #closedFormLr(int)}. Its constructor
 * checks its arguments, sets its fields and calls {@link #initialStep()} last. There is no
 * {@code last_epoch} constructor argument: a run resumes with {@link #loadStateDict}.
 */
public abstract class LRScheduler implements Scheduler {
    private static final Set<String> KEYS = Set.of("last_epoch", "_step_count", "base_lrs", "_last_lr");

    final Optimizer optimizer;
    double[] baseLrs;
    double[] lastLr;
    int lastEpoch = -1;
    int stepCount;

    /**
     * A scheduler of {@code optimizer}'s rate; nothing changes until {@link #initialStep()}.
     *
     * @throws NullPointerException if {@code optimizer} is null
     */
    protected LRScheduler(Optimizer optimizer) {
        this.optimizer = Objects.requireNonNull(optimizer, name() + ": optimizer is null");
        int groups = GroupLrs.groups(optimizer);
        this.baseLrs = new double[groups];
        this.lastLr = new double[groups];
    }

    /**
     * PyTorch's {@code _initial_step}: records the base rates and takes the first step, to epoch 0.
     * Called last by a subclass constructor, after its arguments were checked.
     */
    protected final void initialStep() {
        baseLrs = GroupLrs.initialLrs(optimizer);
        stepCount = 0;
        step();
    }

    /**
     * Advances one epoch and sets each group's rate to {@link #computeLr(int)} of that epoch.
     *
     * @throws IllegalArgumentException if a computed rate is NaN (nothing changes); one below 0,
     *     which only rounding can give, is set as 0
     */
    public void step() {
        lastEpoch++;
        stepCount++;
        try {
            apply(this::computeLr);
        } catch (RuntimeException e) {
            lastEpoch--;
            stepCount--;
            throw e;
        }
    }

    /**
     * PyTorch's {@code step(epoch)}, for {@link SequentialLR}: jumps to {@code epoch} and sets the
     * closed-form rates of that epoch.
     */
    final void stepTo(int epoch) {
        int before = lastEpoch;
        lastEpoch = epoch;
        stepCount++;
        try {
            apply(this::closedFormLr);
        } catch (RuntimeException e) {
            lastEpoch = before;
            stepCount--;
            throw e;
        }
    }

    /** A group's rate at the current {@link #lastEpoch}. */
    interface GroupRate {
        double of(int group);
    }

    private void apply(GroupRate rate) {
        double[] lrs = new double[lastLr.length];
        for (int g = 0; g < lrs.length; g++) {
            double lr = rate.of(g);
            if (Double.isNaN(lr)) {
                throw new IllegalArgumentException(name() + ": computed learning rate NaN at epoch " + lastEpoch);
            }
            // The arguments are checked, so a rate below 0 can only come from rounding (the recursive
            // LinearLR towards endFactor 0 gives -1e-18 in PyTorch too): the optimizer gets 0.
            lrs[g] = Math.max(0.0, lr);
        }
        for (int g = 0; g < lrs.length; g++) {
            GroupLrs.setLr(optimizer, g, lrs[g]);
        }
        lastLr = lrs;
    }

    /**
     * Group {@code group}'s rate for epoch {@link #lastEpoch()}, already advanced, computed from the
     * group's current rate {@link #groupLr(int)} as PyTorch's {@code get_lr} does, so that
     * schedulers chain.
     */
    protected abstract double computeLr(int group);

    /**
     * Group {@code group}'s rate at epoch {@link #lastEpoch()} from its base rate alone (PyTorch's
     * {@code _get_closed_form_lr}); by default, where PyTorch has none, {@link #computeLr(int)}.
     */
    protected double closedFormLr(int group) {
        return computeLr(group);
    }

    /** The optimizer whose rate this scheduler sets. */
    @Override
    public Optimizer optimizer() {
        return optimizer;
    }

    /** The epoch of the last step: 0 after construction, then one more per {@link #step()}. */
    @Override
    public int lastEpoch() {
        return lastEpoch;
    }

    /** Group {@code group}'s base rate, its {@code initial_lr}. */
    protected double baseLr(int group) {
        return baseLrs[group];
    }

    /**
     * Group {@code group}'s current rate, in double as this package's schedulers last set it, or
     * the optimizer's rate if someone set another since (PyTorch's {@code group["lr"]}).
     */
    protected double groupLr(int group) {
        return GroupLrs.lr(optimizer, group);
    }

    /**
     * The rates the last step computed, one per parameter group, in double (PyTorch's
     * {@code get_last_lr()}); the optimizer holds each rounded to float.
     */
    @Override
    public List<Double> getLastLr() {
        return boxed(lastLr);
    }

    /**
     * This scheduler's counters, as PyTorch's {@code state_dict()} names them: {@code last_epoch}
     * and {@code _step_count} (Integer), {@code base_lrs} and {@code _last_lr} (a List of Double per
     * group). Options given to the constructor are not included: rebuild the scheduler with them, then
     * {@link #loadStateDict} (a combined scheduler adds its schedulers' maps as {@code _schedulers}).
     */
    @Override
    public Map<String, Object> stateDict() {
        return stateDictOwn();
    }

    private Map<String, Object> stateDictOwn() {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("last_epoch", lastEpoch);
        state.put("_step_count", stepCount);
        state.put("base_lrs", boxed(baseLrs));
        state.put("_last_lr", getLastLr());
        return state;
    }

    /**
     * Restores the counters of {@link #stateDict()}, and remembers the loaded {@code _last_lr} as
     * the exact rates, so that a run resumed with the optimizer's own state continues as it would
     * have; the optimizer's rate is not changed (as in PyTorch, it comes with the optimizer's state).
     *
     * @throws IllegalArgumentException if a key is missing or unknown or a value has the wrong type
     *     or length (nothing changes)
     * @throws NullPointerException if {@code state} is null
     */
    @Override
    public void loadStateDict(Map<String, ?> state) {
        Objects.requireNonNull(state, name() + ".loadStateDict: state is null");
        loadOwn(state);
    }

    private void loadOwn(Map<String, ?> state) {
        StateDicts.checkKeys(name(), state, KEYS);
        int epoch = StateDicts.intValue(name(), state, "last_epoch");
        int steps = StateDicts.intValue(name(), state, "_step_count");
        double[] base = StateDicts.doubles(name(), state, "base_lrs", lastLr.length);
        double[] last = StateDicts.doubles(name(), state, "_last_lr", lastLr.length);
        lastEpoch = epoch;
        stepCount = steps;
        baseLrs = base;
        lastLr = last;
        GroupLrs.setInitialLrs(optimizer, base);
        for (int g = 0; g < last.length; g++) {
            GroupLrs.rememberLr(optimizer, g, last[g]);
        }
    }

    // ---- helpers shared by the schedulers' state dicts

    /** Checks the schedulers a combined scheduler is given: at least one, none null, all on its optimizer. */
    final List<LRScheduler> checkedChildren(List<LRScheduler> schedulers) {
        Objects.requireNonNull(schedulers, name() + ": schedulers is null");
        require(!schedulers.isEmpty(), "expects at least one scheduler");
        for (int i = 0; i < schedulers.size(); i++) {
            LRScheduler s = Objects.requireNonNull(schedulers.get(i), name() + ": schedulers[" + i + "] is null");
            require(s.optimizer == optimizer, "expects all schedulers to belong to the same optimizer, but "
                    + "schedulers[" + i + "] (" + s.name() + ") has another");
        }
        return List.copyOf(schedulers);
    }

    /** A combined scheduler's state dict: its own counters and its schedulers' as {@code _schedulers}. */
    final Map<String, Object> stateDictWith(List<LRScheduler> children) {
        Map<String, Object> state = stateDictOwn();
        state.put("_schedulers", children.stream().map(LRScheduler::stateDict).toList());
        return state;
    }

    /**
     * Loads a combined scheduler's state dict: its own counters, then each of its schedulers'; all or
     * nothing (a scheduler's map that fails puts back everything loaded before it).
     */
    final void loadStateDictWith(Map<String, ?> state, List<LRScheduler> children) {
        Objects.requireNonNull(state, name() + ".loadStateDict: state is null");
        List<Map<String, ?>> maps = StateDicts.maps(name(), state, "_schedulers", children.size());
        Map<String, Object> own = new LinkedHashMap<>(state);
        own.remove("_schedulers");
        Map<String, Object> before = stateDictOwn();
        List<Map<String, Object>> childrenBefore = children.stream().map(LRScheduler::stateDict).toList();
        loadOwn(own);
        int loaded = 0;
        try {
            for (; loaded < children.size(); loaded++) {
                children.get(loaded).loadStateDict(maps.get(loaded));
            }
        } catch (RuntimeException e) {
            for (int i = 0; i < loaded; i++) {
                children.get(i).loadStateDict(childrenBefore.get(i));
            }
            loadOwn(before);
            throw e;
        }
    }

    static List<Double> boxed(double[] values) {
        return Arrays.stream(values).boxed().toList();
    }

    /** Throws an IllegalArgumentException naming this scheduler unless {@code ok}: for constructors. */
    final void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(name() + ": " + message);
        }
    }

    /** The class's simple name, for messages. */
    final String name() {
        String simple = getClass().getSimpleName();
        return simple.isEmpty() ? getClass().getName() : simple;
    }
}
