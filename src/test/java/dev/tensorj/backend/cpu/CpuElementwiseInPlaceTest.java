package dev.tensorj.backend.cpu;

import static dev.tensorj.backend.cpu.KernelData.assertBits;

import dev.tensorj.backend.BinaryOp;
import dev.tensorj.backend.BroadcastPlan;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Binary kernels writing over one of their operands (an in-place op, or a gradient accumulated in
 * its own buffer), on rows long enough for the staged and vectorised paths, with NaN and the
 * infinities in the row: every element is {@link BinaryOp#apply} of the operands as they were.
 */
class CpuElementwiseInPlaceTest {

    @Test
    void overwritingEitherOperandGivesApplysBits() {
        var rnd = new SplittableRandom(95);
        int len = 2 * 1024 + 37;
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f};
        BroadcastPlan plan = BroadcastPlan.of(new int[] {len}, new long[] {1}, new long[] {1});
        for (BinaryOp op : BinaryOp.values()) {
            for (boolean intoA : new boolean[] {true, false}) {
                float[] a = KernelData.uniform(rnd, len, -2, 2);
                float[] b = KernelData.uniform(rnd, len, -2, 2);
                for (int i = 0; i < len; i += 97) { // special values in both operands, in every chunk
                    a[i] = special[(i / 97) % special.length];
                    b[i + 1] = special[(i / 97 + 2) % special.length];
                }
                float[] a0 = a.clone();
                float[] b0 = b.clone();
                float[] out = intoA ? a : b;
                CpuElementwise.binary(op, a, b, out, plan);
                for (int i = 0; i < len; i++) {
                    assertBits(op.apply(a0[i], b0[i]), out[i],
                            op + " into " + (intoA ? "a" : "b") + " at " + i + " (" + a0[i] + ", " + b0[i] + ")");
                }
            }
        }
    }
}
