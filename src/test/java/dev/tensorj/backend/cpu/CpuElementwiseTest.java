package dev.tensorj.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tensorj.backend.BinaryOp;
import dev.tensorj.backend.BroadcastPlan;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** How the broadcast plan merges dimensions, and that the CPU's merged walks give the unmerged values. */
class CpuElementwiseTest {

    /** The plan the engine hands the kernels: merged dimensions and the strides that walk them. */
    private static String coalesced(int[] shape, long[] a, long[] b) {
        BroadcastPlan p = BroadcastPlan.of(shape, a, b);
        return Arrays.toString(p.shape) + " a" + Arrays.toString(p.aStrides) + " b" + Arrays.toString(p.bStrides);
    }

    @Test
    void sameShapeOperandsBecomeOneRow() {
        assertEquals("[24] a[1] b[1]", coalesced(new int[] {2, 3, 4}, new long[] {12, 4, 1}, new long[] {12, 4, 1}));
    }

    @Test
    void aRowBroadcastKeepsItsRows() {
        // [32, 20] + [20]: b repeats each row, so the rows cannot merge.
        assertEquals("[32, 20] a[20, 1] b[0, 1]", coalesced(new int[] {32, 20}, new long[] {20, 1}, new long[] {0, 1}));
        // [8, 4, 5] + [5]: the two outer dimensions merge with each other, not with the row.
        assertEquals("[32, 5] a[5, 1] b[0, 1]",
                coalesced(new int[] {8, 4, 5}, new long[] {20, 5, 1}, new long[] {0, 0, 1}));
    }

    @Test
    void aColumnBroadcastAndAScalarOperand() {
        assertEquals("[3, 4] a[4, 1] b[1, 0]", coalesced(new int[] {3, 4}, new long[] {4, 1}, new long[] {1, 0}));
        assertEquals("[24] a[1] b[0]", coalesced(new int[] {2, 3, 4}, new long[] {12, 4, 1}, new long[] {0, 0, 0}));
    }

    @Test
    void sizeOneDimensionsDropOut() {
        assertEquals("[4, 5] a[5, 1] b[0, 1]",
                coalesced(new int[] {4, 1, 5}, new long[] {5, 5, 1}, new long[] {0, 5, 1}));
        assertEquals("[] a[] b[]", coalesced(new int[] {1, 1}, new long[] {1, 1}, new long[] {1, 1})); // one element
    }

    /** Every broadcast pattern of a rank-3 shape, against an index-by-index reference. */
    @Test
    void broadcastResultsMatchAnElementwiseReference() {
        var rnd = new SplittableRandom(5);
        int[] shape = {3, 5, 7};
        for (int maskA = 0; maskA < 8; maskA++) {
            for (int maskB = 0; maskB < 8; maskB++) {
                int[] sa = broadcastShape(shape, maskA);
                int[] sb = broadcastShape(shape, maskB);
                float[] a = random(rnd, numel(sa));
                float[] b = random(rnd, numel(sb));
                long[] as = broadcastStrides(sa);
                long[] bs = broadcastStrides(sb);
                float[] out = new float[numel(shape)];
                CpuElementwise.binary(BinaryOp.SUB, a, b, out, BroadcastPlan.of(shape, as, bs));
                float[] expected = new float[out.length];
                int o = 0;
                for (int i = 0; i < shape[0]; i++) {
                    for (int j = 0; j < shape[1]; j++) {
                        for (int k = 0; k < shape[2]; k++) {
                            expected[o++] = a[(int) (i * as[0] + j * as[1] + k * as[2])]
                                    - b[(int) (i * bs[0] + j * bs[1] + k * bs[2])];
                        }
                    }
                }
                assertArrayEquals(expected, out, "a " + Arrays.toString(sa) + ", b " + Arrays.toString(sb));
            }
        }
    }

