package dev.tensorj.backend.cpu;

import dev.tensorj.backend.UnaryOp;

/**
 * The elementwise math ops of one float32 tensor on the CPU (neg and relu keep their fast loops in
 * {@link CpuBackend}). Transcendental functions are computed in double and rounded once, which is
 * within an ulp of the CUDA kernels' float libm functions ({@code src/main/cuda/ops.cuh}); abs, sign,
 * sqrt, rsqrt and reciprocal give the kernels' bits exactly.
 */
final class CpuUnary {
    private static final double SQRT1_2 = 0.70710678118654752440;
    private static final double INV_SQRT_2PI = 0.39894228040143267794;
    private static final double SQRT_2_OVER_PI = 0.79788456080286535588;
    private static final double GELU_KAPPA = 0.044715;

    private CpuUnary() {}

    /** {@code o[i] = op(a[i])} for {@code i} in {@code [from, to)}. */
    static void range(UnaryOp op, float[] a, float[] o, int from, int to) {
        switch (op) {
            case EXP:
                for (int i = from; i < to; i++) o[i] = (float) Math.exp(a[i]);
                break;
            case LOG:
                for (int i = from; i < to; i++) o[i] = (float) Math.log(a[i]);
                break;
            case LOG1P:
                for (int i = from; i < to; i++) o[i] = (float) Math.log1p(a[i]);
                break;
            case EXPM1:
                for (int i = from; i < to; i++) o[i] = (float) Math.expm1(a[i]);
                break;
            case SQRT: // correctly rounded: sqrt in double of a float, rounded once, is sqrtf
                for (int i = from; i < to; i++) o[i] = (float) Math.sqrt(a[i]);
                break;
            case RSQRT: // 1.0f / sqrtf(x), as the kernel
                for (int i = from; i < to; i++) o[i] = 1f / (float) Math.sqrt(a[i]);
                break;
            case ABS:
                for (int i = from; i < to; i++) o[i] = Math.abs(a[i]);
                break;
            case SIGN:
                for (int i = from; i < to; i++) o[i] = Math.signum(a[i]);
                break;
            case TANH:
                for (int i = from; i < to; i++) o[i] = (float) Math.tanh(a[i]);
                break;
            case SIGMOID:
                for (int i = from; i < to; i++) o[i] = (float) sigmoid(a[i]);
                break;
            case SILU:
                for (int i = from; i < to; i++) o[i] = (float) (a[i] * sigmoid(a[i]));
                break;
            case GELU:
                for (int i = from; i < to; i++) o[i] = gelu(a[i]);
                break;
            case GELU_TANH:
                for (int i = from; i < to; i++) o[i] = geluTanh(a[i]);
                break;
            case SIN:
                for (int i = from; i < to; i++) o[i] = (float) Math.sin(a[i]);
                break;
            case COS:
                for (int i = from; i < to; i++) o[i] = (float) Math.cos(a[i]);
                break;
            case RECIPROCAL:
                for (int i = from; i < to; i++) o[i] = 1f / a[i];
                break;
            case GELU_GRAD:
                for (int i = from; i < to; i++) o[i] = geluGrad(a[i]);
                break;
            case GELU_TANH_GRAD:
                for (int i = from; i < to; i++) o[i] = geluTanhGrad(a[i]);
                break;
            default:
                throw new AssertionError(op);
        }
    }

    /** The logistic function without overflow: exp of a non-positive value only. */
    static double sigmoid(double x) {
        if (x >= 0) {
            return 1.0 / (1.0 + Math.exp(-x));
        }
        double e = Math.exp(x); // NaN for a NaN x
        return e / (1.0 + e);
    }

    /** {@code 0.5·x·(1 + erf(x/√2))} as {@code 0.5·x·erfc(-x/√2)}: no cancellation in the negative tail. */
    static float gelu(float x) {
        double d = x;
        return (float) (0.5 * d * Erf.erfc(-d * SQRT1_2));
    }

    /** {@code Φ(x) + x·φ(x)}. */
    static float geluGrad(float x) {
        double d = x;
        return (float) (0.5 * Erf.erfc(-d * SQRT1_2) + d * Math.exp(-0.5 * d * d) * INV_SQRT_2PI);
    }

    /** {@code 0.5·x·(1 + tanh(u))}, {@code u = √(2/π)·(x + 0.044715·x³)}, as {@code x / (1 + exp(-2u))}. */
    static float geluTanh(float x) {
        double d = x;
        double u = SQRT_2_OVER_PI * (d + GELU_KAPPA * d * d * d);
        return (float) (d / (1.0 + Math.exp(-2.0 * u)));
    }

    /** {@code s + 0.5·x·(1 - tanh²u)·u'} with {@code s = 0.5·(1 + tanh u)} and {@code 1 - tanh²u = 4s(1-s)}. */
    static float geluTanhGrad(float x) {
        double d = x;
        double u = SQRT_2_OVER_PI * (d + GELU_KAPPA * d * d * d);
        double s = 1.0 / (1.0 + Math.exp(-2.0 * u));
        double t = 1.0 / (1.0 + Math.exp(2.0 * u)); // 1 - s without cancellation
        double du = SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_KAPPA * d * d);
        return (float) (s + 2.0 * d * s * t * du);
    }
}
