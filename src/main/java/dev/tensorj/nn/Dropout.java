package dev.tensorj.nn;

import dev.tensorj.Device;
import dev.tensorj.Functional;
import dev.tensorj.Tensor;

/**
 * Dropout, as {@code torch.nn.Dropout}: in training mode each element is zeroed with probability
 * {@code p} and the others are scaled by {@code 1/(1-p)}; in evaluation mode the input is returned
 * as it is. The gradient is {@code grad·mask/(1-p)}. The mask is drawn on the input's device from the
 * global generator ({@link Tensor#manualSeed}), so a seed drops the same elements on every device;
 * see {@link Functional#dropout(Tensor, double, boolean)}.
 */
public class Dropout extends Module {
    private final double p;

    /** Dropout with {@code p = 0.5}. */
    public Dropout() {
        this(0.5);
    }

    /**
     * Dropout with probability {@code p} of zeroing an element.
     *
     * @throws IllegalArgumentException unless {@code 0 <= p <= 1}
     */
    public Dropout(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("dropout probability has to be between 0 and 1, but got " + p);
        }
        this.p = p;
    }

    /** The probability of zeroing an element. */
    public double p() {
        return p;
    }

    /** Moves this module's parameters and buffers (it has none); see {@link Module#to}. Returns this Dropout. */
    @Override
    public Dropout to(Device device) {
        super.to(device);
        return this;
    }

    /** Training mode: elements are dropped. Returns this Dropout. */
    @Override
    public Dropout train() {
        super.train();
        return this;
    }

    /** Evaluation mode: the input passes unchanged. Returns this Dropout. */
    @Override
    public Dropout eval() {
        super.eval();
        return this;
    }

    /**
     * Drops elements of {@code input} in training mode ({@link Functional#dropout(Tensor, double,
     * boolean)}); returns {@code input} itself in evaluation mode or for {@code p = 0}.
     */
    @Override
    public Tensor forward(Tensor input) {
        return Functional.dropout(input, p, isTraining());
    }

    @Override
    public String toString() {
        return "Dropout(p=" + p + ")";
    }
}
