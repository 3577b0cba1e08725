package dev.tensorj.optim;

import dev.tensorj.Tensor;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Adam with PyTorch's update rule ({@code torch.optim.Adam}): bias-corrected first and second
 * moments, optional AMSGrad, {@code maximize}, and weight decay as an L2 penalty added to the
 * gradient (see {@link #update}); written in tensor ops on each parameter's own device. Options are
 * given by name:
 * <pre>{@code
 * Adam adam = new Adam(model.parameters(), Adam.Options.lr(1e-3f).withAmsgrad(true));
 * }</pre>
 * State per parameter, as PyTorch names it: {@code step}, {@code exp_avg}, {@code exp_avg_sq} and,
 * with AMSGrad, {@code max_exp_avg_sq} (see {@link Optimizer#state(Tensor)}). A parameter without a
 * gradient is skipped, and its step count does not advance. {@link AdamW} decouples the weight decay.
 */
public class Adam extends Optimizer {

    /**
     * Adam's options, an immutable value: start from {@link #lr(float)} or {@link #defaults()} and
     * change the others with the {@code with...} methods. PyTorch's defaults: lr 1e-3, betas
     * (0.9, 0.999), eps 1e-8, no weight decay, no AMSGrad, minimizing. Checked when an {@link Adam}
     * is built from them.
     *
     * @param lr the learning rate
     * @param beta1 the decay of the running mean of gradients
     * @param beta2 the decay of the running mean of squared gradients
     * @param eps added to the denominator for numerical stability
     * @param weightDecay the L2 penalty: {@code weightDecay * param} is added to the gradient
     * @param amsgrad whether to divide by the largest second moment seen so far (AMSGrad)
     * @param maximize whether to maximize the objective instead of minimizing it
     */
    public record Options(float lr, float beta1, float beta2, float eps, float weightDecay, boolean amsgrad,
            boolean maximize) implements GroupOptions {

        /** PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay. */
        public static Options defaults() {
            return lr(1e-3f);
        }

        /** Options with learning rate {@code lr} and every other option at PyTorch's default. */
        public static Options lr(float lr) {
            return new Options(lr, 0.9f, 0.999f, 1e-8f, 0f, false, false);
        }

        /** These options with learning rate {@code lr}. */
        @Override
        public Options withLr(float lr) {
            return new Options(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
        }

        /** These options with PyTorch's {@code betas=(beta1, beta2)}. */
        public Options withBetas(float beta1, float beta2) {
            return new Options(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
        }

        /** These options with {@code eps}. */
        public Options withEps(float eps) {
            return new Options(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
        }

        /** These options with the L2 penalty {@code weightDecay}. */
        public Options withWeightDecay(float weightDecay) {
            return new Options(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
        }

        /** These options with AMSGrad on or off. */
        public Options withAmsgrad(boolean amsgrad) {
            return new Options(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
        }

        /** These options maximizing (ascending the gradient) or minimizing. */
        public Options withMaximize(boolean maximize) {
            return new Options(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
        }
    }

    static final String EXP_AVG = "exp_avg";
    static final String EXP_AVG_SQ = "exp_avg_sq";
    static final String MAX_EXP_AVG_SQ = "max_exp_avg_sq";

    private final boolean decoupled;

    /**
     * Adam with learning rate {@code lr} and PyTorch's other defaults.
     *
     * @throws IllegalArgumentException as {@link #Adam(Collection, Options)}
     */
    public Adam(Collection<Tensor> params, float lr) {
        this(params, Options.lr(lr));
    }

    /**
     * Adam with the given options.
     *
     * @throws IllegalArgumentException for a negative or NaN lr, eps or weight decay, a beta outside
     *     [0, 1), or a parameter list that is empty or holds a tensor that is not a leaf requiring grad
     */
    public Adam(Collection<Tensor> params, Options options) {
        this(List.of(new ParamGroup<>(params, options)));
    }

    /**
     * Adam over parameter groups, each with its own options (see {@link ParamGroup}).
     *
     * @throws IllegalArgumentException as {@link #Adam(Collection, Options)}, for any group, or if
     *     there is no group or a parameter appears twice
     */
    public Adam(List<ParamGroup<Options>> groups) {
        this(groups, false);
    }

    /** Adam, or with {@code decoupled} AdamW's decoupled weight decay. */
    Adam(List<ParamGroup<Options>> groups, boolean decoupled) {
        super(groups);
        this.decoupled = decoupled;
    }

    /** Checks every option as PyTorch does (the superclass checks the rate). */
    @Override
    protected void checkOptions(GroupOptions options) {
        checked((Options) options, getClass().getSimpleName());
    }

    private static void checked(Options o, String name) {
        Objects.requireNonNull(o, name + ": options is null");
        if (!(o.lr >= 0f) || !(o.eps >= 0f) || !(o.weightDecay >= 0f)) {
            throw new IllegalArgumentException(name + ": lr, eps and weightDecay must be >= 0, got lr=" + o.lr
                    + ", eps=" + o.eps + ", weightDecay=" + o.weightDecay);
        }
        if (!(o.beta1 >= 0f && o.beta1 < 1f) || !(o.beta2 >= 0f && o.beta2 < 1f)) {
            throw new IllegalArgumentException(name + ": betas must be in [0, 1), got beta1=" + o.beta1
                    + ", beta2=" + o.beta2);
        }
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

    /** PyTorch's names and a group's values, for {@link #stateDict()}. */
    @Override
    protected Map<String, Object> optionsByName(GroupOptions groupOptions) {
        Options options = (Options) groupOptions;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("betas", List.of((double) options.beta1, (double) options.beta2));
        out.put("eps", (double) options.eps);
        out.put("weight_decay", (double) options.weightDecay);
        out.put("amsgrad", options.amsgrad);
        out.put("maximize", options.maximize);
        out.put("decoupled_weight_decay", decoupled);
        return out;
    }

    /**
     * Adam keeps {@code exp_avg}, {@code exp_avg_sq} and, with AMSGrad, {@code max_exp_avg_sq} (a
     * loaded state dict's groups have this optimizer's options, AMSGrad included: checked).
     */
    @Override
    protected Set<String> stateNames() {
        return Set.of(EXP_AVG, EXP_AVG_SQ, MAX_EXP_AVG_SQ);
    }

    /**
     * PyTorch's Adam step for one parameter ({@code torch.optim.Adam}'s documented algorithm, as its
     * single-tensor code orders it): {@code g = maximize ? -grad : grad}; Adam adds
     * {@code weightDecay·param} to {@code g} (AdamW instead scales {@code param *= 1 - lr·weightDecay});
     * {@code t += 1}; {@code m = β1·m + (1-β1)·g}; {@code v = β2·v + (1-β2)·g²}; with AMSGrad
     * {@code vmax = max(vmax, v)} replaces {@code v} below;
     * {@code param -= (lr / (1-β1^t)) · m / (sqrt(v) / sqrt(1-β2^t) + eps)}. The bias corrections are
     * computed on the host in double from the host step count; each tensor op is rounded in float32.
     */
    @Override
    protected void update(Tensor param, Tensor grad, GroupOptions groupOptions) {
        Options options = (Options) groupOptions;
        float lr = options.lr;
        if (decoupled && options.weightDecay != 0f) {
            param.mul_(1f - lr * options.weightDecay); // AdamW: the decay acts on the parameter
        }
        Tensor g = directedGrad(param, grad, options.maximize, decoupled ? 0f : options.weightDecay);
        long t = advanceStep(param);
        Tensor expAvg = stateOrFull(param, EXP_AVG, 0f);
        Tensor expAvgSq = stateOrFull(param, EXP_AVG_SQ, 0f);
        // m.lerp_(g, 1-β1) is m + (1-β1)(g-m); PyTorch's documented rule is β1·m + (1-β1)·g.
        expAvg.mul_(options.beta1).add_(g, 1f - options.beta1);
        try (Tensor g2 = g.mul(g)) {
            expAvgSq.mul_(options.beta2).add_(g2, 1f - options.beta2);
        }
        closeUnlessGrad(g, grad);
        Tensor second = expAvgSq;
        if (options.amsgrad) {
            Tensor max = stateOrFull(param, MAX_EXP_AVG_SQ, 0f);
            try (Tensor larger = max.maximum(expAvgSq)) {
                max.copy_(larger);
            }
            second = max;
        }
        double biasCorrection1 = 1 - Math.pow(options.beta1, t);
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(options.beta2, t));
        try (Tensor root = second.sqrt();
                Tensor denom = root.div_((float) biasCorrection2Sqrt).add_(options.eps);
                Tensor ratio = expAvg.div(denom)) {
            param.add_(ratio, (float) (-lr / biasCorrection1));
        }
    }
}
