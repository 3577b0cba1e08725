package dev.tensorj.backend;

/**
 * Elementwise ops of two operands {@code a} and {@code b} (a tensor or a scalar). {@code RSUB} and
 * {@code RDIV} put the scalar first ({@code b - a}, {@code b / a}); {@code RELU_BACKWARD} is 0
 * where {@code a <= 0} and {@code b} elsewhere, NaN included (ReLU's gradient, with a = input,
 * b = grad, as PyTorch's threshold_backward); {@code POW} is C's pow, see {@link #pow}.
 * {@code MAXIMUM} and {@code MINIMUM} are Java's {@code Math.max} and {@code Math.min} (NaN wins,
 * and {@code -0 < +0}), the two halves of a clamp. {@code RPOW} is {@code b^a} (a scalar base
 * raised to a tensor).
 *
 * <p>The {@code *_BACKWARD} ops after it are fused backward rules of an activation, one kernel
 * instead of a chain of ops with a temporary each: {@code a} is the value the rule reads (the
 * forward's output y for sigmoid and tanh, its input x for the others) and {@code b} the gradient
 * of the output; the math is {@link Activations}'.
 */
public enum BinaryOp {
    ADD,
    SUB,
    MUL,
    DIV,
    POW,
    RSUB,
    RDIV,
    RELU_BACKWARD,
    MAXIMUM,
    MINIMUM,
    RPOW,
    /** {@code b·(a·(1 - a))}, a = sigmoid's output. */
    SIGMOID_BACKWARD,
    /** {@code b·(1 - a²)}, a = tanh's output. */
    TANH_BACKWARD,
    /** SiLU's gradient at input a times b. */
    SILU_BACKWARD,
    /** GELU's (exact form) gradient at input a times b. */
    GELU_BACKWARD,
    /** The tanh-approximated GELU's gradient at input a times b. */
    GELU_TANH_BACKWARD,
    /**
     * {@code relu(a + b)}, exactly the two ops in turn: a layer's bias add and its ReLU in one pass
     * ({@code Math.max}: NaN passes, -0 becomes +0).
     */
    ADD_RELU;

    /** Reference semantics, shared by the CPU kernels and the tests. */
    public float apply(float a, float b) {
        switch (this) {
            case ADD: return a + b;
            case SUB: return a - b;
            case MUL: return a * b;
            case DIV: return a / b;
            case POW: return pow(a, b);
            case RSUB: return b - a;
            case RDIV: return b / a;
            case RELU_BACKWARD: return a <= 0f ? 0f : b;
            case MAXIMUM: return Math.max(a, b);
            case MINIMUM: return Math.min(a, b);
            case RPOW: return pow(b, a);
            case SIGMOID_BACKWARD: return Activations.sigmoidBackward(a, b);
            case TANH_BACKWARD: return Activations.tanhBackward(a, b);
            case SILU_BACKWARD: return Activations.siluBackward(a, b);
            case GELU_BACKWARD: return Activations.geluBackward(a, b);
            case GELU_TANH_BACKWARD: return Activations.geluTanhBackward(a, b);
            case ADD_RELU: return Math.max(a + b, 0f);
            default: throw new AssertionError(this);
        }
    }

    /**
     * {@code a^b} as C's {@code pow} (and so PyTorch) gives it: {@code pow(1, b) = 1} for every b,
     * NaN included, and {@code pow(-1, ±inf) = 1}, where Java's Math.pow gives NaN; everything else
     * agrees with Math.pow ({@code pow(a, ±0) = 1} for every a in both), computed in double and
     * rounded once. The CUDA kernels' {@code tj_pow} (src/main/cuda/ops.cuh) is the same function.
     */
    public static float pow(float a, float b) {
        if (a == 1f || (a == -1f && Float.isInfinite(b))) {
            return 1f;
        }
        return (float) Math.pow(a, b);
    }
}
