package dev.tensorj.backend;

/**
 * Elementwise ops of one tensor. The ordinals are mirrored as {@code TJ_*} defines in
 * {@code src/main/cuda/ops.cuh}: append new ops at the end of the block there too.
 */
public enum UnaryOp {
    NEG,
    RELU,
    EXP,
    LOG,
    LOG1P,
    EXPM1,
    SQRT,
    RSQRT,
    ABS,
    SIGN,
    TANH,
    SIGMOID,
    SILU,
    /** GELU, exact form {@code 0.5·x·(1 + erf(x/√2))}. */
    GELU,
    /** GELU, PyTorch's tanh approximation. */
    GELU_TANH,
    SIN,
    COS,
    RECIPROCAL
}
