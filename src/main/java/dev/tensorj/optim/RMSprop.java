package dev.tensorj.optim;

import dev.tensorj.Tensor;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * RMSprop with PyTorch's update rule ({@code torch.optim.RMSprop}): a running mean of squared
 * gradients, optionally centered (minus the squared running mean of gradients), with momentum,
 * weight decay as an L2 penalty and {@code maximize} (see {@link #update}); tensor ops on each
 * parameter's own device.
 * <pre>{@code
 * RMSprop opt = new RMSprop(model.parameters(), RMSprop.Options.lr(1e-2f).withMomentum(0.9f).withCentered(true));
 * }</pre>
 * State per parameter, as PyTorch names it: {@code step}, {@code square_avg}, with momentum
 * {@code momentum_buffer}, centered {@code grad_avg}. A parameter without a gradient is skipped.
 */
public class RMSprop extends Optimizer {

    /**
     * RMSprop's options, an immutable value. PyTorch's defaults: lr 1e-2, alpha 0.99, eps 1e-8, no
     * weight decay, no momentum, not centered, minimizing. Checked when an {@link RMSprop} is built.
     *
     * @param lr the learning rate
     * @param alpha the smoothing constant of the running means
     * @param eps added to the denominator for numerical stability
     * @param weightDecay the L2 penalty: {@code weightDecay * param} is added to the gradient
     * @param momentum the momentum factor (0: none)
     * @param centered whether to normalize by an estimate of the gradient's variance
     * @param maximize whether to maximize the objective instead of minimizing it
     */
    public record Options(float lr, float alpha, float eps, float weightDecay, float momentum, boolean centered,
            boolean maximize) implements GroupOptions {

        /** PyTorch's defaults: lr 1e-2, alpha 0.99, eps 1e-8. */
        public static Options defaults() {
            return lr(1e-2f);
        }

        /** Options with learning rate {@code lr} and every other option at PyTorch's default. */
        public static Options lr(float lr) {
            return new Options(lr, 0.99f, 1e-8f, 0f, 0f, false, false);
        }

        /** These options with learning rate {@code lr}. */
        @Override
        public Options withLr(float lr) {
            return new Options(lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }

        /** These options with smoothing constant {@code alpha}. */
        public Options withAlpha(float alpha) {
            return new Options(lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }

        /** These options with {@code eps}. */
        public Options withEps(float eps) {
            return new Options(lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }

        /** These options with the L2 penalty {@code weightDecay}. */
        public Options withWeightDecay(float weightDecay) {
            return new Options(lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }

        /** These options with the momentum factor {@code momentum}. */
        public Options withMomentum(float momentum) {
            return new Options(lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }

        /** These options centered or not. */
        public Options withCentered(boolean centered) {
            return new Options(lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }

        /** These options maximizing or minimizing. */
        public Options withMaximize(boolean maximize) {
            return new Options(lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }
    }

    static final String SQUARE_AVG = "square_avg";
    static final String GRAD_AVG = "grad_avg";

    /**
     * RMSprop with learning rate {@code lr} and PyTorch's other defaults.
     *
     * @throws IllegalArgumentException as {@link #RMSprop(Collection, Options)}
     */
    public RMSprop(Collection<Tensor> params, float lr) {
        this(params, Options.lr(lr));
    }

    /**
     * RMSprop with the given options.
     *
     * @throws IllegalArgumentException for a negative or NaN lr, alpha, eps, weight decay or momentum,
     *     or a parameter list that is empty or holds a tensor that is not a leaf requiring grad
     */
    public RMSprop(Collection<Tensor> params, Options options) {
        this(List.of(new ParamGroup<>(params, options)));
    }

    /**
     * RMSprop over parameter groups, each with its own options (see {@link ParamGroup}).
     *
     * @throws IllegalArgumentException as {@link #RMSprop(Collection, Options)}, for any group, or if
     *     there is no group or a parameter appears twice
     */
    public RMSprop(List<ParamGroup<Options>> groups) {
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
        Objects.requireNonNull(o, "RMSprop: options is null");
        if (!(o.lr >= 0f) || !(o.alpha >= 0f) || !(o.eps >= 0f) || !(o.weightDecay >= 0f) || !(o.momentum >= 0f)) {
            throw new IllegalArgumentException("RMSprop: lr, alpha, eps, weightDecay and momentum must be >= 0, got lr="
                    + o.lr + ", alpha=" + o.alpha + ", eps=" + o.eps + ", weightDecay=" + o.weightDecay
                    + ", momentum=" + o.momentum);
        }
    }

    /** PyTorch's names and a group's values, for {@link #stateDict()}. */
    @Override
    protected Map<String, Object> optionsByName(GroupOptions groupOptions) {
        Options options = (Options) groupOptions;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("alpha", (double) options.alpha);
        out.put("eps", (double) options.eps);
        out.put("weight_decay", (double) options.weightDecay);
        out.put("momentum", (double) options.momentum);
        out.put("centered", options.centered);
        out.put("maximize", options.maximize);
        return out;
    }

    /** RMSprop keeps {@code square_avg} and, when centered, {@code grad_avg}; with momentum, {@code momentum_buffer}. */
    @Override
    protected Set<String> stateNames() {
        return Set.of(SQUARE_AVG, GRAD_AVG, SGD.MOMENTUM_BUFFER);
    }

    /**
     * PyTorch's RMSprop step for one parameter: {@code g = maximize ? -grad : grad},
     * {@code g += weightDecay·param}; {@code s = α·s + (1-α)·g²}; centered:
     * {@code a = α·a + (1-α)·g} and {@code avg = sqrt(s - a²) + eps}, else {@code avg = sqrt(s) + eps};
     * with momentum {@code b = momentum·b + g/avg}, {@code param -= lr·b}, else
     * {@code param -= lr·g/avg}. Each tensor op is rounded in float32.
     */
    @Override
    protected void update(Tensor param, Tensor grad, GroupOptions groupOptions) {
        Options options = (Options) groupOptions;
        Tensor g = directedGrad(param, grad, options.maximize, options.weightDecay);
        advanceStep(param);
        Tensor squareAvg = stateOrFull(param, SQUARE_AVG, 0f);
        try (Tensor g2 = g.mul(g)) {
            squareAvg.mul_(options.alpha).add_(g2, 1f - options.alpha);
        }
        Tensor avg;
        if (options.centered) {
            Tensor gradAvg = stateOrFull(param, GRAD_AVG, 0f);
            gradAvg.mul_(options.alpha).add_(g, 1f - options.alpha);
            try (Tensor a2 = gradAvg.mul(gradAvg); Tensor variance = squareAvg.sub(a2)) {
                avg = variance.sqrt();
            }
        } else {
            avg = squareAvg.sqrt();
        }
        avg.add_(options.eps);
        try (avg; Tensor ratio = g.div(avg)) {
            if (options.momentum > 0f) {
                Tensor buf = stateOrFull(param, SGD.MOMENTUM_BUFFER, 0f);
                buf.mul_(options.momentum).add_(ratio);
                param.add_(buf, -options.lr);
            } else {
                param.add_(ratio, -options.lr);
            }
        }
        closeUnlessGrad(g, grad);
    }
}
