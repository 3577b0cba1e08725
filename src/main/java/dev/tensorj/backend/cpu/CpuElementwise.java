package dev.tensorj.backend.cpu;

import dev.tensorj.backend.Activations;
import dev.tensorj.backend.BinaryOp;
import dev.tensorj.backend.BroadcastPlan;

/**
 * Broadcasting binary kernels. The op is chosen once per row, outside the loops, so each inner
 * loop is a plain indexed loop that C2 can vectorise.
 *
 * <p>C2 (Java 17 to 25) vectorises such a loop only when every array is read and written at the
 * same index: {@code o[i] = a[i] + b[i]} runs 3-4x faster than {@code o[oOff + i] = a[aOff + i] +
 * b[bOff + i]}, which it must treat as possibly overlapping unless it knows the offsets are equal.
 * So a row whose operands sit at one offset takes the one-index loops ({@link #aligned}); a long
 * row at different offsets (a bias added to each row of a product: the bias at 0, the row at
 * {@code r·n}) is staged through small per-thread buffers at offset 0 ({@link #staged}), and only
 * short rows keep loops with an offset per array.
 */
final class CpuElementwise {
    private CpuElementwise() {}

    /**
     * Rows at least this long are staged when their offsets differ. Measured on the development
     * machine (2-vCPU AMD EPYC, Java 17): a 1,024-float bias row staged takes a quarter of the
     * offset loop's time; a 20-float row staged took longer than the offset loop.
     */
    static final int STAGE_MIN = 128;
    /** Floats per staging buffer: two of them and a row of output stay in a 32 KiB L1 cache. */
    private static final int STAGE = 1024;
    /**
     * Per thread: two operand buffers and the NaN flags of {@link #reluBackward}, which are all +0
     * between calls (they are cleared only after a NaN was flagged).
     */
    private static final ThreadLocal<float[][]> STAGING = ThreadLocal.withInitial(() -> new float[3][STAGE]);
    /** 2^127 and 2^23: a positive float times both is at least 2 (the smallest subnormal is 2^-149). */
    private static final float TWO_127 = 0x1p127f;
    private static final float TWO_23 = 0x1p23f;
    /** Never written: {@link #reluBackward} compares its flags with it (a vectorised mismatch). */
    private static final float[] ZEROS = new float[STAGE];

    static void binary(BinaryOp op, float[] a, float[] b, float[] out, BroadcastPlan plan) {
        if (plan.rank() == 2 && plan.shape[1] < STAGE_MIN && out.length > 0) {
            boolean rowOnRight = repeatsRow(plan.bStrides) && walksRows(plan.aStrides, plan.shape[1]);
            boolean rowOnLeft = repeatsRow(plan.aStrides) && walksRows(plan.bStrides, plan.shape[1]);
            if (rowOnRight || rowOnLeft) {
                tiledRows(op, rowOnRight ? a : b, rowOnRight ? b : a, rowOnLeft, out, (int) plan.shape[0], (int) plan.shape[1]);
                return;
            }
        }
        // The plan merged the dimensions both operands walk contiguously, so same-shape operands
        // are one long row: a [32, 20] op ran as 32 rows of 20 floats, each too short to vectorise.
        if (plan.rank() <= 1 && CpuThreads.serial(out.length, CpuThreads.PARALLEL_MIN_ELEMENTS)) {
            // One row on this thread, without the walk's lambdas (see CpuThreads.serial).
            int aS = plan.rank() == 0 ? 0 : (int) plan.aStrides[0];
            int bS = plan.rank() == 0 ? 0 : (int) plan.bStrides[0];
            row(op, a, 0, aS, b, 0, bS, out, 0, out.length);
            return;
        }
        CpuPlanWalk.rows(plan, out.length, (aOff, aS, bOff, bS, oOff, len) -> row(op, a, aOff, aS, b, bOff, bS, out, oOff, len));
    }

