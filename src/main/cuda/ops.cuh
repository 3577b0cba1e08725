// Elementwise semantics shared by the kernels. They must give the bits the CPU backend's Java
// gives: IEEE float ops, no FMA contraction (build-kernels.sh passes -fmad=false), Java's NaN rules
// (BinaryOp.apply is the reference; pow follows C and PyTorch there, not Java's Math.pow).
#pragma once

// BinaryOp ordinals (dev.tensorj.backend.BinaryOp), in one block each with UnaryOp below:
// OpOrdinalsTest checks that they equal the enums' ordinals, with no extra define.
#define TJ_ADD 0
#define TJ_SUB 1
#define TJ_MUL 2
#define TJ_DIV 3
#define TJ_POW 4
#define TJ_RSUB 5
#define TJ_RDIV 6
#define TJ_RELU_BACKWARD 7
#define TJ_MAXIMUM 8
#define TJ_MINIMUM 9

// UnaryOp ordinals (dev.tensorj.backend.UnaryOp).
#define TJ_NEG 0
#define TJ_RELU 1

// ScalarType ordinals (dev.tensorj.backend.ScalarType): the element types tj_cast converts between.
#define TJ_F32 0
#define TJ_I64 1
#define TJ_BOOL 2

// C's pow, which PyTorch follows: pow(1, y) = 1 for every y, NaN included, and pow(-1, ±inf) = 1
// (Java's Math.pow gives NaN there; BinaryOp.pow spells them out the same way). Spelled out here
// too, so that the result does not rest on the device's (or the emulator host's) libm for them.
// Computing in double and rounding once gives the CPU's float except in ties closer than 2 double ulps.
__device__ __forceinline__ float tj_pow(float a, float b) {
    if (a == 1.0f || (a == -1.0f && isinf(b))) {
        return 1.0f;
    }
    if (b == 2.0f) {
        return a * a; // the CPU's fast path; equal to the double route, cheaper
    }
    return (float) pow((double) a, (double) b);
}

// Java's Math.max and Math.min: NaN in the first operand wins, then NaN in the second (the
// comparison fails), and -0 orders below +0. fmaxf/fminf would drop the NaN.
__device__ __forceinline__ float tj_max(float a, float b) {
    if (a != a) {
        return a;
    }
    if (a == 0.0f && b == 0.0f && __float_as_int(a) == (int) 0x80000000) {
        return b;
    }
    return a >= b ? a : b;
}

__device__ __forceinline__ float tj_min(float a, float b) {
    if (a != a) {
        return a;
    }
    if (a == 0.0f && b == 0.0f && __float_as_int(b) == (int) 0x80000000) {
        return b;
    }
    return a <= b ? a : b;
}

__device__ __forceinline__ float tj_binary_op(int op, float a, float b) {
    switch (op) {
        case TJ_ADD: return a + b;
        case TJ_SUB: return a - b;
        case TJ_MUL: return a * b;
        case TJ_DIV: return a / b;
        case TJ_POW: return tj_pow(a, b);
        case TJ_RSUB: return b - a;
        case TJ_RDIV: return b / a;
        case TJ_MAXIMUM: return tj_max(a, b);
        case TJ_MINIMUM: return tj_min(a, b);
        default: return a <= 0.0f ? 0.0f : b; // TJ_RELU_BACKWARD: PyTorch's threshold_backward; a NaN a passes b
    }
}

__device__ __forceinline__ float tj_unary_op(int op, float x) {
    if (op == TJ_NEG) {
        return -x;
    }
    // Java's Math.max(x, 0f): NaN stays NaN and -0 becomes +0. fmaxf(NaN, 0) would give 0.
    return x > 0.0f ? x : (x != x ? x : 0.0f);
}

// Grid-stride loop over [0, n) with 64-bit indices: sizes may exceed 2^31.
#define TJ_FOR(i, n) \
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
         i += (long long) gridDim.x * blockDim.x)
