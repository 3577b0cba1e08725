package dev.tensorj.backend.cpu;

import static dev.tensorj.backend.cpu.KernelData.assertBits;
import static dev.tensorj.backend.cpu.KernelData.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Sums over contiguous rows (four accumulators and a remainder, rows split across threads) and
 * max/min along an axis with the index of the first extreme, NaN first of all.
 */
class CpuReduceKernelTest {

    @Test
    void contiguousRowSumsMatchADoubleReference() {
        var rnd = new SplittableRandom(8);
        // Every remainder of the four-way loop, one long row, and enough rows to split across threads.
        int[][] cases = {{3, 1}, {2, 2}, {5, 3}, {4, 4}, {3, 5}, {2, 6}, {3, 7}, {2, 9}, {1, 100_003},
                {CpuThreads.PARALLEL_MIN_ELEMENTS / 13 + 5, 13}};
        for (int[] c : cases) {
            int outer = c[0];
            int len = c[1];
            float[] x = KernelData.uniform(rnd, outer * len, -10, 10);
            float[] out = new float[outer];
            java.util.Arrays.fill(out, Float.NaN);
            CpuReduce.sumAxis(x, outer, len, 1, out);
            for (int o = 0; o < outer; o++) {
                double sum = 0;
                double abs = 0;
                for (int l = 0; l < len; l++) {
                    sum += x[o * len + l];
                    abs += Math.abs(x[o * len + l]);
                }
                // Four double accumulators: the float result is the exact sum rounded, up to double's error.
                assertClose(sum, out[o], 1e-7, abs * 1e-9, "row " + o + " of [" + outer + ", " + len + "]");
            }
        }
    }

    /** Strided sums of several blocks, enough of them to be split across threads. */
    @Test
    void stridedSumsOfManyBlocksSplitAcrossThreads() {
        var rnd = new SplittableRandom(9);
        int outer = 4 * CpuThreads.THREADS + 1;
        int len = 3;
        int inner = CpuThreads.PARALLEL_MIN_ELEMENTS / 4 / (outer * len) + 11;
        float[] x = KernelData.uniform(rnd, outer * len * inner, -10, 10);
        float[] out = new float[outer * inner];
        CpuReduce.sumAxis(x, outer, len, inner, out);
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                double s = 0;
                for (int l = 0; l < len; l++) {
                    s += x[(o * len + l) * inner + i];
                }
                assertEquals((float) s, out[o * inner + i], "block " + o + " column " + i);
            }
        }
    }

    @Test
    void extremesAlongEachAxisWithTheFirstIndexOfTies() {
        var rnd = new SplittableRandom(10);
        int[][] cases = {{1, 1, 1}, {1, 9, 1}, {4, 7, 1}, {3, 5, 4}, {1, 6, 3}, {2, 1, 5}};
        for (int[] c : cases) {
            int outer = c[0];
            int len = c[1];
            int inner = c[2];
            float[] x = new float[outer * len * inner];
            for (int i = 0; i < x.length; i++) {
                x[i] = rnd.nextInt(5) - 2; // ties are common
            }
            for (boolean max : new boolean[] {true, false}) {
                float[] values = new float[outer * inner];
                long[] indices = new long[outer * inner];
                CpuReduce.extremeAxis(max, x, outer, len, inner, values, indices);
                for (int o = 0; o < outer; o++) {
                    for (int i = 0; i < inner; i++) {
                        int best = 0;
                        for (int l = 1; l < len; l++) {
                            float v = x[(o * len + l) * inner + i];
                            float b = x[(o * len + best) * inner + i];
                            if (max ? v > b : v < b) {
                                best = l;
                            }
                        }
                        String what = (max ? "max" : "min") + " of block " + o + " column " + i;
                        assertEquals(x[(o * len + best) * inner + i], values[o * inner + i], what);
                        assertEquals(best, indices[o * inner + i], what + " index");
                    }
                }
            }
        }
    }

    /** The first NaN wins (as PyTorch's max and min), wherever it is; infinities compare as values. */
    @Test
    void theFirstNanWinsAndInfinitiesCompare() {
        float nan = Float.NaN;
        float inf = Float.POSITIVE_INFINITY;
        float[][] rows = {
            {nan, 5f, -inf}, {1f, nan, 7f, Float.intBitsToFloat(0x7fc00001)}, {3f, -inf, inf, 2f}, {-inf, -inf}, {2f, 2f, nan},
        };
        int[] maxAt = {0, 1, 2, 0, 2};
        int[] minAt = {0, 1, 1, 0, 2};
        for (int r = 0; r < rows.length; r++) {
            float[] x = rows[r];
            for (boolean max : new boolean[] {true, false}) {
                float[] v = new float[1];
                long[] at = new long[1];
                CpuReduce.extremeAxis(max, x, 1, x.length, 1, v, at);
                int expected = max ? maxAt[r] : minAt[r];
                String what = (max ? "max" : "min") + " of " + java.util.Arrays.toString(x);
                assertEquals(expected, at[0], what);
                assertBits(x[expected], v[0], what);
            }
        }
    }
}
