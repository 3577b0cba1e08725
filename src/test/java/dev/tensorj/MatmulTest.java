package dev.tensorj;

import static dev.tensorj.Approx.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tensorj.junit.DevicesSource;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;

/** Forward values of matmul ({@code torch.matmul} semantics for 1-d and 2-d operands). */
class MatmulTest {
    /** Shape pairs: 1×1, odd sizes that defeat tiling, every 1-d combination, and zero-size dimensions. */
    static final List<int[][]> CASES = List.of(
            new int[][] {{1, 1}, {1, 1}},
            new int[][] {{17, 33}, {33, 65}},
            new int[][] {{33}, {33, 65}},
            new int[][] {{17, 33}, {33}},
            new int[][] {{33}, {33}},
            new int[][] {{5, 1}, {1, 7}},
            new int[][] {{0, 3}, {3, 4}},
            new int[][] {{2, 0}, {0, 3}},
            new int[][] {{4, 3}, {3, 0}},
            new int[][] {{0}, {0}});

    @ParameterizedTest
    @DevicesSource
    void matchesReference(Device device) {
        Random rng = new Random(21);
        for (int[][] c : CASES) {
            Nd a = Nd.randn(rng, c[0]);
            Nd b = Nd.randn(rng, c[1]);
            String what = "matmul " + Arrays.toString(c[0]) + " @ " + Arrays.toString(c[1]) + " on " + device;
            assertClose(what, a.tensor(device).matmul(b.tensor(device)), RefOps.matmul(a, b),
                    RefOps.matmul(RefOps.abs(a), RefOps.abs(b)));
        }
    }

    @ParameterizedTest
    @DevicesSource
    void largeMatmulTakesTheParallelPath(Device device) {
        Random rng = new Random(22);
        Nd a = Nd.randn(rng, 203, 97);
        Nd b = Nd.randn(rng, 97, 131);
        assertClose("matmul 203x97 @ 97x131", a.tensor(device).matmul(b.tensor(device)), RefOps.matmul(a, b),
                RefOps.matmul(RefOps.abs(a), RefOps.abs(b)));
    }

    @ParameterizedTest
    @DevicesSource
    void emptyInnerDimensionGivesZeros(Device device) {
        // [2,0] @ [0,3]: every output is an empty sum. Fill the output's memory first with garbage
        // elsewhere so that an uninitialised result would show.
        Tensor.randn(device, 64, 64).matmul(Tensor.randn(device, 64, 64)).close();
        Tensor c = Tensor.zeros(device, 2, 0).matmul(Tensor.zeros(device, 0, 3));
        assertArrayEquals(new int[] {2, 3}, c.shape());
        assertArrayEquals(new float[6], c.toFloatArray());
        Tensor v = Tensor.zeros(device, 0).matmul(Tensor.zeros(device, 0));
        assertArrayEquals(new int[0], v.shape());
        assertArrayEquals(new float[] {0f}, v.toFloatArray());
    }

    @ParameterizedTest
    @DevicesSource
    void emptyOuterDimensionGivesEmptyResult(Device device) {
        assertArrayEquals(new int[] {0, 4}, Tensor.zeros(device, 0, 3).matmul(Tensor.randn(device, 3, 4)).shape());
        assertArrayEquals(new int[] {0}, Tensor.randn(device, 3).matmul(Tensor.zeros(device, 3, 0)).shape());
    }
}
