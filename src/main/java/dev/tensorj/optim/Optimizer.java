package dev.tensorj.optim;

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
 * group: one learning rate for all parameters.
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
    private float lr;

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

    /** Updates every parameter that has a gradient, in place, on its own device. */
    public abstract void step();

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
            throw new IllegalArgumentException(getClass().getSimpleName() + ": lr must be >= 0, got " + lr);
        }
    }

    /** The state tensor {@code name} of {@code param}, or {@code null} before the step that creates it. */
    protected final Tensor state(Tensor param, String name) {
        Map<String, Tensor> s = state.get(param);
        return s == null ? null : s.get(name);
    }

    /** Records {@code value} as the state tensor {@code name} of {@code param}, on the parameter's device. */
    protected final void setState(Tensor param, String name, Tensor value) {
        state.computeIfAbsent(param, k -> new LinkedHashMap<>()).put(name, value);
    }

    /**
     * Moves every state tensor that is not on its parameter's device there, all or nothing: on
     * failure the copies are released and the state is as it was. Called at the start of a step,
     * after the parameters and gradients were checked.
     */
    protected final void moveStateToParameters() {
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
                    getClass().getSimpleName(), names.get(i), Arrays.toString(ofParam.get(i).shape()),
                    old.device(), ofParam.get(i).device());
            old.close();
        }
    }
}
