package dev.tensorj.optim;

import dev.tensorj.Tensor;
import java.util.Collection;
import java.util.List;

/**
 * AdamW with PyTorch's update rule ({@code torch.optim.AdamW}): {@link Adam} with decoupled weight
 * decay, {@code param *= 1 - lr·weightDecay} before the Adam step instead of an L2 penalty in the
 * gradient. PyTorch's default weight decay for AdamW is 1e-2, so start the options from
 * {@link #lr(float)} (which has it), not from {@link Adam.Options#lr(float)} (which has 0):
 * <pre>{@code
 * AdamW opt = new AdamW(model.parameters(), AdamW.lr(1e-3f).withAmsgrad(true));
 * }</pre>
 * AMSGrad, {@code maximize}, the state names and skipping parameters without a gradient are as
 * {@link Adam}'s.
 */
public class AdamW extends Adam {
    /** PyTorch's default weight decay for AdamW. */
    public static final float DEFAULT_WEIGHT_DECAY = 1e-2f;

    /**
     * AdamW's options with learning rate {@code lr} and PyTorch's other AdamW defaults: betas
     * (0.9, 0.999), eps 1e-8, weight decay 1e-2, no AMSGrad, minimizing.
     */
    public static Adam.Options lr(float lr) {
        return Adam.Options.lr(lr).withWeightDecay(DEFAULT_WEIGHT_DECAY);
    }

    /**
     * AdamW with learning rate {@code lr} and PyTorch's other defaults (weight decay 1e-2).
     *
     * @throws IllegalArgumentException as {@link #AdamW(Collection, Adam.Options)}
     */
    public AdamW(Collection<Tensor> params, float lr) {
        this(params, lr(lr));
    }

    /**
     * AdamW with the given options, whose weight decay is decoupled.
     *
     * @throws IllegalArgumentException as {@link Adam#Adam(Collection, Adam.Options)}, naming AdamW
     */
    public AdamW(Collection<Tensor> params, Adam.Options options) {
        this(List.of(new ParamGroup<>(params, options)));
    }

    /**
     * AdamW over parameter groups, each with its own options (see {@link ParamGroup}); start them
     * from {@link #lr(float)} for PyTorch's AdamW weight decay.
     *
     * @throws IllegalArgumentException as {@link Adam#Adam(List)}, naming AdamW
     */
    public AdamW(List<ParamGroup<Adam.Options>> groups) {
        super(groups, true);
    }
}
