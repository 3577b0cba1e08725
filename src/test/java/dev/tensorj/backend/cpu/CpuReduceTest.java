package dev.tensorj.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Sums along a strided axis, including the column split that spreads one block (a bias gradient,
 * {@code [rows, cols]} summed over its rows) across cores: each output is the double sum of its
 * column in row order, rounded once, whatever the split.
 */
class CpuReduceTest {

    @Test
    void stridedSumsMatchAnInOrderDoubleSum() {
        var rnd = new SplittableRandom(21);
        // outer 1 with wide rows splits columns (odd widths leave a short last block); outer 3 does not.
        int[][] cases = {{1, 256, 1024}, {1, 7, 1001}, {1, 5, 129}, {1, 9, 63}, {3, 4, 130}, {2, 1, 300}};
        for (int[] c : cases) {
            int outer = c[0];
            int len = c[1];
            int inner = c[2];
            float[] x = new float[outer * len * inner];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (rnd.nextDouble() * 200 - 100);
            }
            float[] out = new float[outer * inner];
            CpuReduce.sumAxis(x, outer, len, inner, out);
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < inner; i++) {
                    double sum = 0;
                    for (int l = 0; l < len; l++) {
                        sum += x[(o * len + l) * inner + i];
                    }
                    assertEquals((float) sum, out[o * inner + i],
                            "sum of column " + i + " of block " + o + " in [" + outer + ", " + len + ", " + inner + "]");
                }
            }
        }
    }
}
