package dev.tensorj.optim;

import dev.tensorj.Tensor;
import dev.tensorj.backend.SgdParams;
import dev.tensorj.internal.TensorAccess;
import java.util.Collection;
import java.util.Objects;

/**
 * Stochastic gradient descent with PyTorch's update rule, including momentum, dampening,
 * Nesterov and weight decay (see {@link SgdParams}). Each parameter is updated by one fused
 * kernel on its own device. Options are given by name:
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
    public static final class Options {
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

        public float lr() {
            return lr;
        }

        public float momentum() {
            return momentum;
        }

        public float dampening() {
            return dampening;
        }

        public float weightDecay() {
            return weightDecay;
        }

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

    private final Options options;

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
        super(params, checked(options));
        this.options = options;
    }

    /** The options' learning rate, after checking every option; runs before the superclass constructor. */
    private static float checked(Options o) {
        Objects.requireNonNull(o, "options");
        if (!(o.lr >= 0f) || !(o.momentum >= 0f) || !(o.weightDecay >= 0f)) {
            throw new IllegalArgumentException("SGD: lr, momentum and weightDecay must be >= 0, got lr=" + o.lr
                    + ", momentum=" + o.momentum + ", weightDecay=" + o.weightDecay);
        }
        if (o.nesterov && (o.momentum <= 0f || o.dampening != 0f)) {
            throw new IllegalArgumentException("SGD: Nesterov momentum requires a momentum and zero dampening");
        }
        return o.lr;
    }

    /** The options in force: those given, with the learning rate {@link #setLr} may have changed since. */
    public Options options() {
        return options.withLr(lr());
    }

    /**
     * Updates every parameter that has a gradient. All parameters are checked first, so a device
     * or shape error leaves every parameter and buffer unchanged. A momentum buffer on another
     * device than its parameter (the model was moved after earlier steps) is moved to the
     * parameter's device first.
     *
     * @throws dev.tensorj.DeviceMismatchException if a parameter and its gradient are not on one device
     * @throws dev.tensorj.ShapeMismatchException if a gradient's shape is not its parameter's
     * @throws dev.tensorj.TensorClosedException if a parameter or gradient is closed
     */
    @Override
    public void step() {
        dev.tensorj.IdleGpuPolicy.checkStep(this, params);
        TensorAccess access = TensorAccess.get();
        for (Tensor p : params) {
            if (p.grad() != null) {
                access.checkSgd("sgd.step", p, p.grad(), null);
            }
        }
        moveStateToParameters();
        float lr = lr();
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g == null) {
                continue;
            }
            Tensor buf = state(p, MOMENTUM_BUFFER);
            boolean first = options.momentum != 0f && buf == null;
            buf = access.sgdStep("sgd.step", p, g, buf, new SgdParams(lr, options.momentum, options.dampening,
                    options.weightDecay, options.nesterov, first));
            if (first) {
                setState(p, MOMENTUM_BUFFER, buf);
            }
        }
    }
}
