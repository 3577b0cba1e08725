package dev.tensorj.nn;

import dev.tensorj.Device;
import dev.tensorj.Functional;
import dev.tensorj.Tensor;

/**
 * {@code log_softmax} along one dimension, as {@code torch.nn.LogSoftmax(dim)}: each slice along
 * {@code dim} becomes {@code x - logsumexp(x)}, stable for large logits; see
 * {@link Functional#logSoftmax(Tensor, int)}. The dimension is required (PyTorch's implicit choice
 * when it is omitted is deprecated). Followed by {@link NLLLoss} it is {@link CrossEntropyLoss}.
 */
public class LogSoftmax extends Module {
    private final int dim;

    /** Log-softmax along {@code dim} (negative counts from the end), checked against each input's rank. */
    public LogSoftmax(int dim) {
        this.dim = dim;
    }

    /** The dimension the log-softmax runs along. */
    public int dim() {
        return dim;
    }

    @Override
    public String toString() {
        return "LogSoftmax(dim=" + dim + ")";
    }

    /** Moves this module's parameters and buffers (it has none); see {@link Module#to}. Returns this LogSoftmax. */
    @Override
    public LogSoftmax to(Device device) {
        super.to(device);
        return this;
    }

    /** Training mode; see {@link Module#train}. Returns this LogSoftmax. */
    @Override
    public LogSoftmax train() {
        super.train();
        return this;
    }

    /** Evaluation mode; see {@link Module#eval}. Returns this LogSoftmax. */
    @Override
    public LogSoftmax eval() {
        super.eval();
        return this;
    }

    /** Applies this layer to {@code input}. */
    @Override
    public Tensor forward(Tensor input) {
        return Functional.logSoftmax(input, dim);
    }
}