    /** One output row of {@code len} elements; a stride of 0 broadcasts that operand. */
    private static void row(BinaryOp op, float[] a, int aOff, int aS, float[] b, int bOff, int bS,
                            float[] o, int oOff, int len) {
        if (aS == 1 && bS == 1) {
            if (op == BinaryOp.RELU_BACKWARD && len >= STAGE_MIN && o != a && o != b) {
                reluBackward(a, aOff, b, bOff, o, oOff, len);
            } else if (aOff == oOff && bOff == oOff) {
                aligned(op, a, b, o, oOff, oOff + len);
            } else if (len >= STAGE_MIN) {
                staged(op, a, aOff, b, bOff, o, oOff, len);
            } else {
                offsets(op, a, aOff, b, bOff, o, oOff, len);
            }
        } else if (aS == 1 && bS == 0) {
            scalarRange(op, a, aOff, b[bOff], o, oOff, len);
        } else {
            for (int i = 0; i < len; i++) {
                o[oOff + i] = op.apply(a[aOff + i * aS], b[bOff + i * bS]);
            }
        }
    }

    private static boolean repeatsRow(long[] strides) {
        return strides[0] == 0 && strides[1] == 1;
    }

    private static boolean walksRows(long[] strides, long n) {
        return strides[0] == n && strides[1] == 1;
    }

    /**
     * {@code [rows, n]} against one short row repeated (a bias added to a small layer's output),
     * which row by row would run as many short loops with an offset per array. Instead the row is
     * tiled into a staging buffer (copied once, then doubled), and whole blocks of rows are
     * staged against it at offset 0 and combined by the one-index loop.
     */
    private static void tiledRows(BinaryOp op, float[] full, float[] row, boolean rowOnLeft, float[] o, int rows, int n) {
        int perBlock = STAGE / n;
        int grain = Math.max(1, CpuThreads.PARALLEL_MIN_ELEMENTS / n);
        if (CpuThreads.serial(rows, grain)) {
            tiledRange(op, full, row, rowOnLeft, o, n, perBlock, 0, rows);
        } else {
            CpuThreads.parallelFor(rows, grain, (from, to) -> tiledRange(op, full, row, rowOnLeft, o, n, perBlock, from, to));
        }
    }

    private static void tiledRange(BinaryOp op, float[] full, float[] row, boolean rowOnLeft, float[] o, int n,
                                   int perBlock, int from, int to) {
        float[][] buffers = STAGING.get();
        float[] staged = buffers[0];
        float[] tile = buffers[1];
        int tiled = Math.min(perBlock, to - from) * n;
        System.arraycopy(row, 0, tile, 0, n);
        for (int filled = n; filled < tiled; filled *= 2) {
            System.arraycopy(tile, 0, tile, filled, Math.min(filled, tiled - filled));
        }
        for (int r = from; r < to; r += perBlock) {
            int len = Math.min(perBlock, to - r) * n;
            System.arraycopy(full, r * n, staged, 0, len);
            if (rowOnLeft) {
                aligned(op, tile, staged, staged, 0, len);
            } else {
                aligned(op, staged, tile, staged, 0, len);
            }
            System.arraycopy(staged, 0, o, r * n, len);
        }
    }

    /**
     * A row at different offsets, a chunk at a time: both operands copied to offset 0 (an
     * intrinsic copy), combined there by the one-index loop, and the result copied out. The copies
     * cost less than the vectorised loop saves; the values are those of the plain loop.
     */
    private static void staged(BinaryOp op, float[] a, int aOff, float[] b, int bOff, float[] o, int oOff, int len) {
        float[][] buffers = STAGING.get();
        float[] sa = buffers[0];
        float[] sb = buffers[1];
        for (int done = 0; done < len; done += STAGE) {
            int n = Math.min(STAGE, len - done);
            System.arraycopy(a, aOff + done, sa, 0, n);
            System.arraycopy(b, bOff + done, sb, 0, n);
            aligned(op, sa, sb, sa, 0, n);
            System.arraycopy(sa, 0, o, oOff + done, n);
        }
    }

