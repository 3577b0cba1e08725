package dev.tensorj.optim;

import dev.tensorj.Tensor;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Adagrad with PyTorch's update rule ({@code torch.optim.Adagrad}): a running sum of squared
 * gradients per element, a learning rate decayed by the step count, weight decay as an L2 penalty
 * and {@code maximize} (see {@link #update}); tensor ops on each parameter's own device.
 * <pre>{@code
 * Adagrad opt = new Adagrad(model.parameters(), Adagrad.Options.lr(1e-2f).withLrDecay(1e-4f));
 * }</pre>
 * State per parameter, as PyTorch names it: {@code step} and {@code sum}. PyTorch creates them when
 * the optimizer is built; tensorj on a parameter's first step (with the same values), so
 * {@link Optimizer#state(Tensor)} is empty before it. A parameter without a gradient is skipped.
 */
public class Adagrad extends Optimizer {

    /**
     * Adagrad's options, an immutable value. PyTorch's defaults: lr 1e-2, no lr decay, no weight
     * decay, initial accumulator value 0, eps 1e-10, minimizing. Checked when an {@link Adagrad} is built.
     *
     * @param lr the learning rate
     * @param lrDecay the learning rate at step t is {@code lr / (1 + (t-1)·lrDecay)}
     * @param weightDecay the L2 penalty: {@code weightDecay * param} is added to the gradient
     * @param initialAccumulatorValue the starting value of the sum of squared gradients
     * @param eps added to the denominator for numerical stability
     * @param maximize whether to maximize the objective instead of minimizing it
     */
    public record Options(float lr, float lrDecay, float weightDecay, float initialAccumulatorValue, float eps,
            boolean maximize) implements GroupOptions {

        /** PyTorch's defaults: lr 1e-2, eps 1e-10, the rest 0. */
        public static Options defaults() {
            return lr(1e-2f);
        }

        /** Options with learning rate {@code lr} and every other option at PyTorch's default. */
        public static Options lr(float lr) {
            return new Options(lr, 0f, 0f, 0f, 1e-10f, false);
        }

        /** These options with learning rate {@code lr}. */
        @Override
        public Options withLr(float lr) {
            return new Options(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize);
        }

        /** These options with learning-rate decay {@code lrDecay}. */
        public Options withLrDecay(float lrDecay) {
            return new Options(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize);
        }

        /** These options with the L2 penalty {@code weightDecay}. */
        public Options withWeightDecay(float weightDecay) {
            return new Options(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize);
        }

        /** These options with the accumulator starting at {@code initialAccumulatorValue}. */
        public Options withInitialAccumulatorValue(float initialAccumulatorValue) {
            return new Options(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize);
        }

        /** These options with {@code eps}. */
        public Options withEps(float eps) {
            return new Options(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize);
        }

        /** These options maximizing or minimizing. */
        public Options withMaximize(boolean maximize) {
            return new Options(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize);
        }
    }

    static final String SUM = "sum";

    /**
     * Adagrad with learning rate {@code lr} and PyTorch's other defaults.
     *
     * @throws IllegalArgumentException as {@link #Adagrad(Collection, Options)}
     */
    public Adagrad(Collection<Tensor> params, float lr) {
        this(params, Options.lr(lr));
    }

    /**
     * Adagrad with the given options.
     *
     * @throws IllegalArgumentException for a negative or NaN lr, lrDecay, weight decay, initial
     *     accumulator value or eps, or a parameter list that is empty or holds a tensor that is not
     *     a leaf requiring grad
     */
    public Adagrad(Collection<Tensor> params, Options options) {
        this(List.of(new ParamGroup<>(params, options)));
    }

    /**
     * Adagrad over parameter groups, each with its own options (see {@link ParamGroup}).
     *
     * @throws IllegalArgumentException as {@link #Adagrad(Collection, Options)}, for any group, or if
     *     there is no group or a parameter appears twice
     */
    public Adagrad(List<ParamGroup<Options>> groups) {
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
        Objects.requireNonNull(o, "Adagrad: options is null");
        if (!(o.lr >= 0f) || !(o.lrDecay >= 0f) || !(o.weightDecay >= 0f) || !(o.initialAccumulatorValue >= 0f)
                || !(o.eps >= 0f)) {
            throw new IllegalArgumentException("Adagrad: lr, lrDecay, weightDecay, initialAccumulatorValue and eps"
                    + " must be >= 0, got lr=" + o.lr + ", lrDecay=" + o.lrDecay + ", weightDecay=" + o.weightDecay
                    + ", initialAccumulatorValue=" + o.initialAccumulatorValue + ", eps=" + o.eps);
        }
    }

    /** PyTorch's names and a group's values, for {@link #stateDict()}. */
    @Override
    protected Map<String, Object> optionsByName(GroupOptions groupOptions) {
        Options options = (Options) groupOptions;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("lr_decay", (double) options.lrDecay);
        out.put("weight_decay", (double) options.weightDecay);
        out.put("initial_accumulator_value", (double) options.initialAccumulatorValue);
        out.put("eps", (double) options.eps);
        out.put("maximize", options.maximize);
        return out;
    }

    /** Adagrad keeps {@code sum}. */
    @Override
    protected Set<String> stateNames() {
        return Set.of(SUM);
    }

    /**
     * PyTorch's Adagrad step for one parameter: {@code t += 1}; {@code g = maximize ? -grad : grad},
     * {@code g += weightDecay·param}; {@code clr = lr / (1 + (t-1)·lrDecay)} (on the host, in double);
     * {@code sum += g²}; {@code param -= clr · g / (sqrt(sum) + eps)}. Each tensor op is rounded in float32.
     */
    @Override
    protected void update(Tensor param, Tensor grad, GroupOptions groupOptions) {
        Options options = (Options) groupOptions;
        long t = advanceStep(param);
        Tensor g = directedGrad(param, grad, options.maximize, options.weightDecay);
        double clr = options.lr / (1 + (t - 1) * (double) options.lrDecay);
        Tensor sum = stateOrFull(param, SUM, options.initialAccumulatorValue);
        try (Tensor g2 = g.mul(g)) {
            sum.add_(g2);
        }
        try (Tensor std = sum.sqrt(); Tensor ratio = g.div(std.add_(options.eps))) {
            param.add_(ratio, (float) -clr);
        }
        closeUnlessGrad(g, grad);
    }
}
