package dev.tensorj.nn;

import dev.tensorj.Device;
import dev.tensorj.Tensor;

/** {@code tanh(x)} elementwise, as {@code torch.nn.Tanh}. */
public class Tanh extends Module {
    /** Creates the layer. */
    public Tanh() {}

    /** Moves this module's parameters and buffers (it has none); see {@link Module#to}. Returns this Tanh. */
    @Override
    public Tanh to(Device device) {
        super.to(device);
        return this;
    }

    /** Training mode; see {@link Module#train}. Returns this Tanh. */
    @Override
    public Tanh train() {
        super.train();
        return this;
    }

    /** Evaluation mode; see {@link Module#eval}. Returns this Tanh. */
    @Override
    public Tanh eval() {
        super.eval();
        return this;
    }

    /** Applies this layer to {@code input}. */
    @Override
    public Tensor forward(Tensor input) {
        return input.tanh();
    }
}
