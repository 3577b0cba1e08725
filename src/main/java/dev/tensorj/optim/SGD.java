package dev.tensorj.optim;

import dev.tensorj.Tensor;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Stochastic gradient descent with PyTorch's update rule, including momentum, dampening,
 * Nesterov and weight decay (see {@link #update}), written in in-place tensor ops on each
 * parameter's own device. Options are given by name:
 * <pre>{@code
 * SGD sgd = new SGD(model.parameters(), SGD.Options.lr(0.01f).withMomentum(0.9f).withNesterov(true));
 * }</pre>
 * The momentum buffers follow their parameters when the model is moved (see {@link Optimizer}).
 */
public class SGD extends Optimizer {
    /** The name of a parameter's momentum buffer in the optimizer's state, as in PyTorch. */
    static final String MOMENTUM_BUFFER = "momentum_buffer";

    /**
     * SGD's options, an immutable value: start from {@link #lr(float)} and change the others with
     * the {@code with...} methods, each of which returns a new {@code Options}. Unset options have
     * PyTorch's defaults: no momentum, dampening, weight decay or Nesterov. The values are checked
     * when an {@link SGD} is built from them.
     */
    public static final class Options implements GroupOptions {
        private final float lr;
        private final float momentum;
        private final float dampening;
        private final float weightDecay;
        private final boolean nesterov;

        private Options(float lr, float momentum, float dampening, float weightDecay, boolean nesterov) {
            this.lr = lr;
            this.momentum = momentum;
            this.dampening = dampening;
            this.weightDecay = weightDecay;
            this.nesterov = nesterov;
        }

        /** Options with learning rate {@code lr} and every other option at its default. */
        public static Options lr(float lr) {
            return new Options(lr, 0f, 0f, 0f, false);
        }

        /** These options with learning rate {@code lr}. */
        @Override
        public Options withLr(float lr) {
            return new Options(lr, momentum, dampening, weightDecay, nesterov);
        }

        /** The momentum factor; 0 (the default) turns momentum off. */
        public Options withMomentum(float momentum) {
            return new Options(lr, momentum, dampening, weightDecay, nesterov);
        }

        /** Dampening for momentum: the new gradient enters the buffer scaled by {@code 1 - dampening}. */
        public Options withDampening(float dampening) {
            return new Options(lr, momentum, dampening, weightDecay, nesterov);
        }

        /** L2 penalty: {@code weightDecay * param} is added to the gradient. */
        public Options withWeightDecay(float weightDecay) {
            return new Options(lr, momentum, dampening, weightDecay, nesterov);
        }

        /** Nesterov momentum; needs a momentum and zero dampening. */
        public Options withNesterov(boolean nesterov) {
            return new Options(lr, momentum, dampening, weightDecay, nesterov);
        }

        /** The learning rate. */
        @Override
        public float lr() {
            return lr;
        }

        /** The momentum factor (0: none). */
        public float momentum() {
            return momentum;
        }

        /** The dampening for momentum. */
        public float dampening() {
            return dampening;
        }

        /** The L2 penalty factor. */
        public float weightDecay() {
            return weightDecay;
        }

        /** Whether the momentum is Nesterov's. */
        public boolean nesterov() {
            return nesterov;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Options other
                    && Float.compare(lr, other.lr) == 0
                    && Float.compare(momentum, other.momentum) == 0
                    && Float.compare(dampening, other.dampening) == 0
                    && Float.compare(weightDecay, other.weightDecay) == 0
                    && nesterov == other.nesterov;
        }

        @Override
        public int hashCode() {
            return Objects.hash(lr, momentum, dampening, weightDecay, nesterov);
        }

        @Override
        public String toString() {
            return "SGD.Options[lr=" + lr + ", momentum=" + momentum + ", dampening=" + dampening
                    + ", weightDecay=" + weightDecay + ", nesterov=" + nesterov + "]";
        }
    }

    /**
     * Plain SGD with learning rate {@code lr}.
     *
     * @throws IllegalArgumentException as {@link #SGD(Collection, Options)}
     */
    public SGD(Collection<Tensor> params, float lr) {
        this(params, Options.lr(lr));
    }

    /**
     * SGD with learning rate {@code lr} and {@code momentum}.
     *
     * @throws IllegalArgumentException as {@link #SGD(Collection, Options)}
     */
    public SGD(Collection<Tensor> params, float lr, float momentum) {
        this(params, Options.lr(lr).withMomentum(momentum));
    }

    /**
     * SGD with the given options.
     *
     * @throws IllegalArgumentException for a negative or NaN rate, a negative momentum or weight
     *     decay, Nesterov without momentum or with dampening, or a parameter list that is empty or
     *     holds a tensor that is not a leaf requiring grad
     */
    public SGD(Collection<Tensor> params, Options options) {
        this(List.of(new ParamGroup<>(params, options)));
    }

    /**
     * SGD over parameter groups, each with its own options (see {@link ParamGroup}).
     *
     * @throws IllegalArgumentException as {@link #SGD(Collection, Options)}, for any group, or if
     *     there is no group or a parameter appears twice
     */
    public SGD(List<ParamGroup<Options>> groups) {
        super(groups);
    }

    /** Checks every option as PyTorch does (the superclass checks the rate). */
    @Override
    protected void checkOptions(GroupOptions options) {
        checked((Options) options);
    }

    /** The options in force for the first group (the only one when built from a parameter list), rate included. */
    public Options options() {
        return options(0);
    }

    /** The options in force for group {@code group}, rate included. */
    @Override
    public Options options(int group) {
        return (Options) super.options(group);
    }

    private static void checked(Options o) {
        Objects.requireNonNull(o, "SGD: options is null");
        if (!(o.lr >= 0f) || !(o.momentum >= 0f) || !(o.weightDecay >= 0f)) {
            throw new IllegalArgumentException("SGD: lr, momentum and weightDecay must be >= 0, got lr=" + o.lr
                    + ", momentum=" + o.momentum + ", weightDecay=" + o.weightDecay);
        }
        if (o.nesterov && (o.momentum <= 0f || o.dampening != 0f)) {
            throw new IllegalArgumentException("SGD: Nesterov momentum requires a momentum and zero dampening");
        }
    }

    /** PyTorch's names and a group's values, for {@link #stateDict()}. */
    @Override
    protected Map<String, Object> optionsByName(GroupOptions groupOptions) {
        Options options = (Options) groupOptions;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("momentum", (double) options.momentum);
        out.put("dampening", (double) options.dampening);
        out.put("weight_decay", (double) options.weightDecay);
        out.put("nesterov", options.nesterov);
        return out;
    }

    /** SGD keeps {@code momentum_buffer} (with momentum). */
    @Override
    protected Set<String> stateNames() {
        return Set.of(MOMENTUM_BUFFER);
    }

    /**
     * PyTorch's SGD update, in tensor ops: {@code d = grad + weightDecay·param} (skipped when
     * weightDecay is 0, as PyTorch does, so an infinite weight does not turn into NaN); with
     * momentum, {@code buf = d} on the first step, else {@code buf = momentum·buf + (1 − dampening)·d},
     * and {@code d = nesterov ? d + momentum·buf : buf}; then {@code param −= lr·d}. Each product is
     * rounded before its sum, as separate float32 ops, the same on every device.
     */
    @Override
    protected void update(Tensor param, Tensor grad, GroupOptions groupOptions) {
        Options options = (Options) groupOptions;
        // PyTorch's own steps: d = grad.add(param, alpha=wd); buf.mul_(m).add_(d, alpha=1-dampening);
        // param.add_(d, alpha=-lr). Temporaries are closed at once, so a GPU's memory is reused.
        Tensor d = options.weightDecay == 0f ? grad : grad.add(param, options.weightDecay);
        Tensor step = d;
        if (options.momentum != 0f) {
            Tensor buf = state(param, MOMENTUM_BUFFER);
            if (buf == null) {
                buf = d == grad ? d.clone() : d;
                setState(param, MOMENTUM_BUFFER, buf);
            } else {
                buf.mul_(options.momentum).add_(d, 1f - options.dampening);
            }
            step = options.nesterov ? d.add(buf, options.momentum) : buf;
        }
        param.add_(step, -options.lr);
        if (step != d && step != state(param, MOMENTUM_BUFFER)) {
            step.close();
        }
        if (d != grad && d != state(param, MOMENTUM_BUFFER)) {
            d.close();
        }
    }
}
