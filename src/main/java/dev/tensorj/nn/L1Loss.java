package dev.tensorj.nn;

import dev.tensorj.Device;
import dev.tensorj.Functional;
import dev.tensorj.Tensor;

/**
 * {@code nn.L1Loss}: the absolute error {@code |input - target|} of two tensors of the same shape,
 * reduced; see {@link Functional#l1Loss(Tensor, Tensor, String)}.
 */
public class L1Loss extends Loss {
    private final String reduction;

    /** Mean reduction, as PyTorch's default. */
    public L1Loss() {
        this("mean");
    }

    /**
     * With PyTorch's {@code reduction}: {@code "none"}, {@code "mean"} or {@code "sum"}.
     *
     * @throws IllegalArgumentException for another reduction
     */
    public L1Loss(String reduction) {
        this.reduction = checkReduction("L1Loss", reduction);
    }

    /** Moves this module's parameters (it has none); see {@link Module#to}. Returns this L1Loss. */
    @Override
    public L1Loss to(Device device) {
        super.to(device);
        return this;
    }

    @Override
    public L1Loss train() {
        super.train();
        return this;
    }

    @Override
    public L1Loss eval() {
        super.eval();
        return this;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Functional.l1Loss(input, target, reduction);
    }
}
