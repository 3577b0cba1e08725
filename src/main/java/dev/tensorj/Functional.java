package dev.tensorj;

import dev.tensorj.backend.UnaryOp;

/**
 * Stateless ops behind the {@code nn} modules, as {@code torch.nn.functional}. Each checks its
 * operands' devices and shapes as one op, so errors name the layer's roles (input, weight, bias).
 */
public final class Functional {
    private Functional() {}

    /**
     * {@code input·weightᵀ + bias}: input {@code [..., in]}, weight {@code [out, in]}, bias
     * {@code [out]} or {@code null}.
     *
     * @throws DeviceMismatchException if the three are not on one device
     * @throws ShapeMismatchException if input's last dimension is not {@code in}
     */
    public static Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        return Linalg.linear(input, weight, bias);
    }

    public static Tensor relu(Tensor input) {
        return Elementwise.unary("relu", UnaryOp.RELU, input); // not input.relu(): a null input gets named
    }

    /**
     * Mean squared error, {@code mean((input - target)²)}. The shapes must be equal: a {@code [N,1]}
     * input against a {@code [N]} target is rejected rather than silently broadcast to {@code [N,N]}.
     */
    public static Tensor mseLoss(Tensor input, Tensor target) {
        DeviceBackend be = Dispatch.check("mse_loss", DTypes.FLOAT32, "input", input, "target", target);
        if (!java.util.Arrays.equals(input.shapeRef(), target.shapeRef())) {
            throw new ShapeMismatchException("mse_loss", "input " + Shapes.str(input.shapeRef()) + " and target "
                    + Shapes.str(target.shapeRef()) + " must have the same shape (broadcasting here is almost "
                    + "always a bug); reshape one of them", input.shapeRef(), target.shapeRef());
        }
        return Losses.mse(be, input, target);
    }

    // ---- elementwise math (as torch.nn.functional) ----

    /** The logistic function {@code 1/(1 + e^-x)} elementwise, as {@link Tensor#sigmoid()}. */
    public static Tensor sigmoid(Tensor input) {
        return Elementwise.unary("sigmoid", UnaryOp.SIGMOID, input);
    }

    /** The hyperbolic tangent elementwise, as {@link Tensor#tanh()}. */
    public static Tensor tanh(Tensor input) {
        return Elementwise.unary("tanh", UnaryOp.TANH, input);
    }

    /** {@code x·sigmoid(x)} elementwise, as {@link Tensor#silu()}. */
    public static Tensor silu(Tensor input) {
        return Elementwise.unary("silu", UnaryOp.SILU, input);
    }

    /** GELU, exact form, as {@link Tensor#gelu()}. */
    public static Tensor gelu(Tensor input) {
        return Elementwise.unary("gelu", UnaryOp.GELU, input);
    }

    /**
     * GELU with PyTorch's {@code approximate=} ({@code "none"} or {@code "tanh"}), as {@link Tensor#gelu(String)}.
     *
     * @throws IllegalArgumentException for any other value
     */
    public static Tensor gelu(Tensor input, String approximate) {
        java.util.Objects.requireNonNull(input, "gelu: input is null"); // named before approximate is read
        return Elementwise.unary("gelu", Elementwise.geluKind(approximate), input);
    }

    // ---------------------------------------------------------------- comparisons

    /**
     * {@code torch.where(condition, input, other)}: {@code condition ? input : other} elementwise,
     * the three broadcast together; condition bool, input and other float32. The gradient flows to
     * input where condition holds and to other elsewhere, none to condition.
     *
     * @throws DTypeMismatchException if condition is not bool or input or other is not float32
     * @throws DeviceMismatchException if the three are not on one device
     */
    public static Tensor where(Tensor condition, Tensor input, Tensor other) {
        return Comparisons.where(condition, input, other);
    }
}