    /** {@code o[i] = op(a[i], b[i])} for {@code from <= i < to}: one index for all three arrays. */
    private static void aligned(BinaryOp op, float[] a, float[] b, float[] o, int from, int to) {
        switch (op) {
            case ADD:
                for (int i = from; i < to; i++) o[i] = a[i] + b[i];
                break;
            case SUB:
                for (int i = from; i < to; i++) o[i] = a[i] - b[i];
                break;
            case MUL:
                for (int i = from; i < to; i++) o[i] = a[i] * b[i];
                break;
            case DIV:
                for (int i = from; i < to; i++) o[i] = a[i] / b[i];
                break;
            case RELU_BACKWARD:
                reluBackwardExact(a, from, b, from, o, from, to - from);
                break;
            case ADD_RELU: // Math.max compiles to a branch-free vmaxss, as ReLU's own loop
                for (int i = from; i < to; i++) o[i] = Math.max(a[i] + b[i], 0f);
                break;
            // The fused backward rules: a loop each rather than a switch per element in apply.
            case SIGMOID_BACKWARD:
                for (int i = from; i < to; i++) o[i] = Activations.sigmoidBackward(a[i], b[i]);
                break;
            case TANH_BACKWARD:
                for (int i = from; i < to; i++) o[i] = Activations.tanhBackward(a[i], b[i]);
                break;
            case SILU_BACKWARD:
                for (int i = from; i < to; i++) o[i] = Activations.siluBackward(a[i], b[i]);
                break;
            case GELU_BACKWARD:
                for (int i = from; i < to; i++) o[i] = Activations.geluBackward(a[i], b[i]);
                break;
            case GELU_TANH_BACKWARD:
                for (int i = from; i < to; i++) o[i] = Activations.geluTanhBackward(a[i], b[i]);
                break;
            default:
                for (int i = from; i < to; i++) o[i] = op.apply(a[i], b[i]);
        }
    }

