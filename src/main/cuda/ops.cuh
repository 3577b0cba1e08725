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
#define TJ_RPOW 10
#define TJ_SIGMOID_BACKWARD 11
#define TJ_TANH_BACKWARD 12
#define TJ_SILU_BACKWARD 13
#define TJ_GELU_BACKWARD 14
#define TJ_GELU_TANH_BACKWARD 15
#define TJ_ADD_RELU 16

// UnaryOp ordinals (dev.tensorj.backend.UnaryOp).
#define TJ_NEG 0
#define TJ_RELU 1
#define TJ_EXP 2
#define TJ_LOG 3
#define TJ_LOG1P 4
#define TJ_EXPM1 5
#define TJ_SQRT 6
#define TJ_RSQRT 7
#define TJ_ABS 8
#define TJ_SIGN 9
#define TJ_TANH 10
#define TJ_SIGMOID 11
#define TJ_SILU 12
#define TJ_GELU 13
#define TJ_GELU_TANH 14
#define TJ_SIN 15
#define TJ_COS 16
#define TJ_RECIPROCAL 17

// RandomKind ordinals (dev.tensorj.backend.RandomKind): the distributions of tj_random.
#define TJ_UNIFORM 0
#define TJ_NORMAL 1
#define TJ_BERNOULLI 2

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

// The logistic function without overflow: exp of a non-positive value only.
__device__ __forceinline__ float tj_sigmoid(float x) {
    if (x >= 0.0f) {
        return 1.0f / (1.0f + expf(-x));
    }
    float e = expf(x); // also NaN for a NaN x
    return e / (1.0f + e);
}

// The GELU family is computed in double and rounded once, as the CPU backend does (Activations):
// erfc(-x/√2) keeps its relative accuracy in the negative tail where 1 + erf(x/√2) cancels, and
// 1/(1 + exp(-2u)) is 0.5·(1 + tanh(u)) without that cancellation.
#define TJ_SQRT1_2 0.70710678118654752440
#define TJ_INV_SQRT_2PI 0.39894228040143267794
#define TJ_SQRT_2_OVER_PI 0.79788456080286535588
#define TJ_GELU_KAPPA 0.044715

__device__ __forceinline__ float tj_gelu(float x) {
    double d = x;
    return (float) (0.5 * d * erfc(-d * TJ_SQRT1_2));
}

__device__ __forceinline__ double tj_gelu_grad(double d) { // Φ(x) + x·φ(x)
    return 0.5 * erfc(-d * TJ_SQRT1_2) + d * exp(-0.5 * d * d) * TJ_INV_SQRT_2PI;
}

__device__ __forceinline__ float tj_gelu_tanh(float x) { // 0.5·x·(1 + tanh(u)) = x / (1 + exp(-2u))
    double d = x;
    double u = TJ_SQRT_2_OVER_PI * (d + TJ_GELU_KAPPA * d * d * d);
    return (float) (d / (1.0 + exp(-2.0 * u)));
}

// 0.5·(1 + tanh u) + 0.5·x·(1 - tanh²u)·u', with s = 0.5·(1 + tanh u), 1 - tanh²u = 4·s·(1 - s).
__device__ __forceinline__ double tj_gelu_tanh_grad(double d) {
    double u = TJ_SQRT_2_OVER_PI * (d + TJ_GELU_KAPPA * d * d * d);
    double s = 1.0 / (1.0 + exp(-2.0 * u));
    double t = 1.0 / (1.0 + exp(2.0 * u)); // 1 - s, without cancellation
    double du = TJ_SQRT_2_OVER_PI * (1.0 + 3.0 * TJ_GELU_KAPPA * d * d);
    return s + 2.0 * d * s * t * du;
}

// g·s·(1 + x·(1 - s)), s = sigmoid(x), in double and rounded once (Activations.siluBackward).
__device__ __forceinline__ double tj_sigmoid_d(double x) {
    if (x >= 0.0) {
        return 1.0 / (1.0 + exp(-x));
    }
    double e = exp(x);
    return e / (1.0 + e);
}

__device__ __forceinline__ float tj_silu_backward(float x, float g) {
    double s = tj_sigmoid_d(x);
    return (float) (g * (s * (1.0 + x * (1.0 - s))));
}

// The backward rules computed in double (a = the rule's input x, b = the gradient), as Activations'
// methods of the same names. Not inlined, so the binary kernels share one copy of their double
// code (inlined, it made elementwise.ptx 2.3x larger and most binary kernels use more registers).
// __attribute__((noinline)) rather than __noinline__, which host C++ (the emulator) lacks.
__device__ __attribute__((noinline)) float tj_double_backward(int op, float a, float b) {
    switch (op) {
        case TJ_SILU_BACKWARD: return tj_silu_backward(a, b);
        case TJ_GELU_BACKWARD: return (float) (b * tj_gelu_grad(a));
        default: return (float) (b * tj_gelu_tanh_grad(a)); // TJ_GELU_TANH_BACKWARD
    }
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
        case TJ_RPOW: return tj_pow(b, a);
        case TJ_RELU_BACKWARD: return a <= 0.0f ? 0.0f : b; // PyTorch's threshold_backward; a NaN a passes b
        case TJ_ADD_RELU: return tj_max(a + b, 0.0f); // Java's Math.max(a + b, 0): NaN passes, -0 gives +0
        // The fused backward rules (a = the value the rule reads, b = the output's gradient), as
        // Activations' methods of the same names: float for sigmoid and tanh, else double rounded once.
        case TJ_SIGMOID_BACKWARD: return b * (a * (1.0f - a));
        case TJ_TANH_BACKWARD: return b * (1.0f - a * a);
        default: return tj_double_backward(op, a, b); // silu, gelu, gelu tanh
    }
}

// The CPU backend's Java (CpuBackend.unary, CpuUnary) is the reference. Transcendental functions
// use the float libm functions (IEEE-accurate, no intrinsics): they may differ from the CPU's
// double route by an ulp or so; neg, relu, abs, sign, sqrt, rsqrt and reciprocal give equal bits.
__device__ __forceinline__ float tj_unary_op(int op, float x) {
    switch (op) {
        case TJ_NEG: return -x;
        // Java's Math.max(x, 0f): NaN stays NaN and -0 becomes +0. fmaxf(NaN, 0) would give 0.
        case TJ_RELU: return x > 0.0f ? x : (x != x ? x : 0.0f);
        case TJ_EXP: return expf(x);
        case TJ_LOG: return logf(x);
        case TJ_LOG1P: return log1pf(x);
        case TJ_EXPM1: return expm1f(x);
        case TJ_SQRT: return sqrtf(x);
        case TJ_RSQRT: return 1.0f / sqrtf(x);
        case TJ_ABS: return fabsf(x);
        case TJ_SIGN: return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : x); // Math.signum: ±0 and NaN stay
        case TJ_TANH: return tanhf(x);
        case TJ_SIGMOID: return tj_sigmoid(x);
        case TJ_SILU: return x * tj_sigmoid(x);
        case TJ_GELU: return tj_gelu(x);
        case TJ_GELU_TANH: return tj_gelu_tanh(x);
        case TJ_SIN: return sinf(x);
        case TJ_COS: return cosf(x);
        default: return 1.0f / x; // TJ_RECIPROCAL
    }
}

// Grid-stride loop over [0, n) with 64-bit indices: sizes may exceed 2^31.
#define TJ_FOR(i, n) \
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
         i += (long long) gridDim.x * blockDim.x)
