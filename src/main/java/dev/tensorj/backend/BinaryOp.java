package dev.tensorj.backend;

/**
 * Elementwise ops of two operands {@code a} and {@code b} (a tensor or a scalar). {@code RSUB} and
 * {@code RDIV} put the scalar first ({@code b - a}, {@code b / a}); {@code RELU_BACKWARD} passes
 * {@code b} where {@code a > 0} and 0 elsewhere (ReLU's gradient, with a = input, b = grad).
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
            case POW: return (float) Math.pow(a, b);
            case RSUB: return b - a;
            case RDIV: return b / a;
            case RELU_BACKWARD: return a > 0f ? b : 0f;
            case MAXIMUM: return Math.max(a, b);
            case MINIMUM: return Math.min(a, b);
            default: throw new AssertionError(this);
        }
    }
}
