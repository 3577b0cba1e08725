package dev.tensorj.optim;

import dev.tensorj.Tensor;
import java.util.Collection;
import java.util.List;

/** Updates parameters from their gradients, as {@code torch.optim.Optimizer}. */
public abstract class Optimizer {
    protected final List<Tensor> params;

    /**
     * @throws IllegalArgumentException if {@code params} is empty or holds a tensor that is not a
     *     leaf requiring grad
     */
    protected Optimizer(Collection<Tensor> params) {
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
}