    /** Operands above the split threshold run in chunks on the worker threads; same values. */
    @Test
    void operandsLargeEnoughToSplitAcrossThreadsGiveTheReferenceValues() {
        var rnd = new SplittableRandom(9);
        int cols = 1031; // odd, so chunk boundaries fall inside rows
        int rows = CpuThreads.PARALLEL_MIN_ELEMENTS / cols + 3;
        int[] shape = {rows, cols};
        float[] a = random(rnd, rows * cols);
        float[] b = random(rnd, rows * cols);
        float[] bias = random(rnd, cols);
        for (BinaryOp op : new BinaryOp[] {BinaryOp.SUB, BinaryOp.RELU_BACKWARD}) {
            float[] out = new float[a.length];
            CpuElementwise.binary(op, a, b, out, BroadcastPlan.of(shape, new long[] {cols, 1}, new long[] {cols, 1}));
            for (int i = 0; i < a.length; i++) {
                assertEquals(op.apply(a[i], b[i]), out[i], op + " at " + i);
            }
        }
        float[] out = new float[a.length];
        CpuElementwise.binary(BinaryOp.ADD, a, bias, out, BroadcastPlan.of(shape, new long[] {cols, 1}, new long[] {0, 1}));
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i] + bias[i % cols], out[i], "row broadcast at " + i);
        }
    }

    /**
     * Each op is defined once, by {@link BinaryOp#apply}; the CPU's loops are specialisations of
     * it (vectorisable, branch-free). Every loop gives apply's bits, for every op, on the values
     * where float semantics split: signed zeros, infinities, NaN, ±1, subnormals, ties.
     */
    @Test
    void everyLoopGivesApplysBitsForEveryOp() {
        float[] special = {0f, -0f, 1f, -1f, 2f, 0.5f, -2.5f, Float.NaN, Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, 3e-39f, 1e20f, -7f};
        int n = special.length;
        float[] a = new float[n * n];
        float[] b = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                a[i * n + j] = special[i];
                b[i * n + j] = special[j];
            }
        }
        int[] shape = {n * n};
        CpuBackend cpu = CpuBackend.INSTANCE;
        for (BinaryOp op : BinaryOp.values()) {
            float[] contiguous = new float[n * n];
            CpuElementwise.binary(op, a, b, contiguous, BroadcastPlan.of(shape, new long[] {1}, new long[] {1}));
            float[] strided = new float[n]; // every n-th element: the generic strided loop
            CpuElementwise.binary(op, a, b, strided, BroadcastPlan.of(new int[] {n}, new long[] {n + 1}, new long[] {n}));
            for (int k = 0; k < n * n; k++) {
                assertBits(op.apply(a[k], b[k]), contiguous[k], op + " contiguous", a[k], b[k]);
            }
            for (int k = 0; k < n; k++) {
                assertBits(op.apply(a[k * (n + 1)], b[k * n]), strided[k], op + " strided", a[k * (n + 1)], b[k * n]);
            }
            for (float s : special) {
                float[] withScalar = new float[n];
                var out = cpu.fromHost(new float[n]);
                cpu.binaryScalar(op, cpu.fromHost(special), s, out);
                cpu.toHost(out, withScalar);
                float[] broadcast = new float[n];
                CpuElementwise.binary(op, special, new float[] {s}, broadcast,
                        BroadcastPlan.of(new int[] {n}, new long[] {1}, new long[] {0}));
                for (int k = 0; k < n; k++) {
                    assertBits(op.apply(special[k], s), withScalar[k], op + " with a scalar", special[k], s);
                    assertBits(op.apply(special[k], s), broadcast[k], op + " broadcast", special[k], s);
                }
            }
        }
    }

    /**
     * A row broadcast against a matrix (a bias added to every row, or the row on the left): long
     * rows are staged through per-thread buffers a chunk at a time, short rows are tiled and taken
     * a block of rows at a time. Every op gives apply's bits, across chunk and block edges, at the
     * staging threshold, with rows split across threads, and in place.
     */
    @Test
    void repeatedRowsGiveApplysBitsForEveryOp() {
        var rnd = new SplittableRandom(13);
        int[][] shapes = {{3, CpuElementwise.STAGE_MIN - 1}, {3, CpuElementwise.STAGE_MIN}, {3, 1024},
                {3, 2 * 1024 + 37}, {130, 20}, {7, 1}, {5, 3}};
        for (int[] shape : shapes) {
            int rows = shape[0];
            int cols = shape[1];
            for (BinaryOp op : BinaryOp.values()) {
                checkRepeatedRow(rnd, op, rows, cols);
            }
        }
        // Enough short rows to be split across threads.
        checkRepeatedRow(rnd, BinaryOp.ADD_RELU, 2 * (CpuThreads.PARALLEL_MIN_ELEMENTS / 20) + 5, 20);
    }

    private static void checkRepeatedRow(SplittableRandom rnd, BinaryOp op, int rows, int cols) {
        int[] shape = {rows, cols};
        float[] m = random(rnd, rows * cols);
        float[] row = random(rnd, cols);
        long[] full = {cols, 1};
        long[] repeated = {0, 1};
        float[] right = new float[rows * cols];
        CpuElementwise.binary(op, m, row, right, BroadcastPlan.of(shape, full, repeated));
        float[] left = new float[rows * cols];
        CpuElementwise.binary(op, row, m, left, BroadcastPlan.of(shape, repeated, full));
        float[] inPlace = m.clone();
        CpuElementwise.binary(op, inPlace, row, inPlace, BroadcastPlan.of(shape, full, repeated));
        for (int k = 0; k < rows * cols; k++) {
            float x = m[k];
            float r = row[k % cols];
            String where = " at " + k + " of [" + rows + ", " + cols + "]";
            assertBits(op.apply(x, r), right[k], op + " row on the right" + where, x, r);
            assertBits(op.apply(r, x), left[k], op + " row on the left" + where, r, x);
            assertBits(op.apply(x, r), inPlace[k], op + " in place" + where, x, r);
        }
    }

    /**
     * ReLU's gradient on long rows takes an arithmetic, vectorised path that is exact for finite
     * values (zeros of both signs, subnormals, the largest floats) and falls back to the exact loop
     * for the whole row when a NaN or an infinity appears anywhere in it: apply's bits either way.
     */
    @Test
    void reluBackwardOnLongRowsGivesApplysBitsWithAndWithoutSpecialValues() {
        var rnd = new SplittableRandom(17);
        float[] finite = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, 1e-40f, -1e-40f, Float.MIN_NORMAL,
                Float.MAX_VALUE, -Float.MAX_VALUE, 1f, -1f};
        int len = 2 * 1024 + 37;
        float[][] specials = {{}, {Float.NaN}, {Float.POSITIVE_INFINITY}, {Float.NEGATIVE_INFINITY}};
        for (float[] special : specials) {
            for (boolean inA : new boolean[] {true, false}) {
                float[] a = new float[len];
                float[] b = new float[len];
                for (int i = 0; i < len; i++) {
                    boolean edge = rnd.nextInt(4) == 0;
                    a[i] = edge ? finite[rnd.nextInt(finite.length)] : (float) (rnd.nextDouble() * 4 - 2);
                    b[i] = rnd.nextInt(4) == 0 ? finite[rnd.nextInt(finite.length)] : (float) (rnd.nextDouble() * 4 - 2);
                }
                if (special.length > 0) { // one special value in the last chunk, where the mask drops b
                    int at = len - 5;
                    a[at] = inA ? special[0] : -1f;
                    b[at] = inA ? 3f : special[0];
                }
                float[] out = new float[len];
                CpuElementwise.binary(BinaryOp.RELU_BACKWARD, a, b, out, BroadcastPlan.of(new int[] {len}, new long[] {1}, new long[] {1}));
                for (int i = 0; i < len; i++) {
                    assertBits(BinaryOp.RELU_BACKWARD.apply(a[i], b[i]), out[i],
                            "relu_backward at " + i + (special.length > 0 ? " with " + special[0] + (inA ? " in a" : " in b") : ""),
                            a[i], b[i]);
                }
            }
        }
    }

    private static void assertBits(float expected, float actual, String what, float a, float b) {
        // NaN payloads may differ between ops that make a NaN; signs and every other value may not.
        if (!(Float.isNaN(expected) && Float.isNaN(actual))) {
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual),
                    () -> what + "(" + a + ", " + b + "): apply gives " + expected + ", the loop " + actual);
        }
    }

    /** {@code shape} with the dimensions in {@code mask} set to 1. */
    private static int[] broadcastShape(int[] shape, int mask) {
        int[] s = shape.clone();
        for (int d = 0; d < s.length; d++) {
            if ((mask & (1 << d)) != 0) {
                s[d] = 1;
            }
        }
        return s;
    }

    /** Row-major strides with 0 for size-1 dimensions: how a broadcast operand is walked. */
    private static long[] broadcastStrides(int[] shape) {
        long[] st = new long[shape.length];
        long acc = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            st[d] = shape[d] == 1 ? 0 : acc;
            acc *= shape[d];
        }
        return st;
    }

    private static int numel(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextDouble() * 4 - 2);
        }
        return x;
    }
}
