package dev.tensorj;

import static dev.tensorj.Approx.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.junit.DevicesSource;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;

/** Forward values of sum and mean, whole-tensor and by dimension, including empty tensors. */
class ReductionTest {
    @ParameterizedTest
    @DevicesSource
    void sumAndMeanOfAll(Device device) {
        Random rng = new Random(41);
        for (int[] s : new int[][] {{3, 4, 5}, {1000}, {}, {1}}) {
            Nd a = Nd.randn(rng, s);
            Tensor x = a.tensor(device);
            String shape = java.util.Arrays.toString(s);
            assertClose("sum " + shape, x.sum(), RefOps.sum(a), RefOps.sum(RefOps.abs(a)));
            assertClose("mean " + shape, x.mean(), RefOps.mean(a), RefOps.mean(RefOps.abs(a)));
        }
    }

    @ParameterizedTest
    @DevicesSource
    void sumAndMeanByDimension(Device device) {
        Nd a = Nd.randn(new Random(42), 3, 4, 5);
        Nd abs = RefOps.abs(a);
        Tensor x = a.tensor(device);
        for (int dim : new int[] {0, 1, 2, -1, -2, -3}) {
            for (boolean keep : new boolean[] {false, true}) {
                String what = "dim " + dim + " keepDim " + keep;
                assertClose("sum " + what, x.sum(dim, keep), RefOps.sum(a, dim, keep), RefOps.sum(abs, dim, keep));
                assertClose("mean " + what, x.mean(dim, keep), RefOps.mean(a, dim, keep),
                        RefOps.mean(abs, dim, keep));
            }
        }
        assertArrayEquals(new int[] {3, 4}, x.sum(-1, false).shape());
        Nd v = Nd.randn(new Random(45), 7);
        assertClose("1-d sum dim 0 → 0-d", v.tensor(device).sum(0, false), RefOps.sum(v, 0, false),
                RefOps.sum(RefOps.abs(v), 0, false));
        assertArrayEquals(new int[] {1}, v.tensor(device).mean(-1, true).shape());
        assertArrayEquals(new int[] {3, 1, 5}, x.mean(1, true).shape());
    }

    @ParameterizedTest
    @DevicesSource
    void largeReductionsTakeTheParallelPaths(Device device) {
        Nd a = Nd.randn(new Random(43), 3, 301, 257);
        Nd abs = RefOps.abs(a);
        Tensor x = a.tensor(device);
        assertClose("large sum", x.sum(), RefOps.sum(a), RefOps.sum(abs));
        for (int dim = 0; dim < 3; dim++) {
            assertClose("large sum dim " + dim, x.sum(dim, false), RefOps.sum(a, dim, false), RefOps.sum(abs, dim, false));
        }
        Nd rows = Nd.randn(new Random(44), 70000, 2);
        assertClose("many short rows", rows.tensor(device).sum(1, false), RefOps.sum(rows, 1, false),
                RefOps.sum(RefOps.abs(rows), 1, false));
    }

    @ParameterizedTest
    @DevicesSource
    void emptyTensors(Device device) {
        Tensor e = Tensor.zeros(device, 0, 3);
        assertEquals(0f, e.sum().item());
        assertEquals(0f, Tensor.zeros(device, 0).sum().item());
        assertTrue(Float.isNaN(e.mean().item()), "mean of an empty tensor is NaN, as in PyTorch");
        Tensor bySum = e.sum(0, false);
        assertArrayEquals(new int[] {3}, bySum.shape());
        assertArrayEquals(new float[3], bySum.toFloatArray());
        assertArrayEquals(new int[] {1, 3}, e.sum(0, true).shape());
        assertArrayEquals(new float[3], e.sum(-2, true).toFloatArray());
        assertArrayEquals(new int[] {0}, e.sum(1, false).shape());
        assertArrayEquals(new int[] {0, 1}, e.mean(1, true).shape());
        float[] means = e.mean(0, false).toFloatArray();
        assertEquals(3, means.length);
        for (float m : means) {
            assertTrue(Float.isNaN(m), "mean over an empty dimension is NaN");
        }
    }

    @ParameterizedTest
    @DevicesSource
    void emptySumOverwritesStaleMemory(Device device) {
        // Reuse-prone allocations: a result of the same size computed just before must not leak through.
        for (int i = 0; i < 3; i++) {
            Tensor.randn(device, 3).mul(5f).close();
            assertArrayEquals(new float[3], Tensor.zeros(device, 0, 3).sum(0, false).toFloatArray());
            assertEquals(0f, Tensor.zeros(device, 4, 0).sum().item());
        }
    }
}
