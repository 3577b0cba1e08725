package dev.tensorj.nn;

import dev.tensorj.Device;
import dev.tensorj.Tensor;

/** {@code 1 / (1 + exp(-x))} elementwise, as {@code torch.nn.Sigmoid}. */
public class Sigmoid extends Module {
    /** Creates the layer. */
    public Sigmoid() {}

    /** Moves this module's parameters and buffers (it has none); see {@link Module#to}. Returns this Sigmoid. */
    @Override
    public Sigmoid to(Device device) {
        super.to(device);
        return this;
    }

    /** Training mode; see {@link Module#train}. Returns this Sigmoid. */
    @Override
    public Sigmoid train() {
        super.train();
        return this;
    }

    /** Evaluation mode; see {@link Module#eval}. Returns this Sigmoid. */
    @Override
    public Sigmoid eval() {
        super.eval();
        return this;
    }

    /** Applies this layer to {@code input}. */
    @Override
    public Tensor forward(Tensor input) {
        return input.sigmoid();
    }
}
