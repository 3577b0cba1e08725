package dev.tensorj.nn;

import dev.tensorj.Device;
import dev.tensorj.Functional;
import dev.tensorj.ShapeMismatchException;
import dev.tensorj.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * Layer normalisation over the last {@code normalizedShape.length} dimensions, as
 * {@code torch.nn.LayerNorm}: {@code (x - mean) / sqrt(var + eps) · weight + bias}, with the biased
 * variance, and, with {@code elementwiseAffine}, a weight (ones) and bias (zeros) of shape
 * {@code normalizedShape}.
 */
public class LayerNorm extends Module {
    private final int[] normalizedShape;
    private final double eps;
    private final Tensor weight;
    private final Tensor bias;

    /** Layer norm over the last dimensions of sizes {@code normalizedShape}, eps 1e-5, with weight and bias. */
    public LayerNorm(int... normalizedShape) {
        this(normalizedShape, 1e-5, true);
    }

    /**
     * Layer norm over the last dimensions of sizes {@code normalizedShape}.
     *
     * @throws IllegalArgumentException for an empty or non-positive shape, or a negative eps
     */
    public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine) {
        Objects.requireNonNull(normalizedShape, "LayerNorm: normalizedShape is null");
        if (normalizedShape.length == 0 || Arrays.stream(normalizedShape).anyMatch(s -> s <= 0) || !(eps >= 0)) {
            throw new IllegalArgumentException("LayerNorm(" + Arrays.toString(normalizedShape) + ", eps=" + eps
                    + "): need a non-empty shape of positive sizes and eps >= 0");
        }
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        this.weight = elementwiseAffine ? registerParameter("weight", Tensor.ones(Device.CPU, normalizedShape)) : null;
        this.bias = elementwiseAffine ? registerParameter("bias", Tensor.zeros(Device.CPU, normalizedShape)) : null;
    }

    /** Moves this module's parameters; see {@link Module#to}. Returns this LayerNorm. */
    @Override
    public LayerNorm to(Device device) {
        super.to(device);
        return this;
    }

    /** Training mode (no effect on layer norm). Returns this LayerNorm. */
    @Override
    public LayerNorm train() {
        super.train();
        return this;
    }

    /** Evaluation mode (no effect on layer norm). Returns this LayerNorm. */
    @Override
    public LayerNorm eval() {
        super.eval();
        return this;
    }

    /**
     * Normalises {@code input} over its last dimensions: {@link Functional#layerNorm}, one fused op
     * forward and backward.
     *
     * @throws ShapeMismatchException if the input's last dimensions are not {@code normalizedShape}
     */
    @Override
    public Tensor forward(Tensor input) {
        Objects.requireNonNull(input, "layerNorm: input is null");
        checkPlacement(input);
        return Functional.layerNorm(input, normalizedShape, weight, bias, eps);
    }

    /** The weight, or {@code null} without elementwise affine. */
    public Tensor weight() {
        return weight;
    }

    /** The bias, or {@code null} without elementwise affine. */
    public Tensor bias() {
        return bias;
    }

    @Override
    public String toString() {
        return "LayerNorm(" + Arrays.toString(normalizedShape) + ", eps=" + eps + ", elementwiseAffine="
                + (weight != null) + ")";
    }
}
