package dev.tensorj.nn;

import dev.tensorj.Device;
import dev.tensorj.NoGrad;
import dev.tensorj.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A layer or a model: parameters, submodules and a {@link #forward} pass, as {@code torch.nn.Module}.
 * A subclass registers each part with one call, in a field initialiser or its constructor:
 * <pre>{@code
 * class SimpleModel extends Module {
 *     final Linear linear = register("linear", new Linear(10, 1));
 *     public Tensor forward(Tensor x) { return linear.forward(x); }
 * }
 * }</pre>
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private Module parent; // the first module this one was registered in; null for a root
    private boolean training = true;
    /** Made once: a method reference made per forward call was an object per layer per step. */
    private final java.util.function.Supplier<Map<String, Tensor>> namedParametersOnDemand = this::namedParameters;

    /** The forward pass. */
    public abstract Tensor forward(Tensor input);

    /**
     * Registers a submodule under {@code name} (its parameters become {@code name.*}) and returns it.
     *
     * @throws IllegalArgumentException if the name is empty, contains '.', or is taken
     */
    protected final <M extends Module> M register(String name, M module) {
        Objects.requireNonNull(module, "register: module is null");
        checkName(name);
        if (module == this || isAncestor(module)) {
            throw new IllegalArgumentException("cannot register " + module.getClass().getSimpleName() + " as '" + name
                    + "': it contains this module");
        }
        children.put(name, module);
        Module child = module; // a type variable's private fields are not accessible
        if (child.parent == null) {
            child.parent = this;
        }
        return module;
    }

    /** Registers {@code tensor} as a parameter (it will require grad) and returns it. */
    protected final Tensor registerParameter(String name, Tensor tensor) {
        Objects.requireNonNull(tensor, "registerParameter: tensor is null");
        checkName(name);
        if (!tensor.isLeaf()) {
            throw new IllegalArgumentException("parameter '" + name + "' must be a leaf tensor; it was computed by "
                    + tensor.gradFnName() + " (use detach())");
        }
        parameters.put(name, tensor.requiresGrad(true));
        return tensor;
    }

    /**
     * Registers {@code tensor} as a buffer and returns it, as PyTorch's {@code register_buffer}:
     * state that is not a parameter (no gradient, not in {@link #parameters()}, never seen by an
     * optimizer), such as batch norm's running statistics. Buffers are listed by
     * {@link #namedBuffers()} and moved by {@link #to} together with the parameters.
     *
     * @throws IllegalArgumentException if the name is invalid or taken, or {@code tensor} requires grad
     */
    protected final Tensor registerBuffer(String name, Tensor tensor) {
        Objects.requireNonNull(tensor, "registerBuffer: tensor is null");
        checkName(name);
        if (tensor.requiresGrad()) {
            throw new IllegalArgumentException("buffer '" + name + "' must not require grad (use detach())");
        }
        buffers.put(name, tensor);
        return tensor;
    }

    private boolean isAncestor(Module m) {
        for (Module p = parent; p != null; p = p.parent) {
            if (p == m) {
                return true;
            }
        }
        return false;
    }

    /** The outermost module this one was registered in (itself when it is a root). */
    protected final Module root() {
        Module m = this;
        while (m.parent != null) {
            m = m.parent;
        }
        return m;
    }

    /**
     * Called by layers with parameters at the start of their forward pass: applies
     * {@link dev.tensorj.IdleGpuPolicy} when this model runs on the CPU while a GPU is available.
     */
    protected final void checkPlacement(Tensor input) {
        if (input.device().isCpu()) {
            Module model = root();
            dev.tensorj.IdleGpuPolicy.checkForward(model, model.namedParametersOnDemand, input);
        }
    }

    /** Where each parameter lives; mixed placement is flagged. */
    public final PlacementReport placement() {
        return new PlacementReport(getClass().getSimpleName(), namedParameters());
    }

    private void checkName(String name) {
        Objects.requireNonNull(name, "register: name is null");
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("invalid name '" + name + "': must be non-empty and contain no '.'");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("'" + name + "' is already registered in " + getClass().getSimpleName());
        }
    }

    /** All parameters, this module's first, then each submodule's in registration order. */
    public final List<Tensor> parameters() {
        return List.copyOf(namedParameters().values());
    }

    /** Parameters by dotted path, such as {@code linear1.weight}. */
    public final Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out);
        return Collections.unmodifiableMap(out);
    }

    private void collect(String prefix, Map<String, Tensor> out) {
        parameters.forEach((name, p) -> out.putIfAbsent(prefix + name, p));
        children.forEach((name, child) -> child.collect(prefix + name + ".", out));
    }

    /** All buffers, this module's first, then each submodule's in registration order. */
    public final List<Tensor> buffers() {
        return List.copyOf(namedBuffers().values());
    }

    /** Buffers by dotted path, such as {@code bn.running_mean}. */
    public final Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collectBuffers("", out);
        return Collections.unmodifiableMap(out);
    }

    private void collectBuffers(String prefix, Map<String, Tensor> out) {
        buffers.forEach((name, b) -> out.putIfAbsent(prefix + name, b));
        children.forEach((name, child) -> child.collectBuffers(prefix + name + ".", out));
    }

    /**
     * This module's state as PyTorch's {@code state_dict()}: every parameter and buffer by dotted
     * name ({@code 0.weight}, {@code linear1.bias}, {@code bn.running_mean}), in PyTorch's order (a
     * module's own parameters, then its own buffers, then each submodule's in registration order).
     * The values are detached tensors that share memory with the module's (as PyTorch's), so they
     * are ready for {@link dev.tensorj.Safetensors#save}; the map is a new one, the caller's to change.
     *
     * @throws dev.tensorj.TensorClosedException if a parameter or buffer is closed
     */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        stateTensors().forEach((name, t) -> out.put(name, t.detach()));
        return out;
    }

    /** The parameters and buffers themselves, in state dict order. */
    private Map<String, Tensor> stateTensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collectState("", out);
        return out;
    }

    private void collectState(String prefix, Map<String, Tensor> out) {
        parameters.forEach((name, p) -> out.putIfAbsent(prefix + name, p));
        buffers.forEach((name, b) -> out.putIfAbsent(prefix + name, b));
        children.forEach((name, child) -> child.collectState(prefix + name + ".", out));
    }

    /**
     * Loads {@code stateDict} strictly: as {@link #loadStateDict(Map, boolean)} with {@code strict} true,
     * as PyTorch's default.
     *
     * @throws StateDictException for missing or unexpected keys, or entries that cannot be loaded
     */
    public final IncompatibleKeys loadStateDict(Map<String, Tensor> stateDict) {
        return loadStateDict(stateDict, true);
    }

    /**
     * Copies the values of {@code stateDict} into this module's parameters and buffers in place, as
     * PyTorch's {@code load_state_dict(state_dict, strict)}: each onto the parameter's own device and
     * dtype (a value on another device or of another dtype is converted), with gradients off, so the
     * tensor objects stay and an optimizer built before keeps stepping them. With {@code strict},
     * every key of {@link #stateDict()} must be present and no other; without it, missing keys are left
     * as they are and unexpected ones ignored, and both are returned. A shape mismatch is an error
     * either way. All or nothing: everything is checked, and every converted copy made, before the
     * first value is written; on any error the module is unchanged.
     *
     * @return the missing and unexpected keys (both empty after a strict load)
     * @throws StateDictException listing every missing and unexpected key (when strict) and every
     *     entry that cannot be loaded: a shape mismatch, or a null, closed or meta tensor
     */
    public final IncompatibleKeys loadStateDict(Map<String, Tensor> stateDict, boolean strict) {
        Objects.requireNonNull(stateDict, "loadStateDict: stateDict is null");
        return StateDictLoader.load(getClass().getSimpleName(), stateTensors(), stateDict, strict);
    }

    /** The direct submodules, by name. */
    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /**
     * Moves every parameter, and its gradient, and every buffer to {@code device} in place, as
     * PyTorch's {@code model.to(device)}: the {@code Tensor} objects stay the same, so an optimizer
     * built before the move keeps working (its state follows the parameters at its next step). All
     * or nothing: every parameter, gradient and buffer is copied to {@code device} first, and only
     * when all copies succeeded do they switch to them; on failure the copies are released and
     * every parameter and buffer stays where it was.
     *
     * <p>Returns this module. Here it is typed {@code Module}; tensorj's layers and containers
     * return their own type ({@code Sequential s = new Sequential(...).to(d)}). A subclass that
     * wants the same overrides it to narrow the type, and nothing else, as the move of a module's
     * children does not call their {@code to}:
     * <pre>{@code
     * @Override
     * public Net to(Device device) {
     *     super.to(device);
     *     return this;
     * }
     * }</pre>
     *
     * @return this module
     * @throws dev.tensorj.CudaUnavailableException if {@code device} cannot be used
     * @throws dev.tensorj.TensorClosedException if a parameter, gradient or buffer is closed
     * @throws dev.tensorj.MetaTensorReadException when moving off the meta device, which holds no data
     */
    public Module to(Device device) {
        Objects.requireNonNull(device, "to: device is null");
        moveParameters(device);
        return this;
    }

    private void moveParameters(Device device) {
        // A parameter registered twice (shared weights) is moved once.
        Set<Tensor> params = Collections.newSetFromMap(new IdentityHashMap<>());
        params.addAll(parameters());
        params.addAll(buffers()); // buffers are leaves without gradients: moved the same way
        // Phase 1, which may fail: a copy on the target of each parameter and gradient that is not
        // there yet (to() returns the tensor itself when it is, after checking it is open).
        List<Tensor> order = new ArrayList<>();
        List<Tensor> data = new ArrayList<>();
        List<Tensor> grads = new ArrayList<>();
        try (NoGrad g = NoGrad.enter()) {
            for (Tensor p : params) {
                order.add(p);
                data.add(p.to(device));
                grads.add(p.grad() == null ? null : p.grad().to(device));
            }
        } catch (RuntimeException | Error e) {
            for (int i = 0; i < data.size(); i++) {
                closeIfCopy(data.get(i), order.get(i));
            }
            for (int i = 0; i < grads.size(); i++) {
                closeIfCopy(grads.get(i), order.get(i).grad());
            }
            throw e;
        }
        // Phase 2 cannot fail: every copy exists, each parameter is an open leaf of its copy's shape.
        for (int i = 0; i < order.size(); i++) {
            Tensor p = order.get(i);
            if (data.get(i) != p) {
                p.setData(data.get(i));
                data.get(i).close(); // p keeps its own reference to the memory
            }
            if (grads.get(i) != p.grad()) {
                p.setGrad(grads.get(i));
            }
        }
    }

    private static void closeIfCopy(Tensor t, Tensor original) {
        if (t != null && t != original) {
            t.close();
        }
    }

    /**
     * Training mode (the default), for this module and every submodule; affects layers such as
     * dropout. Returns this module; see {@link #to} on the return type.
     */
    public Module train() {
        setTraining(true);
        return this;
    }

    /** Evaluation mode, for this module and every submodule. Returns this module; see {@link #to}. */
    public Module eval() {
        setTraining(false);
        return this;
    }

    /**
     * Drops the gradient of every parameter, this module's and its submodules', as PyTorch's
     * {@code model.zero_grad()} (whose default {@code set_to_none=True} leaves none).
     */
    public final void zeroGrad() {
        for (Tensor p : parameters()) {
            p.zeroGrad();
        }
    }

    private void setTraining(boolean mode) {
        training = mode;
        children.values().forEach(c -> c.setTraining(mode));
    }

    public final boolean isTraining() {
        return training;
    }

    @Override
    public String toString() {
        if (children.isEmpty()) {
            return getClass().getSimpleName() + "()";
        }
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append("(\n");
        children.forEach((name, c) -> sb.append("  (").append(name).append("): ")
                .append(c.toString().replace("\n", "\n  ")).append('\n'));
        return sb.append(')').toString();
    }
}
