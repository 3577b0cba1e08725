package dev.tensorj.nn;

import dev.tensorj.Device;
import dev.tensorj.Tensor;

/** {@code x · sigmoid(x)} elementwise, as {@code torch.nn.SiLU}. */
public class SiLU extends Module {
    /** Creates the layer. */
    public SiLU() {}

    /** Moves this module's parameters and buffers (it has none); see {@link Module#to}. Returns this SiLU. */
    @Override
    public SiLU to(Device device) {
        super.to(device);
        return this;
    }

    /** Training mode; see {@link Module#train}. Returns this SiLU. */
    @Override
    public SiLU train() {
        super.train();
        return this;
    }

    /** Evaluation mode; see {@link Module#eval}. Returns this SiLU. */
    @Override
    public SiLU eval() {
        super.eval();
        return this;
    }

    /** Applies this layer to {@code input}. */
    @Override
    public Tensor forward(Tensor input) {
        return input.silu();
    }
}
