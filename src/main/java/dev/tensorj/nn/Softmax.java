package dev.tensorj.nn;

import dev.tensorj.Device;
import dev.tensorj.Functional;
import dev.tensorj.Tensor;

/**
 * {@code softmax} along one dimension, as {@code torch.nn.Softmax(dim)}: each slice along {@code dim}
 * becomes {@code exp(x - max) / Σ exp(x - max)}; see {@link Functional#softmax(Tensor, int)}. The
 * dimension is required (PyTorch's implicit choice when it is omitted is deprecated).
 */
public class Softmax extends Module {
    private final int dim;

    /** Softmax along {@code dim} (negative counts from the end), checked against each input's rank. */
    public Softmax(int dim) {
        this.dim = dim;
    }

    /** The dimension the softmax runs along. */
    public int dim() {
        return dim;
    }

    @Override
    public String toString() {
        return "Softmax(dim=" + dim + ")";
    }

    /** Moves this module's parameters and buffers (it has none); see {@link Module#to}. Returns this Softmax. */
    @Override
    public Softmax to(Device device) {
        super.to(device);
        return this;
    }

    /** Training mode; see {@link Module#train}. Returns this Softmax. */
    @Override
    public Softmax train() {
        super.train();
        return this;
    }

    /** Evaluation mode; see {@link Module#eval}. Returns this Softmax. */
    @Override
    public Softmax eval() {
        super.eval();
        return this;
    }

    /** Applies this layer to {@code input}. */
    @Override
    public Tensor forward(Tensor input) {
        return Functional.softmax(input, dim);
    }
}
