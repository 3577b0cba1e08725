package dev.tensorj.nn;

import dev.tensorj.Device;
import dev.tensorj.Functional;
import dev.tensorj.Tensor;

/** {@code max(x, 0)} elementwise. */
public class ReLU extends Module {
    /** Moves this module's parameters; see {@link Module#to}. Returns this ReLU. */
    @Override
    public ReLU to(Device device) {
        super.to(device);
        return this;
    }

    @Override
    public ReLU train() {
        super.train();
        return this;
    }

    @Override
    public ReLU eval() {
        super.eval();
        return this;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Functional.relu(input);
    }
}
