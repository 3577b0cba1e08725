package dev.tensorj.nn;

import dev.tensorj.Device;
import dev.tensorj.Tensor;
import java.util.Objects;

/** The Gaussian error linear unit elementwise, as {@code torch.nn.GELU}: exact ({@code approximate = "none"}, the default) or with the tanh approximation ({@code "tanh"}). */
public class GELU extends Module {
    private final String approximate;

    /** The exact GELU, {@code x · Φ(x)}. */
    public GELU() {
        this("none");
    }

    /**
     * GELU with {@code approximate} {@code "none"} (exact) or {@code "tanh"}.
     *
     * @throws IllegalArgumentException for any other value
     */
    public GELU(String approximate) {
        Objects.requireNonNull(approximate, "GELU: approximate is null");
        if (!approximate.equals("none") && !approximate.equals("tanh")) {
            throw new IllegalArgumentException("GELU: approximate must be \"none\" or \"tanh\", got \"" + approximate + "\"");
        }
        this.approximate = approximate;
    }

    /** {@code "none"} or {@code "tanh"}. */
    public String approximate() {
        return approximate;
    }

    @Override
    public String toString() {
        return "GELU(approximate=" + approximate + ")";
    }

    /** Moves this module's parameters and buffers (it has none); see {@link Module#to}. Returns this GELU. */
    @Override
    public GELU to(Device device) {
        super.to(device);
        return this;
    }

    /** Training mode; see {@link Module#train}. Returns this GELU. */
    @Override
    public GELU train() {
        super.train();
        return this;
    }

    /** Evaluation mode; see {@link Module#eval}. Returns this GELU. */
    @Override
    public GELU eval() {
        super.eval();
        return this;
    }

    /** Applies this layer to {@code input}. */
    @Override
    public Tensor forward(Tensor input) {
        return input.gelu(approximate);
    }
}
