package dev.tensorj.nn;

import dev.tensorj.DType;
import dev.tensorj.Device;
import dev.tensorj.NoGrad;
import dev.tensorj.Tensor;
import java.util.Objects;

/**
 * Dropout, as {@code torch.nn.Dropout}: in training mode each element is zeroed with probability
 * {@code p} and the others are scaled by {@code 1/(1-p)}; in evaluation mode the input is returned
 * as it is. The mask comes from the global generator ({@link Tensor#manualSeed}); it is drawn on the
 * host and copied to the input's device (tensorj has no on-device generator yet).
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

    /** Drops elements of {@code input} in training mode; returns {@code input} itself in evaluation mode or for {@code p = 0}. */
    @Override
    public Tensor forward(Tensor input) {
        Objects.requireNonNull(input, "dropout: input is null");
        if (!isTraining() || p == 0) {
            return input;
        }
        Tensor mask;
        try (NoGrad g = NoGrad.enter(); Tensor r = Tensor.rand(input.device(), input.shape());
                Tensor keep = r.ge((float) p)) {
            mask = keep.to(DType.FLOAT32);
            if (p < 1) {
                mask.mul_((float) (1 / (1 - p)));
            }
        }
        return input.mul(mask); // autograd keeps the mask for the backward pass
    }

    @Override
    public String toString() {
        return "Dropout(p=" + p + ")";
    }
}
