package dev.tensorj.backend.cpu;

import static dev.tensorj.backend.cpu.KernelData.assertBits;

import dev.tensorj.backend.BinaryOp;
import dev.tensorj.backend.BroadcastPlan;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Binary kernels at the edges of their fast paths: ReLU's gradient with its only special value at
 * the first element of a chunk, an in-place op split across threads, and rows that lie at a
 * stride other than their length (every other row of a matrix) against a repeated row and against
 * each other. Every element is {@link BinaryOp#apply}'s.
 */
class CpuElementwiseEdgesTest {

    private static void check(BinaryOp op, float[] a, float[] b, float[] out, int[] shape, long[] as, long[] bs,
            String what) {
        int n = out.length;
        for (int i = 0; i < n; i++) {
            long ao = 0;
            long bo = 0;
            int rem = i;
            for (int d = shape.length - 1; d >= 0; d--) {
                ao += (rem % shape[d]) * as[d];
                bo += (rem % shape[d]) * bs[d];
                rem /= shape[d];
            }
            assertBits(op.apply(a[(int) ao], b[(int) bo]), out[i], what + " at " + i);
        }
    }

    @Test
    void reluBackwardWithASpecialValueOnlyAtAChunksFirstElement() {
        var rnd = new SplittableRandom(111);
        int len = 2 * 1024 + 37;
        for (int at : new int[] {0, 1024}) {
            for (float special : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
                for (boolean inA : new boolean[] {true, false}) {
                    float[] a = KernelData.uniform(rnd, len, -2, 2);
                    float[] b = KernelData.uniform(rnd, len, -2, 2);
                    a[at] = inA ? special : 1f;
                    b[at] = inA ? 0.5f : special;
                    float[] out = new float[len];
                    int[] shape = {len};
                    long[] one = {1};
                    CpuElementwise.binary(BinaryOp.RELU_BACKWARD, a, b, out, BroadcastPlan.of(shape, one, one));
                    check(BinaryOp.RELU_BACKWARD, a, b, out, shape, one, one,
                            "relu_backward with " + special + (inA ? " in a" : " in b") + " at " + at);
                }
            }
        }
    }

    @Test
    void inPlaceSplitAcrossThreads() {
        var rnd = new SplittableRandom(112);
        int n = CpuThreads.PARALLEL_MIN_ELEMENTS + 77;
        int[] shape = {n};
        long[] one = {1};
        for (BinaryOp op : new BinaryOp[] {BinaryOp.RELU_BACKWARD, BinaryOp.ADD, BinaryOp.ADD_RELU}) {
            float[] a = KernelData.uniform(rnd, n, -2, 2);
            float[] b = KernelData.uniform(rnd, n, -2, 2);
            float[] a0 = a.clone();
            CpuElementwise.binary(op, a, b, a, BroadcastPlan.of(shape, one, one));
            check(op, a0, b, a, shape, one, one, op + " in place, split");
        }
    }

    @Test
    void rowsAtAStrideOtherThanTheirLength() {
        var rnd = new SplittableRandom(113);
        int rows = 9;
        for (int n : new int[] {5, 20, 130}) {
            int[] shape = {rows, n};
            long[] everyOther = {2L * n, 1};
            long[] contiguous = {n, 1};
            long[] repeated = {0, 1};
            float[] big = KernelData.uniform(rnd, 2 * rows * n, -2, 2);
            float[] m = KernelData.uniform(rnd, rows * n, -2, 2);
            float[] row = KernelData.uniform(rnd, n, -2, 2);
            for (BinaryOp op : new BinaryOp[] {BinaryOp.SUB, BinaryOp.MUL}) {
                long[][][] pairs = {{everyOther, repeated}, {repeated, everyOther}, {everyOther, contiguous},
                    {contiguous, everyOther}};
                for (long[][] p : pairs) {
                    float[] a = p[0] == everyOther ? big : p[0] == repeated ? row : m;
                    float[] b = p[1] == everyOther ? big : p[1] == repeated ? row : m;
                    float[] out = new float[rows * n];
                    CpuElementwise.binary(op, a, b, out, BroadcastPlan.of(shape, p[0], p[1]));
                    check(op, a, b, out, shape, p[0], p[1], op + " [" + rows + ", " + n + "] a "
                            + java.util.Arrays.toString(p[0]) + " b " + java.util.Arrays.toString(p[1]));
                }
            }
        }
    }
}
