package dev.tensorj.optim;

import dev.tensorj.Tensor;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Parameters that share one set of options, as an entry of PyTorch's {@code param_groups}: for
 * example a pretrained backbone at a small rate and a new head at a larger one.
 * <pre>{@code
 * Adam.Options base = Adam.Options.lr(1e-4f);
 * Adam adam = new Adam(List.of(
 *         new ParamGroup<>(backbone.parameters(), base),
 *         new ParamGroup<>(head.parameters(), base.withLr(1e-3f).withWeightDecay(0.01f))));
 * }</pre>
 * PyTorch fills the options a group leaves out from the optimizer's defaults; here each group
 * carries all of them, so derive one group's options from another's with the {@code with...}
 * methods, as above.
 *
 * @param params the group's parameters, in order (copied)
 * @param options the group's options, with its learning rate
 * @param <O> the optimizer's options type
 */
public record ParamGroup<O extends GroupOptions>(List<Tensor> params, O options) {
    /**
     * A group of {@code params} with {@code options}.
     *
     * @throws NullPointerException if {@code params}, one of them, or {@code options} is null
     */
    public ParamGroup(Collection<Tensor> params, O options) {
        this(List.copyOf(Objects.requireNonNull(params, "ParamGroup: params is null")), options);
    }

    /**
     * @throws NullPointerException if {@code params}, one of them, or {@code options} is null
     */
    public ParamGroup {
        params = List.copyOf(Objects.requireNonNull(params, "ParamGroup: params is null"));
        Objects.requireNonNull(options, "ParamGroup: options is null");
    }
}
