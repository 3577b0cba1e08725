package dev.tensorj.optim;

import dev.tensorj.IdleGpuPolicy;
import dev.tensorj.NoGrad;
import dev.tensorj.Tensor;
import dev.tensorj.internal.Grads;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Updates parameters from their gradients, as {@code torch.optim.Optimizer}. The parameters come
 * in one or more {@link ParamGroup}s, each with its own options ({@link GroupOptions}, learning
 * rate included); an optimizer built from a parameter list has one group. A new optimizer is one
 * file: a subclass implements {@link #update} with in-place tensor ops, keeping what it needs across
 * steps in {@link #state}; {@link #step()} does the rest (the idle-GPU check, checking every
 * parameter before any changes, moving state to its parameter's device, no-grad).
 *
 * <p>Per-parameter state (such as SGD's momentum buffers) follows its parameter: when a step finds
 * state on another device than its parameter, because the model was moved with
 * {@link dev.tensorj.nn.Module#to} after earlier steps, it moves the state to the parameter's
 * device first. So an optimizer built before a move keeps working, with the values it would have
 * had on the new device all along.
 */
public abstract class Optimizer {
    private static final Logger LOG = LoggerFactory.getLogger(Optimizer.class);
    /** The optimizers of this package, whose rules keep no reference to a gradient (see {@link #gradOf}). */
    private static final java.util.Set<Class<?>> OWN_RULES =
            java.util.Set.of(SGD.class, Adam.class, AdamW.class, RMSprop.class, Adagrad.class);

    private final boolean ownRule = OWN_RULES.contains(getClass());
    /** Every parameter, group after group: the order of {@link #stateDict()}'s indices. */
    private final List<Tensor> params = new ArrayList<>();
    /** Each group's parameters. */
    private final List<List<Tensor>> groupParams = new ArrayList<>();
    /** Each group's current options; a new rate replaces them ({@link GroupOptions#withLr}). */
    private final List<GroupOptions> groupOptions = new ArrayList<>();
    /** The group of each parameter. */
    private final Map<Tensor, Integer> groupOf = new IdentityHashMap<>();
    private final Map<Tensor, Map<String, Tensor>> state = new IdentityHashMap<>();
    /** Per parameter, the number of steps that updated it, for optimizers that count (Adam's "step"). */
    private final Map<Tensor, long[]> steps = new IdentityHashMap<>();
    /** The op that step()'s checks name ({@code sgd.step}), made once: a step builds no string. */
    private final String stepOp = name().toLowerCase(java.util.Locale.ROOT) + ".step";

    /**
     * An optimizer of {@code params} in one group whose options are the learning rate {@code lr}
     * alone ({@link GroupOptions.Lr}): the shortest start for a rule of one's own,
     * <pre>{@code
     * Optimizer plainSgd = new Optimizer(model.parameters(), 0.01f) {
     *     protected void update(Tensor param, Tensor grad, GroupOptions options) {
     *         param.add_(grad, -options.lr());
     *     }
     * };
     * }</pre>
     *
     * @throws IllegalArgumentException as {@link #Optimizer(List)}, or if {@code lr} is negative or NaN
     */
    protected Optimizer(Collection<Tensor> params, float lr) {
        this(List.of(new ParamGroup<>(params, new GroupOptions.Lr(lr))));
    }

    /**
     * An optimizer of {@code groups}, each checked with {@link #checkOptions}.
     *
     * @throws IllegalArgumentException if there is no group, a group has no parameters, a tensor is
     *     not a leaf requiring grad or appears twice (in one group or in two), or a group's options
     *     fail {@link #checkOptions}
     * @throws NullPointerException if {@code groups} or a group is null
     */
    protected Optimizer(List<? extends ParamGroup<?>> groups) {
        java.util.Objects.requireNonNull(groups, name() + ": groups is null");
        if (groups.isEmpty()) {
            throw new IllegalArgumentException(name() + ": got no parameter group");
        }
        for (ParamGroup<?> group : groups) {
            addParamGroup(group);
        }
    }

    /**
     * Adds a group of parameters with its own options, as PyTorch's {@code add_param_group} (for
     * example the layers unfrozen part-way through fine-tuning). The new parameters have no state
     * until their first step. Schedulers built before do not change the new group's rate.
     *
     * @throws IllegalArgumentException if the group has no parameters, one of them is not a leaf
     *     requiring grad or is already in this optimizer (or twice in the group), or its options are
     *     not this optimizer's kind or fail {@link #checkOptions}; nothing changes then
     * @throws NullPointerException if {@code group} is null
     */
    public final void addParamGroup(ParamGroup<?> group) {
        java.util.Objects.requireNonNull(group, name() + ".addParamGroup: group is null");
        GroupOptions options = group.options();
        if (!groupOptions.isEmpty() && options.getClass() != groupOptions.get(0).getClass()) {
            throw new IllegalArgumentException(name() + ".addParamGroup: a group's options must be "
                    + groupOptions.get(0).getClass().getName() + ", got " + options.getClass().getName());
        }
        checkOptions(options); // the optimizer's own message first: it names every option
        checkLr(options.lr());
        if (group.params().isEmpty()) {
            throw new IllegalArgumentException(name() + ": parameter group " + groupOptions.size()
                    + " has no parameters");
        }
        Map<Tensor, Boolean> seen = new IdentityHashMap<>();
        for (Tensor p : group.params()) {
            if (!p.isLeaf() || !p.requiresGrad()) {
                throw new IllegalArgumentException(name() + ": can only optimize leaf tensors that require grad, got "
                        + p);
            }
            if (groupOf.containsKey(p) || seen.put(p, Boolean.TRUE) != null) {
                throw new IllegalArgumentException(name() + ": a parameter of shape " + Arrays.toString(p.shape())
                        + " appears twice (each parameter may be in one group, once)");
            }
        }
        int g = groupOptions.size();
        for (Tensor p : group.params()) {
            groupOf.put(p, g);
            params.add(p);
        }
        groupParams.add(group.params());
        groupOptions.add(options);
    }

    /**
     * Checks a group's options other than the learning rate (which this class checks), throwing
     * IllegalArgumentException naming the optimizer and the values. Called by the constructor and
     * {@link #addParamGroup}, before the group is added: an override reads nothing but
     * {@code options}. The default accepts anything.
     */
    protected void checkOptions(GroupOptions options) {
    }

    /**
     * {@code p}'s gradient for {@link #update}. The library's own optimizers keep no reference to
     * it past the step, so they read it without handing it out ({@link Grads}), and
     * {@link #zeroGrad()} can return its memory for the next backward; a subclass of any other
     * class gets it as {@link Tensor#grad()} hands it out, since it might keep it.
     */
    private Tensor gradOf(Tensor p) {
        return ownRule ? Grads.peek(p) : p.grad();
    }

    /**
     * Drops every parameter's gradient (PyTorch's default {@code set_to_none=True}); a gradient
     * nobody was handed is closed, so the next backward reuses its memory ({@link Tensor#zeroGrad()}).
     */
    public void zeroGrad() {
        for (int i = 0; i < params.size(); i++) { // indexed, here and in step(): no iterator per call
            params.get(i).zeroGrad();
        }
    }

    /**
     * Updates every parameter that has a gradient, in place, on its own device: first checks every
     * such parameter against its gradient (so an error changes nothing), moves state that is not
     * on its parameter's device there, then calls {@link #update} for each, under no-grad.
     *
     * @throws dev.tensorj.DeviceMismatchException if a parameter and its gradient are not on one
     *     device (op {@code <name>.step}, e.g. {@code sgd.step}, roles {@code param} and {@code grad})
     * @throws dev.tensorj.TensorClosedException if a parameter or gradient is closed
     * @throws dev.tensorj.IdleGpuException under {@code IdleGpuPolicy.Mode.STRICT}, when the
     *     parameters are on the CPU while a GPU is available
     */
    public final void step() {
        IdleGpuPolicy.checkStep(this, params);
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            Tensor grad = gradOf(p);
            if (grad != null) {
                Tensor.checkSameDevice(stepOp, "param", p, "grad", grad);
            }
        }
        moveStateToParameters();
        try (NoGrad g = NoGrad.enter()) {
            for (int group = 0; group < groupParams.size(); group++) {
                GroupOptions options = groupOptions.get(group);
                List<Tensor> ps = groupParams.get(group);
                for (int i = 0; i < ps.size(); i++) {
                    Tensor p = ps.get(i);
                    Tensor grad = gradOf(p);
                    if (grad != null) {
                        update(p, grad, options);
                    }
                }
            }
        }
    }

    /**
     * Updates {@code param} in place from {@code grad} with tensor ops ({@code param.sub_(...)}),
     * under no-grad, with the options of the parameter's group (of this optimizer's options type;
     * their {@code lr()} is the group's current rate); {@code param} and {@code grad} are on one
     * device, checked. Called by {@link #step()} for each parameter that has a gradient.
     */
    protected abstract void update(Tensor param, Tensor grad, GroupOptions options);

    /** The parameters this optimizer updates, group after group. */
    public List<Tensor> parameters() {
        return java.util.Collections.unmodifiableList(params);
    }

    /**
     * The parameter groups, as PyTorch's {@code param_groups}: a new list of snapshots, each with
     * the group's parameters and its current options (learning rate included).
     */
    public List<ParamGroup<?>> paramGroups() {
        List<ParamGroup<?>> out = new ArrayList<>();
        for (int g = 0; g < groupParams.size(); g++) {
            out.add(new ParamGroup<>(groupParams.get(g), groupOptions.get(g)));
        }
        return out;
    }

    /** The number of parameter groups (PyTorch's {@code len(optimizer.param_groups)}). */
    public int numParamGroups() {
        return groupParams.size();
    }

    /**
     * The current options of group {@code group}, learning rate included; subclasses narrow the
     * type to their own options.
     *
     * @throws IndexOutOfBoundsException if there is no such group
     */
    public GroupOptions options(int group) {
        return groupOptions.get(group);
    }

    /**
     * The learning rate of the first group (PyTorch's {@code param_groups[0]["lr"]}), the one rate
     * of an optimizer built from a parameter list; see {@link #lr(int)}.
     */
    public float lr() {
        return lr(0);
    }

    /**
     * The learning rate the next {@link #step()} uses for group {@code group}.
     *
     * @throws IndexOutOfBoundsException if there is no such group
     */
    public float lr(int group) {
        return groupOptions.get(group).lr();
    }

    /**
     * Sets every group's learning rate from the next {@link #step()} on (PyTorch's
     * {@code for g in param_groups: g["lr"] = lr}).
     *
     * @throws IllegalArgumentException if {@code lr} is negative or NaN (no rate changes)
     */
    public void setLr(float lr) {
        checkLr(lr);
        for (int g = 0; g < groupOptions.size(); g++) {
            setLr(g, lr);
        }
    }

    /**
     * Sets group {@code group}'s learning rate from the next {@link #step()} on, as a learning-rate
     * scheduler does (PyTorch's {@code param_groups[group]["lr"] = lr}).
     *
     * @throws IllegalArgumentException if {@code lr} is negative or NaN (the rate is then unchanged)
     * @throws IndexOutOfBoundsException if there is no such group
     */
    public void setLr(int group, float lr) {
        checkLr(lr);
        groupOptions.set(group, groupOptions.get(group).withLr(lr));
    }

    private void checkLr(float lr) {
        if (!(lr >= 0f)) {
            throw new IllegalArgumentException(name() + ": lr must be >= 0, got " + lr);
        }
    }

    /** The state tensor {@code name} of {@code param}, or {@code null} before the step that creates it. */
    protected final Tensor state(Tensor param, String name) {
        Map<String, Tensor> s = state.get(param);
        return s == null ? null : s.get(name);
    }

    /**
     * What this optimizer keeps for {@code param}, as PyTorch's {@code optimizer.state[param]}: an
     * unmodifiable map from PyTorch's names ({@code "exp_avg"}, {@code "exp_avg_sq"},
     * {@code "momentum_buffer"}, ...) to the live state tensors on the parameter's device, in the
     * order they were created, and, for optimizers that count steps, {@code "step"}: a new 0-d
     * float32 CPU tensor holding the count (PyTorch keeps {@code step} as a float32 CPU tensor too;
     * the count itself lives on the host, so bias corrections never read a GPU). Empty before the
     * first step that updates {@code param}, and for a tensor this optimizer does not update.
     * Read the tensors; changing them in place changes the next step.
     */
    public Map<String, Tensor> state(Tensor param) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        long[] count = steps.get(param);
        if (count != null) {
            out.put("step", Tensor.scalar(count[0]));
        }
        Map<String, Tensor> s = state.get(param);
        if (s != null) {
            out.putAll(s);
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    /**
     * Counts one more step for {@code param} and returns the count (1 on its first update), for
     * the bias corrections and decays that depend on it; kept on the host and shown as
     * {@code "step"} by {@link #state(Tensor)}.
     */
    protected final long advanceStep(Tensor param) {
        return ++steps.computeIfAbsent(param, k -> new long[1])[0];
    }

    /** Records {@code value} as the state tensor {@code name} of {@code param}, on the parameter's device. */
    protected final void setState(Tensor param, String name, Tensor value) {
        state.computeIfAbsent(param, k -> new LinkedHashMap<>()).put(name, value);
    }

    /**
     * The state tensor {@code name} of {@code param}; on the parameter's first step, a new tensor of
     * its shape and device filled with {@code initial} (zeros for moment estimates), recorded first.
     */
    protected final Tensor stateOrFull(Tensor param, String name, float initial) {
        Tensor s = state(param, name);
        if (s == null) {
            s = Tensor.fullLike(param, initial);
            setState(param, name, s);
        }
        return s;
    }

    /**
     * PyTorch's first lines of most steps: the gradient negated when maximizing, then the L2 penalty
     * {@code weightDecay·param} added (skipped at 0). Returns {@code grad} itself when neither applies;
     * the caller closes the result with {@link #closeUnlessGrad}.
     */
    static Tensor directedGrad(Tensor param, Tensor grad, boolean maximize, float weightDecay) {
        Tensor g = maximize ? grad.neg() : grad;
        if (weightDecay != 0f) {
            Tensor decayed = g.add(param, weightDecay);
            closeUnlessGrad(g, grad);
            g = decayed;
        }
        return g;
    }

    /** Closes a temporary derived from the gradient at once (a GPU's memory is then reused), never the gradient itself. */
    static void closeUnlessGrad(Tensor temporary, Tensor grad) {
        if (temporary != grad) {
            temporary.close();
        }
    }

    /**
     * Moves every state tensor that is not on its parameter's device there, all or nothing: on
     * failure the copies are released and the state is as it was. Called at the start of a step,
     * after the parameters and gradients were checked.
     */
    private void moveStateToParameters() {
        if (state.isEmpty()) {
            return; // no state yet (plain SGD never has any): nothing to move, nothing allocated
        }
        List<Map<String, Tensor>> owners = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Tensor> copies = new ArrayList<>();
        List<Tensor> ofParam = new ArrayList<>();
        try (NoGrad g = NoGrad.enter()) {
            for (Map.Entry<Tensor, Map<String, Tensor>> e : state.entrySet()) {
                Tensor p = e.getKey();
                for (Map.Entry<String, Tensor> s : e.getValue().entrySet()) {
                    if (!s.getValue().device().equals(p.device())) {
                        Tensor copy = s.getValue().to(p.device());
                        owners.add(e.getValue());
                        names.add(s.getKey());
                        copies.add(copy);
                        ofParam.add(p);
                    }
                }
            }
        } catch (RuntimeException | Error e) {
            copies.forEach(Tensor::close);
            throw e;
        }
        for (int i = 0; i < copies.size(); i++) {
            Tensor old = owners.get(i).put(names.get(i), copies.get(i));
            LOG.debug("{}: moved the {} of a {} parameter from {} to {}, where its parameter now is",
                    name(), names.get(i), Arrays.toString(ofParam.get(i).shape()),
                    old.device(), ofParam.get(i).device());
            old.close();
        }
    }

    /**
     * A group's {@code options} other than {@code lr}, by PyTorch's names ({@code momentum},
     * {@code betas}, {@code weight_decay}, ...), for {@link #stateDict()}; values are Double,
     * Boolean or a List of Double. Empty unless a subclass overrides it.
     */
    protected Map<String, Object> optionsByName(GroupOptions options) {
        return Map.of();
    }

    /**
     * The names of the state tensors this optimizer may keep per parameter, checked by
     * {@link #loadStateDict}; {@code null} (the default) accepts any name.
     */
    protected java.util.Set<String> stateNames() {
        return null;
    }

    /**
     * Everything this optimizer carries across steps, in the shape of PyTorch's
     * {@code optimizer.state_dict()}: a new map with {@code "state"}, a map from parameter index
     * (Integer, the position in {@link #parameters()}) to that parameter's state (only parameters
     * that have any), each a map from PyTorch's names to the live state tensors and, for optimizers
     * that count, {@code "step"} as a Long (PyTorch keeps a float tensor; the count lives on the
     * host here, so a Long keeps it exact); and {@code "param_groups"}, a List with a map per group:
     * {@code "lr"} (Double), the other options ({@link #optionsByName}) and {@code "params"}, the
     * List of the group's parameter indices. The tensors are the optimizer's own (as in PyTorch),
     * not copies.
     */
    public Map<String, Object> stateDict() {
        Map<Integer, Map<String, Object>> perParam = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            Map<String, Object> s = new LinkedHashMap<>();
            long[] count = steps.get(p);
            if (count != null) {
                s.put("step", count[0]);
            }
            Map<String, Tensor> tensors = state.get(p);
            if (tensors != null) {
                s.putAll(tensors);
            }
            if (!s.isEmpty()) {
                perParam.put(i, s);
            }
        }
        List<Map<String, Object>> groups = new ArrayList<>();
        for (int g = 0; g < groupOptions.size(); g++) {
            Map<String, Object> group = new LinkedHashMap<>();
            group.put("lr", (double) lr(g));
            group.putAll(optionsByName(groupOptions.get(g)));
            group.put("params", groupIndices(g));
            groups.add(group);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("state", perParam);
        out.put("param_groups", groups);
        return out;
    }

    /** The indices in {@link #params} of group {@code g}'s parameters (consecutive, groups in order). */
    private List<Integer> groupIndices(int g) {
        int first = 0;
        for (int i = 0; i < g; i++) {
            first += groupParams.get(i).size();
        }
        return java.util.stream.IntStream.range(first, first + groupParams.get(g).size()).boxed().toList();
    }

    /**
     * Restores a {@link #stateDict()} of an optimizer of the same kind over parameters of the same
     * shapes, as PyTorch's {@code load_state_dict}: the state tensors are copied onto each
     * parameter's device and dtype (the map's tensors are not kept), the step counts and the
     * {@code lr} are taken over. Unlike PyTorch, the other options are fixed at construction: they
     * must equal this optimizer's, so that a resumed run cannot silently change its rule. The state
     * tensors held before are closed (parameters with no entry start afresh). All or nothing:
     * everything is checked and copied before anything changes; on any error the optimizer is as
     * it was.
     *
     * @throws IllegalArgumentException naming the optimizer and the entry, for missing or unexpected
     *     keys, another number of parameter groups or parameters, options that differ, a state name
     *     this optimizer does not keep, a tensor whose shape differs from its parameter's, or a
     *     null, closed or meta tensor
     */
    public void loadStateDict(Map<String, ?> stateDict) {
        java.util.Objects.requireNonNull(stateDict, "loadStateDict: stateDict is null");
        String owner = name();
        StateDicts.checkKeys(owner, stateDict, java.util.Set.of("state", "param_groups"));
        if (!(stateDict.get("param_groups") instanceof List<?> groups) || groups.size() != groupOptions.size()) {
            throw loadError(owner, "param_groups must be a List of " + groupOptions.size() + " group(s), as this "
                    + "optimizer has, got " + stateDict.get("param_groups"));
        }
        float[] newLrs = new float[groups.size()];
        for (int g = 0; g < groups.size(); g++) {
            newLrs[g] = checkedGroup(owner, g, groups.get(g));
        }
        if (!(stateDict.get("state") instanceof Map<?, ?> perParam)) {
            throw loadError(owner, "state must be a Map from parameter index to state, got " + stateDict.get("state"));
        }
        Map<Tensor, Map<String, Tensor>> newState = new IdentityHashMap<>();
        Map<Tensor, long[]> newSteps = new IdentityHashMap<>();
        try (NoGrad g = NoGrad.enter()) {
            for (Map.Entry<?, ?> e : perParam.entrySet()) {
                if (!(e.getKey() instanceof Integer i) || i < 0 || i >= params.size()) {
                    throw loadError(owner, "state key " + e.getKey() + " is not a parameter index in [0, "
                            + params.size() + ")");
                }
                if (!(e.getValue() instanceof Map<?, ?> s)) {
                    throw loadError(owner, "state[" + i + "] must be a Map, got " + e.getValue());
                }
                Tensor p = params.get(i);
                for (Map.Entry<?, ?> entry : s.entrySet()) {
                    String key = String.valueOf(entry.getKey());
                    Object v = entry.getValue();
                    if (key.equals("step")) {
                        if (!(v instanceof Long || v instanceof Integer) || ((Number) v).longValue() < 0) {
                            throw loadError(owner, "state[" + i + "].step must be a Long >= 0, got " + v);
                        }
                        newSteps.put(p, new long[] {((Number) v).longValue()});
                        continue;
                    }
                    java.util.Set<String> names = stateNames();
                    if (names != null && !names.contains(key)) {
                        throw loadError(owner, "state[" + i + "] has " + key + ", which " + owner
                                + " does not keep (it keeps " + names + ")");
                    }
                    if (!(v instanceof Tensor t) || t.isClosed() || t.device().isMeta()) {
                        throw loadError(owner, "state[" + i + "]." + key + " must be an open tensor with data, got " + v);
                    }
                    if (!Arrays.equals(t.shape(), p.shape())) {
                        throw loadError(owner, "state[" + i + "]." + key + " has shape " + Arrays.toString(t.shape())
                                + " but parameter " + i + " has shape " + Arrays.toString(p.shape()));
                    }
                    Tensor onDevice = t.to(p.device());
                    Tensor converted = onDevice.to(p.dtype());
                    Tensor copy = converted.clone();
                    // Release the intermediates this load made, never the caller's tensor.
                    if (converted != onDevice && converted != t) {
                        converted.close();
                    }
                    if (onDevice != t) {
                        onDevice.close();
                    }
                    newState.computeIfAbsent(p, k -> new LinkedHashMap<>()).put(key, copy);
                }
            }
        } catch (RuntimeException | Error e) {
            newState.values().forEach(m -> m.values().forEach(Tensor::close));
            throw e;
        }
        state.values().forEach(m -> m.values().forEach(Tensor::close));
        state.clear();
        state.putAll(newState);
        steps.clear();
        steps.putAll(newSteps);
        for (int g = 0; g < newLrs.length; g++) {
            setLr(g, newLrs[g]);
        }
    }

    /**
     * Checks a state dict's group {@code g} against this optimizer's (the same parameter indices,
     * the same options but the rate) and returns its rate.
     */
    private float checkedGroup(String owner, int g, Object entry) {
        String where = "param_groups[" + g + "]";
        if (!(entry instanceof Map<?, ?> group)) {
            throw loadError(owner, where + " must be a Map, got " + entry);
        }
        List<Integer> indices = groupIndices(g);
        if (!indices.equals(group.get("params"))) {
            throw loadError(owner, where + ".params must be " + indices + " (" + indices.size()
                    + " parameters), got " + group.get("params"));
        }
        if (!(group.get("lr") instanceof Number lr) || !(lr.floatValue() >= 0f)) {
            throw loadError(owner, where + ".lr must be a number >= 0, got " + group.get("lr"));
        }
        Map<String, Object> expected = new LinkedHashMap<>(optionsByName(groupOptions.get(g)));
        Map<String, Object> given = new LinkedHashMap<>();
        group.forEach((k, v) -> given.put(String.valueOf(k), v));
        given.remove("lr");
        given.remove("params");
        if (!expected.equals(given)) {
            throw loadError(owner, where + " options " + given + " differ from this optimizer's " + expected);
        }
        return lr.floatValue();
    }

    private static IllegalArgumentException loadError(String owner, String message) {
        return new IllegalArgumentException(owner + ".loadStateDict: " + message);
    }

    /** The class's simple name, or its full name for an anonymous class: for messages. */
    private String name() {
        String simple = getClass().getSimpleName();
        return simple.isEmpty() ? getClass().getName() : simple;
    }
}
