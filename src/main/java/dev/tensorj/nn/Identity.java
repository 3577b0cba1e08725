package dev.tensorj.nn;

import dev.tensorj.Device;
import dev.tensorj.Tensor;

/** Returns its input unchanged, as {@code torch.nn.Identity}. */
public class Identity extends Module {
    /** Creates the layer. */
    public Identity() {}

    /** Moves this module's parameters and buffers (it has none); see {@link Module#to}. Returns this Identity. */
    @Override
    public Identity to(Device device) {
        super.to(device);
        return this;
    }

    /** Training mode; see {@link Module#train}. Returns this Identity. */
    @Override
    public Identity train() {
        super.train();
        return this;
    }

    /** Evaluation mode; see {@link Module#eval}. Returns this Identity. */
    @Override
    public Identity eval() {
        super.eval();
        return this;
    }

    /** Applies this layer to {@code input}. */
    @Override
    public Tensor forward(Tensor input) {
        return java.util.Objects.requireNonNull(input, "identity: input is null");
    }
}
