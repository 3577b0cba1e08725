package dev.tensorj.backend;

/**
 * Elementwise tests of two operands of one scalar type, each giving a bool: the six comparisons,
 * with IEEE semantics for floats (NaN compares false except {@code NE}, which is true; {@code -0 ==
 * +0}), and bools ordered {@code false < true}; and {@code AND}, {@code OR} of the operands' truth
 * values (nonzero is true, NaN included). The CUDA kernels (src/main/cuda/compare.cu) mirror the
 * ordinals as {@code TJ_CMP_<NAME>}.
 */
public enum CompareOp {
    EQ,
    NE,
    LT,
    LE,
    GT,
    GE,
    AND,
    OR;

    /** Reference semantics for {@link ScalarType#F32}, shared by the CPU kernels and the tests. */
    public boolean test(float a, float b) {
        switch (this) {
            case EQ: return a == b;
            case NE: return a != b;
            case LT: return a < b;
            case LE: return a <= b;
            case GT: return a > b;
            case GE: return a >= b;
            case AND: return a != 0f && b != 0f;
            case OR: return a != 0f || b != 0f;
            default: throw new AssertionError(this);
        }
    }

    /** Reference semantics for {@link ScalarType#I64}. */
    public boolean test(long a, long b) {
        switch (this) {
            case EQ: return a == b;
            case NE: return a != b;
            case LT: return a < b;
            case LE: return a <= b;
            case GT: return a > b;
            case GE: return a >= b;
            case AND: return a != 0 && b != 0;
            case OR: return a != 0 || b != 0;
            default: throw new AssertionError(this);
        }
    }

    /** Reference semantics for {@link ScalarType#BOOL}: {@code false < true}, as 0 and 1. */
    public boolean test(boolean a, boolean b) {
        return test(a ? 1L : 0L, b ? 1L : 0L);
    }
}
