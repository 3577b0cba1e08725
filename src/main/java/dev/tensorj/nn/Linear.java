package dev.tensorj.nn;

import dev.tensorj.Device;
import dev.tensorj.Functional;
import dev.tensorj.NoGrad;
import dev.tensorj.Tensor;
import java.util.Objects;

/**
 * {@code y = x·Wᵀ + b} with PyTorch's layout and default initialisation: weight {@code [out, in]}
 * and bias {@code [out]}, both uniform in ±1/√in. Created on the CPU; move with {@link #to}.
 */
public class Linear extends Module {
    private final int inFeatures;
    private final int outFeatures;
    private final Tensor weight;
    private final Tensor bias;

    public Linear(int inFeatures, int outFeatures) {
        this(inFeatures, outFeatures, true);
    }

    public Linear(int inFeatures, int outFeatures, boolean bias) {
        if (inFeatures < 0 || outFeatures < 0) {
            throw new IllegalArgumentException("Linear(" + inFeatures + ", " + outFeatures
                    + "): feature counts must not be negative");
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        // PyTorch's init: uniform in ±1/√in; with no in-features the bias starts at 0 (bound 0).
        float bound = inFeatures == 0 ? 0f : (float) (1.0 / Math.sqrt(inFeatures));
        this.weight = registerParameter("weight", uniform(bound, outFeatures, inFeatures));
        this.bias = bias ? registerParameter("bias", uniform(bound, outFeatures)) : null;
    }

    private static Tensor uniform(float bound, int... shape) {
        try (NoGrad g = NoGrad.enter()) {
            return Tensor.rand(shape).mul_(2f * bound).sub_(bound); // in place: no temporaries
        }
    }

    /** Moves this module's parameters; see {@link Module#to}. Returns this Linear. */
    @Override
    public Linear to(Device device) {
        super.to(device);
        return this;
    }

    @Override
    public Linear train() {
        super.train();
        return this;
    }

    @Override
    public Linear eval() {
        super.eval();
        return this;
    }

    @Override
    public Tensor forward(Tensor input) {
        Objects.requireNonNull(input, "linear: input is null"); // before checkPlacement, which reads it
        checkPlacement(input);
        return Functional.linear(input, weight, bias);
    }

    /** {@code relu(forward(input))} in one op ({@link Functional#linearRelu}), for {@link Sequential}. */
    Tensor forwardRelu(Tensor input) {
        Objects.requireNonNull(input, "linear: input is null");
        checkPlacement(input);
        return Functional.linearRelu(input, weight, bias);
    }

    public Tensor weight() {
        return weight;
    }

    /** The bias, or {@code null} when built without one. */
    public Tensor bias() {
        return bias;
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    @Override
    public String toString() {
        return "Linear(in=" + inFeatures + ", out=" + outFeatures + ", bias=" + (bias != null) + ")";
    }
}