    /**
     * A short row at different offsets (a 20-float bias row, say), where staging costs more than
     * it saves: loops for the common ops, {@link BinaryOp#apply} for the rest.
     */
    private static void offsets(BinaryOp op, float[] a, int aOff, float[] b, int bOff, float[] o, int oOff, int len) {
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
            case ADD_RELU:
                for (int i = 0; i < len; i++) o[oOff + i] = Math.max(a[aOff + i] + b[bOff + i], 0f);
                break;
            case RELU_BACKWARD:
                reluBackwardExact(a, aOff, b, bOff, o, oOff, len);
                break;
            default:
                for (int i = 0; i < len; i++) o[oOff + i] = op.apply(a[aOff + i], b[bOff + i]);
        }
    }

    /**
     * ReLU's gradient ({@code a <= 0 ? +0 : b}) on a long row, in loops C2 vectorises: 4-5x faster
     * than {@link #reluBackwardExact}, whose bit test it cannot vectorise (nor a comparison). The
     * choice becomes arithmetic: {@code m = min(max(a·2^127·2^23, 0), 1)} is exactly 1 for
     * {@code a > 0} and +0 for {@code a <= 0}, and {@code b·m + (0.5 − m)·0} is then {@code b} for
     * m = 1 (a −0 gradient kept: −0 + −0) and +0 for m = 0 (±0 + +0). Those are exact unless a is
     * NaN or b is infinite or NaN; each such case leaves a NaN or an infinity in the output, which
     * {@code flags += out·0} turns into a NaN flag, and then the whole row is recomputed by the
     * exact loop. So the output is always {@link BinaryOp#apply}'s, bit for bit. The output must
     * not share an array with an operand (the recomputation reads them).
     */
    private static void reluBackward(float[] a, int aOff, float[] b, int bOff, float[] o, int oOff, int len) {
        float[][] buffers = STAGING.get();
        float[] sa = buffers[0];
        float[] sb = buffers[1];
        float[] flags = buffers[2];
        for (int done = 0; done < len; done += STAGE) {
            int n = Math.min(STAGE, len - done);
            System.arraycopy(a, aOff + done, sa, 0, n);
            System.arraycopy(b, bOff + done, sb, 0, n);
            for (int i = 0; i < n; i++) {
                float m = Math.min(Math.max(sa[i] * TWO_127 * TWO_23, 0f), 1f);
                float v = sb[i] * m + (0.5f - m) * 0f;
                sa[i] = v;
                flags[i] += v * 0f;
            }
            System.arraycopy(sa, 0, o, oOff + done, n);
        }
        // Finite outputs left every flag +0 (0 + ±0); a NaN flag means a NaN or an infinity went
        // through somewhere in the row.
        int flagged = Math.min(len, STAGE);
        if (java.util.Arrays.mismatch(flags, 0, flagged, ZEROS, 0, flagged) >= 0) {
            java.util.Arrays.fill(flags, 0, flagged, 0f);
            reluBackwardExact(a, aOff, b, bOff, o, oOff, len);
        }
    }

    /**
     * ReLU's gradient, one element at a time, in integer arithmetic: C2 (JDK 17) neither
     * vectorises the ternary nor avoids a branch that random signs mispredict, which measured 7x
     * slower. b is kept where a > 0 or a is NaN (of either sign), i.e. where x = bits(a) is > 0 as
     * a signed int (positive, +Inf, NaN with the sign clear) or its magnitude x & 0x7FFFFFFF
     * exceeds bits(+Inf) (any NaN). Each test puts its answer in a sign bit: -x & ~x is negative
     * exactly when x > 0 (-x < 0 for 0 < x, ~x < 0 for x >= 0; at MIN_VALUE, -x < 0 but ~x >= 0),
     * and bits(+Inf) - magnitude is negative exactly for a NaN (no overflow: both are in [0, 2^31)).
     * >> 31 spreads that bit into a mask; ±0 and negatives, -Inf included, clear every bit of b (+0 out).
     */
    private static void reluBackwardExact(float[] a, int aOff, float[] b, int bOff, float[] o, int oOff, int len) {
        for (int i = 0; i < len; i++) {
            int x = Float.floatToRawIntBits(a[aOff + i]);
            int keep = ((-x & ~x) | (0x7F800000 - (x & 0x7FFFFFFF))) >> 31;
            o[oOff + i] = Float.intBitsToFloat(Float.floatToRawIntBits(b[bOff + i]) & keep);
        }
    }

    /** {@code o[i] = op(a[i], s)} for {@code from <= i < to}: one index for both arrays (see the class). */
    static void scalarRange(BinaryOp op, float[] a, float s, float[] o, int from, int to) {
        switch (op) {
            case ADD:
                for (int i = from; i < to; i++) o[i] = a[i] + s;
                break;
            case SUB:
                for (int i = from; i < to; i++) o[i] = a[i] - s;
                break;
            case MUL:
                for (int i = from; i < to; i++) o[i] = a[i] * s;
                break;
            case DIV:
                for (int i = from; i < to; i++) o[i] = a[i] / s;
                break;
            case RSUB:
                for (int i = from; i < to; i++) o[i] = s - a[i];
                break;
            case MAXIMUM:
                for (int i = from; i < to; i++) o[i] = Math.max(a[i], s);
                break;
            case MINIMUM:
                for (int i = from; i < to; i++) o[i] = Math.min(a[i], s);
                break;
            case POW:
                if (s == 2f) {
                    for (int i = from; i < to; i++) o[i] = a[i] * a[i];
                } else {
                    for (int i = from; i < to; i++) o[i] = BinaryOp.pow(a[i], s);
                }
                break;
            default:
                for (int i = from; i < to; i++) o[i] = op.apply(a[i], s);
        }
    }

    /** A row of {@code a} against one scalar, from offsets that are usually equal (see the class). */
    private static void scalarRange(BinaryOp op, float[] a, int aOff, float s, float[] o, int oOff, int len) {
        if (aOff == oOff) {
            scalarRange(op, a, s, o, oOff, oOff + len);
        } else {
            for (int i = 0; i < len; i++) {
                o[oOff + i] = op.apply(a[aOff + i], s);
            }
        }
    }
}
