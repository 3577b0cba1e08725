package dev.tensorj.optim;

import dev.tensorj.IdleGpuPolicy;
import dev.tensorj.NoGrad;
import dev.tensorj.Tensor;
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
 * Updates parameters from their gradients, as {@code torch.optim.Optimizer}, with one parameter
 * group: one learning rate for all parameters. A new optimizer is one file: a subclass implements
 * {@link #update} with in-place tensor ops, keeping what it needs across steps in {@link #state};
 * {@link #step()} does the rest (the idle-GPU check, checking every parameter before any changes,
 * moving state to its parameter's device, no-grad).
 *
 * <p>Per-parameter state (such as SGD's momentum buffers) follows its parameter: when a step finds
 * state on another device than its parameter, because the model was moved with
 * {@link dev.tensorj.nn.Module#to} after earlier steps, it moves the state to the parameter's
 * device first. So an optimizer built before a move keeps working, with the values it would have
 * had on the new device all along.
 */
public abstract class Optimizer {
    private static final Logger LOG = LoggerFactory.getLogger(Optimizer.class);

    protected final List<Tensor> params;
    private final Map<Tensor, Map<String, Tensor>> state = new IdentityHashMap<>();
    /** Per parameter, the number of steps that updated it, for optimizers that count (Adam's "step"). */
    private final Map<Tensor, long[]> steps = new IdentityHashMap<>();
    private float lr;
    /** The op that step()'s checks name ({@code sgd.step}), made once: a step builds no string. */
    private final String stepOp = name().toLowerCase(java.util.Locale.ROOT) + ".step";

    /**
     * @throws IllegalArgumentException if {@code params} is empty or holds a tensor that is not a
     *     leaf requiring grad, or {@code lr} is negative or NaN
     */
    protected Optimizer(Collection<Tensor> params, float lr) {
        this.params = List.copyOf(params);
        if (this.params.isEmpty()) {
            throw new IllegalArgumentException("optimizer got an empty parameter list");
        }
        for (Tensor p : this.params) {
            if (!p.isLeaf() || !p.requiresGrad()) {
                throw new IllegalArgumentException("optimizer: can only optimize leaf tensors that require grad, got "
                        + p);
            }
        }
        checkLr(lr);
        this.lr = lr;
    }

    /** Drops every parameter's gradient (PyTorch's default {@code set_to_none=True}). */
    public void zeroGrad() {
        for (Tensor p : params) {
            p.zeroGrad();
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
        for (Tensor p : params) {
            if (p.grad() != null) {
                Tensor.checkSameDevice(stepOp, "param", p, "grad", p.grad());
            }
        }
        moveStateToParameters();
        try (NoGrad g = NoGrad.enter()) {
            for (Tensor p : params) {
                Tensor grad = p.grad();
                if (grad != null) {
                    update(p, grad);
                }
            }
        }
    }

    /**
     * Updates {@code param} in place from {@code grad} with tensor ops ({@code param.sub_(...)}),
     * under no-grad; both are on one device, checked. Called by {@link #step()} for each parameter
     * that has a gradient.
     */
    protected abstract void update(Tensor param, Tensor grad);

    /** The parameters this optimizer updates. */
    public List<Tensor> parameters() {
        return params;
    }

    /** The learning rate the next {@link #step()} uses (PyTorch's {@code param_groups[0]["lr"]}). */
    public float lr() {
        return lr;
    }

    /**
     * Sets the learning rate from the next {@link #step()} on, as a learning-rate scheduler does
     * (PyTorch's {@code param_groups[0]["lr"] = lr}).
     *
     * @throws IllegalArgumentException if {@code lr} is negative or NaN (the rate is then unchanged)
     */
    public void setLr(float lr) {
        checkLr(lr);
        this.lr = lr;
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
     * The options of this optimizer's one parameter group other than {@code lr}, by PyTorch's names
     * ({@code momentum}, {@code betas}, {@code weight_decay}, ...), for {@link #stateDict()}; values
     * are Double, Boolean or a List of Double. Empty unless a subclass overrides it.
     */
    protected Map<String, Object> groupOptions() {
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
     * host here, so a Long keeps it exact); and {@code "param_groups"}, a List of one map with
     * {@code "lr"} (Double), the other options ({@link #groupOptions()}) and {@code "params"}, the
     * List of parameter indices. The tensors are the optimizer's own (as in PyTorch), not copies.
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
        Map<String, Object> group = new LinkedHashMap<>();
        group.put("lr", (double) lr);
        group.putAll(groupOptions());
        group.put("params", java.util.stream.IntStream.range(0, params.size()).boxed().toList());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("state", perParam);
        out.put("param_groups", List.of(group));
        return out;
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
        if (!(stateDict.get("param_groups") instanceof List<?> groups) || groups.size() != 1
                || !(groups.get(0) instanceof Map<?, ?> group)) {
            throw loadError(owner, "param_groups must be a List of one group (this optimizer has one), got "
                    + stateDict.get("param_groups"));
        }
        List<Integer> indices = java.util.stream.IntStream.range(0, params.size()).boxed().toList();
        if (!indices.equals(group.get("params"))) {
            throw loadError(owner, "param_groups[0].params must be " + indices + " (" + params.size()
                    + " parameters), got " + group.get("params"));
        }
        if (!(group.get("lr") instanceof Number newLr) || !(newLr.floatValue() >= 0f)) {
            throw loadError(owner, "param_groups[0].lr must be a number >= 0, got " + group.get("lr"));
        }
        Map<String, Object> expected = new LinkedHashMap<>(groupOptions());
        Map<String, Object> given = new LinkedHashMap<>();
        group.forEach((k, v) -> given.put(String.valueOf(k), v));
        given.remove("lr");
        given.remove("params");
        if (!expected.equals(given)) {
            throw loadError(owner, "param_groups[0] options " + given + " differ from this optimizer's " + expected);
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
        this.lr = newLr.floatValue();
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
