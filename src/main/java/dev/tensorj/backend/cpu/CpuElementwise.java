package dev.tensorj.backend.cpu;

import dev.tensorj.backend.Activations;
import dev.tensorj.backend.BinaryOp;
import dev.tensorj.backend.BroadcastPlan;

/**
 * Broadcasting binary kernels. The op is chosen once per row, outside the loops, so each inner
 * loop is a plain indexed loop that C2 can vectorise.
 */
final class CpuElementwise {
    private CpuElementwise() {}

    static void binary(BinaryOp op, float[] a, float[] b, float[] out, BroadcastPlan plan) {
        // The plan merged the dimensions both operands walk contiguously, so same-shape operands
        // are one long row: a [32, 20] op ran as 32 rows of 20 floats, each too short to vectorise.
        CpuPlanWalk.rows(plan, out.length, (aOff, aS, bOff, bS, oOff, len) -> row(op, a, aOff, aS, b, bOff, bS, out, oOff, len));
    }

    /** One output row of {@code len} elements; a stride of 0 broadcasts that operand. */
    private static void row(BinaryOp op, float[] a, int aOff, int aS, float[] b, int bOff, int bS,
                            float[] o, int oOff, int len) {
        if (aS == 1 && bS == 1) {
            contiguous(op, a, aOff, b, bOff, o, oOff, len);
        } else if (aS == 1 && bS == 0) {
            scalarRange(op, a, aOff, b[bOff], o, oOff, len);
        } else {
            for (int i = 0; i < len; i++) {
                o[oOff + i] = op.apply(a[aOff + i * aS], b[bOff + i * bS]);
            }
        }
    }

    private static void contiguous(BinaryOp op, float[] a, int aOff, float[] b, int bOff,
                                   float[] o, int oOff, int len) {
        switch (op) {
            case ADD:
                for (int i = 0; i < len; i++) o[oOff + i] = a[aOff + i] + b[bOff + i];
                break;
            case SUB:
                for (int i = 0; i < len; i++) o[oOff + i] = a[aOff + i] - b[bOff + i];
                break;
            case MUL:
                for (int i = 0; i < len; i++) o[oOff + i] = a[aOff + i] * b[bOff + i];
                break;
            case DIV:
                for (int i = 0; i < len; i++) o[oOff + i] = a[aOff + i] / b[bOff + i];
                break;
            case RELU_BACKWARD:
                // a <= 0 ? 0 : b in integer arithmetic: C2 (JDK 17) neither vectorises the ternary
                // nor avoids a branch that random signs mispredict, which measured 7x slower. b is
                // kept where a > 0 or a is NaN (of either sign), i.e. where x = bits(a) is > 0 as a
                // signed int (positive, +Inf, NaN with the sign clear) or its magnitude
                // x & 0x7FFFFFFF exceeds bits(+Inf) (any NaN). Each test puts its answer in a sign
                // bit: -x & ~x is negative exactly when x > 0 (-x < 0 for 0 < x, ~x < 0 for x >= 0;
                // at MIN_VALUE, -x < 0 but ~x >= 0), and bits(+Inf) - magnitude is negative exactly
                // for a NaN (no overflow: both are in [0, 2^31)). >> 31 spreads that bit into a mask;
                // ±0 and negatives, -Inf included, clear every bit of b (+0 out).
                for (int i = 0; i < len; i++) {
                    int x = Float.floatToRawIntBits(a[aOff + i]);
                    int keep = ((-x & ~x) | (0x7F800000 - (x & 0x7FFFFFFF))) >> 31;
                    o[oOff + i] = Float.intBitsToFloat(Float.floatToRawIntBits(b[bOff + i]) & keep);
                }
                break;
            case ADD_RELU: // Math.max compiles to a branch-free vmaxss, as ReLU's own loop
                for (int i = 0; i < len; i++) o[oOff + i] = Math.max(a[aOff + i] + b[bOff + i], 0f);
                break;
            // The fused backward rules: a loop each rather than a switch per element in apply.
            case SIGMOID_BACKWARD:
                for (int i = 0; i < len; i++) o[oOff + i] = Activations.sigmoidBackward(a[aOff + i], b[bOff + i]);
                break;
            case TANH_BACKWARD:
                for (int i = 0; i < len; i++) o[oOff + i] = Activations.tanhBackward(a[aOff + i], b[bOff + i]);
                break;
            case SILU_BACKWARD:
                for (int i = 0; i < len; i++) o[oOff + i] = Activations.siluBackward(a[aOff + i], b[bOff + i]);
                break;
            case GELU_BACKWARD:
                for (int i = 0; i < len; i++) o[oOff + i] = Activations.geluBackward(a[aOff + i], b[bOff + i]);
                break;
            case GELU_TANH_BACKWARD:
                for (int i = 0; i < len; i++) o[oOff + i] = Activations.geluTanhBackward(a[aOff + i], b[bOff + i]);
                break;
            default:
                for (int i = 0; i < len; i++) o[oOff + i] = op.apply(a[aOff + i], b[bOff + i]);
        }
    }

    static void scalarRange(BinaryOp op, float[] a, float s, float[] o, int from, int to) {
        scalarRange(op, a, from, s, o, from, to - from);
    }

    private static void scalarRange(BinaryOp op, float[] a, int aOff, float s, float[] o, int oOff, int len) {
        switch (op) {
            case ADD:
                for (int i = 0; i < len; i++) o[oOff + i] = a[aOff + i] + s;
                break;
            case SUB:
                for (int i = 0; i < len; i++) o[oOff + i] = a[aOff + i] - s;
                break;
            case MUL:
                for (int i = 0; i < len; i++) o[oOff + i] = a[aOff + i] * s;
                break;
            case DIV:
                for (int i = 0; i < len; i++) o[oOff + i] = a[aOff + i] / s;
                break;
            case RSUB:
                for (int i = 0; i < len; i++) o[oOff + i] = s - a[aOff + i];
                break;
            case MAXIMUM:
                for (int i = 0; i < len; i++) o[oOff + i] = Math.max(a[aOff + i], s);
                break;
            case MINIMUM:
                for (int i = 0; i < len; i++) o[oOff + i] = Math.min(a[aOff + i], s);
                break;
            case POW:
                if (s == 2f) {
                    for (int i = 0; i < len; i++) o[oOff + i] = a[aOff + i] * a[aOff + i];
                } else {
                    for (int i = 0; i < len; i++) o[oOff + i] = BinaryOp.pow(a[aOff + i], s);
                }
                break;
            default:
                for (int i = 0; i < len; i++) o[oOff + i] = op.apply(a[aOff + i], s);
        }
    }
}
