package dev.tensorj.backend;

/**
 * Elementwise ops of two operands {@code a} and {@code b} (a tensor or a scalar). {@code RSUB} and
 * {@code RDIV} put the scalar first ({@code b - a}, {@code b / a}); {@code RELU_BACKWARD} is 0
 * where {@code a <= 0} and {@code b} elsewhere, NaN included (ReLU's gradient, with a = input,
 * b = grad, as PyTorch's threshold_backward); {@code POW} is C's pow, see {@link #pow}.
 * {@code MAXIMUM} and {@code MINIMUM} are Java's {@code Math.max} and {@code Math.min} (NaN wins,
 * and {@code -0 < +0}), the two halves of a clamp.
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
    MINIMUM;

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
