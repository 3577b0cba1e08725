package dev.tensorj.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tensorj.backend.IndexPlan;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Gather and scatter-add on the CPU over {@link IndexPlan}s, against a reference that walks the
 * uncollapsed shape position by position with each side's own strides: gather along the first,
 * middle and last dimension, an index smaller than the input, index_select and embedding rows
 * (the whole-row path), repeated indices accumulating in scatter-add, and an empty plan.
 */
class CpuIndexKernelTest {

    /** One case: loop shape, dim, index strides, dense strides, indexed strides, indexed size along dim. */
    private record Case(String name, int[] shape, int dim, long[] is, long[] ds, long[] xs, int dimSize) {}

    private static Case[] cases() {
        return new Case[] {
            // gather(x[4, 6], 1, index[4, 3]): out[i][j] = x[i][index[i][j]]
            new Case("dim 1 of [4, 6]", new int[] {4, 3}, 1, new long[] {3, 1}, new long[] {3, 1}, new long[] {6, 1}, 6),
            // gather(x[5, 4], 0, index[3, 4])
            new Case("dim 0 of [5, 4]", new int[] {3, 4}, 0, new long[] {4, 1}, new long[] {4, 1}, new long[] {4, 1}, 5),
            // gather(x[3, 5, 4], 1, index[2, 3, 2]): an index smaller than x in every dimension
            new Case("dim 1 of [3, 5, 4], a smaller index", new int[] {2, 3, 2}, 1, new long[] {6, 2, 1},
                    new long[] {6, 2, 1}, new long[] {20, 4, 1}, 5),
            // gather(x[3, 4, 5], 2, index[3, 4, 2]), the dense side transposed
            new Case("dim 2 of [3, 4, 5], dense strided", new int[] {3, 4, 2}, 2, new long[] {8, 2, 1},
                    new long[] {1, 3, 12}, new long[] {20, 5, 1}, 5),
            // index_select(x[2, 6, 5], 1, index[4]): whole rows of 5 at a time
            new Case("index_select dim 1", new int[] {2, 4, 5}, 1, new long[] {0, 1, 0}, new long[] {20, 5, 1},
                    new long[] {30, 5, 1}, 6),
            // embedding(weight[7, 3], index[2, 5]): rows of 3
            new Case("embedding", new int[] {2, 5, 3}, 1, new long[] {5, 1, 0}, new long[] {15, 3, 1},
                    new long[] {0, 3, 1}, 7),
            // index_select along the last dimension: single elements
            new Case("index_select dim 1 of [3, 8]", new int[] {3, 5}, 1, new long[] {0, 1}, new long[] {5, 1},
                    new long[] {8, 1}, 8),
            new Case("empty", new int[] {3, 0}, 1, new long[] {0, 1}, new long[] {0, 1}, new long[] {8, 1}, 8),
        };
    }

    /** The extent each side needs: the largest offset it is read or written at, plus one. */
    private static int extent(int[] shape, long[] strides, int dim, int dimSize) {
        long last = 0;
        for (int d = 0; d < shape.length; d++) {
            int top = d == dim && dimSize > 0 ? dimSize : shape[d];
            last += (long) Math.max(0, top - 1) * strides[d];
        }
        return (int) last + 1;
    }

    @Test
    void gatherAndScatterAddMatchAPositionByPositionReference() {
        var rnd = new SplittableRandom(71);
        for (Case c : cases()) {
            int n = 1;
            for (int s : c.shape) {
                n *= s;
            }
            long[] index = new long[extent(c.shape, c.is, -1, 0)];
            for (int i = 0; i < index.length; i++) {
                index[i] = rnd.nextInt(c.dimSize);
            }
            int indexedLen = extent(c.shape, c.xs, c.dim, c.dimSize);
            int denseLen = extent(c.shape, c.ds, -1, 0);
            float[] x = new float[indexedLen];
            for (int i = 0; i < x.length; i++) {
                x[i] = rnd.nextInt(200) - 100; // integers: scatter-add's sums are exact in any order
            }
            float[] src = new float[denseLen];
            for (int i = 0; i < src.length; i++) {
                src[i] = rnd.nextInt(200) - 100;
            }
            float[] gathered = new float[denseLen];
            float[] expectGathered = new float[denseLen];
            float[] scattered = x.clone();
            float[] expectScattered = x.clone();
            int[] pos = new int[c.shape.length];
            for (int p = 0; p < n; p++) {
                int rem = p;
                for (int d = c.shape.length - 1; d >= 0; d--) {
                    pos[d] = rem % c.shape[d];
                    rem /= c.shape[d];
                }
                long ia = 0;
                long da = 0;
                long xa = 0;
                for (int d = 0; d < pos.length; d++) {
                    ia += pos[d] * c.is[d];
                    da += pos[d] * c.ds[d];
                    if (d != c.dim) {
                        xa += pos[d] * c.xs[d];
                    }
                }
                xa += index[(int) ia] * c.xs[c.dim];
                expectGathered[(int) da] = x[(int) xa];
                expectScattered[(int) xa] += src[(int) da];
            }
            IndexPlan plan = IndexPlan.of(c.shape, c.dim, c.is, c.ds, c.xs);
            CpuIndex.gather(x, index, gathered, plan);
            CpuIndex.scatterAdd(src, index, scattered, plan);
            assertArrayEquals(expectGathered, gathered, "gather, " + c.name + ", " + plan);
            assertArrayEquals(expectScattered, scattered, "scatter-add, " + c.name + ", " + plan);
        }
    }
}
