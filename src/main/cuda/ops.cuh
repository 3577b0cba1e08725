// Elementwise semantics shared by the kernels. They must give the bits the CPU backend's Java
// gives: IEEE float ops, no FMA contraction (build-kernels.sh passes -fmad=false), Java's NaN rules.
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

// UnaryOp ordinals (dev.tensorj.backend.UnaryOp).
#define TJ_NEG 0
#define TJ_RELU 1

// ScalarType ordinals (dev.tensorj.backend.ScalarType): the element types tj_cast converts between.
#define TJ_F32 0
#define TJ_I64 1
#define TJ_BOOL 2

// Java computes (float) Math.pow((double) a, (double) b). C's pow differs from Java's in two
// corners (pow(1, NaN) and pow(±1, ±inf) are 1 in C, NaN in Java), handled first. Computing in
// double and rounding once gives Java's float except in ties closer than 2 double ulps.
__device__ __forceinline__ float tj_pow(float a, float b) {
    if (b != b) {
        return b;
    }
    if (fabsf(a) == 1.0f && isinf(b)) {
        return __int_as_float(0x7fc00000);
    }
    if (b == 2.0f) {
        return a * a; // the CPU's fast path; equal to the double route, cheaper
    }
    return (float) pow((double) a, (double) b);
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
        default: return a > 0.0f ? b : 0.0f; // TJ_RELU_BACKWARD: NaN input gives 0, as in Java
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
