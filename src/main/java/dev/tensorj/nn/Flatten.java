package dev.tensorj.nn;

import dev.tensorj.Device;
import dev.tensorj.Tensor;

/** Flattens dimensions {@code startDim..endDim} into one, as {@code torch.nn.Flatten} (by default all but the batch dimension: {@code startDim = 1, endDim = -1}). */
public class Flatten extends Module {
    private final int startDim;
    private final int endDim;

    /** Flattens all dimensions but the first. */
    public Flatten() {
        this(1, -1);
    }

    /** Flattens dimensions {@code startDim..endDim} (negative counts from the end). */
    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    /** The first dimension flattened. */
    public int startDim() {
        return startDim;
    }

    /** The last dimension flattened. */
    public int endDim() {
        return endDim;
    }

    @Override
    public String toString() {
        return "Flatten(startDim=" + startDim + ", endDim=" + endDim + ")";
    }

    /** Moves this module's parameters and buffers (it has none); see {@link Module#to}. Returns this Flatten. */
    @Override
    public Flatten to(Device device) {
        super.to(device);
        return this;
    }

    /** Training mode; see {@link Module#train}. Returns this Flatten. */
    @Override
    public Flatten train() {
        super.train();
        return this;
    }

    /** Evaluation mode; see {@link Module#eval}. Returns this Flatten. */
    @Override
    public Flatten eval() {
        super.eval();
        return this;
    }

    /** Applies this layer to {@code input}. */
    @Override
    public Tensor forward(Tensor input) {
        return input.flatten(startDim, endDim);
    }
}
