package dev.tensorj.backend.cpu;

import dev.tensorj.backend.Activations;
import dev.tensorj.backend.UnaryOp;

/**
 * The elementwise math ops of one float32 tensor on the CPU (neg and relu keep their fast loops in
 * {@link CpuBackend}). Transcendental functions are computed in double and rounded once, which is
 * within an ulp of the CUDA kernels' float libm functions ({@code src/main/cuda/ops.cuh}); abs, sign,
 * sqrt, rsqrt and reciprocal give the kernels' bits exactly. The activations' math is {@link Activations}.
 */
final class CpuUnary {
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
                for (int i = from; i < to; i++) o[i] = (float) Activations.sigmoid(a[i]);
                break;
            case SILU:
                for (int i = from; i < to; i++) o[i] = (float) (a[i] * Activations.sigmoid(a[i]));
                break;
            case GELU:
                for (int i = from; i < to; i++) o[i] = Activations.gelu(a[i]);
                break;
            case GELU_TANH:
                for (int i = from; i < to; i++) o[i] = Activations.geluTanh(a[i]);
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
            default:
                throw new AssertionError(op);
        }
    }
}
