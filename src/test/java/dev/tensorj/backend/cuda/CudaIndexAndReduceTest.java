package dev.tensorj.backend.cuda;

import static dev.tensorj.backend.cuda.CudaComparisons.assertClose;
import static dev.tensorj.backend.cuda.CudaComparisons.toHost;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.backend.Backend;
import dev.tensorj.backend.IndexPlan;
import dev.tensorj.backend.ScalarType;
import dev.tensorj.backend.Storage;
import dev.tensorj.backend.cpu.CpuBackend;
import dev.tensorj.junit.LeakCheck;
import dev.tensorj.junit.RequiresCuda;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Gather, scatter-add, max/min along an axis and batched matmul on CUDA against the CPU backend on
 * the same random inputs: gathers and extremes bit for bit, sums within a relative 1e-5 (their order
 * differs), each through the kernel's own dimensions and through the host loop past
 * {@link CudaIndex#MAX_KERNEL_RANK}.
 */
@RequiresCuda
@LeakCheck(tensors = false) // the backend's storages are not tensors: the pool's bytes are what counts
class CudaIndexAndReduceTest {
    private final Backend cpu = CpuBackend.INSTANCE;
    private Backend gpu;

    @BeforeEach
    void setUp() {
        gpu = CudaBackends.get(0);
    }

    private static float[] randn(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    private static long[] contiguousStrides(int[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = acc;
            acc *= shape[d];
        }
        return s;
    }

    private static int numel(int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    /**
     * {@code torch.gather(x, dim, index)} with an index of {@code shape}, smaller than {@code x} of
     * {@code xShape} in every other dimension (so no dimension merges and the plan keeps its rank),
     * and the scatter-add that is its adjoint.
     */
    private void checkGatherAndScatter(int[] xShape, int[] shape, int dim) {
        long[] indexStrides = contiguousStrides(shape);
        long[] xStrides = contiguousStrides(xShape);
        IndexPlan plan = IndexPlan.of(shape, dim, indexStrides, indexStrides, xStrides);
        int n = numel(shape);
        Random r = new Random(n + dim);
        long[] index = new long[n];
        for (int i = 0; i < n; i++) {
            index[i] = r.nextInt(xShape[dim]);
        }
        float[] x = randn(numel(xShape), dim);
        float[] src = randn(n, 100 + dim);
        String what = Arrays.toString(xShape) + " index " + Arrays.toString(shape) + " dim " + dim + ": " + plan;

        float[][] gathered = new float[2][];
        float[][] scattered = new float[2][];
        Backend[] backends = {cpu, gpu};
        for (int b = 0; b < 2; b++) {
            Backend be = backends[b];
            Storage out = be.fromHost(new float[n]); // a dense side with no holes
            be.gather(be.fromHost(x), be.fromHost(index), out, plan);
            gathered[b] = toHost(be, out);
            Storage acc = be.fromHost(x.clone());
            be.scatterAdd(be.fromHost(src), be.fromHost(index), acc, plan);
            scattered[b] = toHost(be, acc);
        }
        assertArrayEquals(gathered[0], gathered[1], "gather " + what);
        assertClose(scattered[0], scattered[1], 1e-5, "scatter_add " + what);
        // The gather really gathered: every position holds x at its index.
        long[] xs = xStrides;
        for (int i = 0; i < n; i++) {
            long rem = i;
            long off = 0;
            for (int d = shape.length - 1; d >= 0; d--) {
                long c = rem % shape[d];
                rem /= shape[d];
                off += (d == dim ? index[i] : c) * xs[d];
            }
            assertTrue(gathered[1][i] == x[(int) off], what + " position " + i);
        }
    }

    @Test
    void gatherAndScatterAddInTheKernelsDimensions() {
        checkGatherAndScatter(new int[] {7, 5}, new int[] {6, 4}, 0);
        checkGatherAndScatter(new int[] {7, 5}, new int[] {6, 4}, 1);
        checkGatherAndScatter(new int[] {4, 9, 3}, new int[] {3, 20, 2}, 1); // repeated indices accumulate
        checkGatherAndScatter(new int[] {3, 3, 3, 3, 3, 3, 3, 3}, new int[] {2, 2, 2, 2, 2, 2, 2, 2}, 5);
    }

    @Test
    void gatherAndScatterAddPastTheKernelsRankLoopOnTheHost() {
        int[] x = {3, 3, 3, 3, 3, 3, 3, 3, 3, 3};
        int[] index = {2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
        // dim 0: the host loops over dimension 1; any other dim: over dimension 0
        for (int dim : new int[] {0, 1, 4, 9}) {
            checkGatherAndScatter(x, index, dim);
        }
        checkGatherAndScatter(new int[] {3, 4, 3, 4, 3, 4, 3, 4, 3}, new int[] {2, 3, 2, 3, 2, 3, 2, 3, 2}, 0);
        // An empty plan launches nothing and leaves the output as it was.
        IndexPlan empty = IndexPlan.of(new int[] {0, 3}, 1, new long[] {3, 1}, new long[] {3, 1}, new long[] {3, 1});
        Storage out = gpu.fromHost(new float[] {4f, 5f, 6f});
        gpu.gather(gpu.fromHost(new float[] {1f, 2f, 3f}), gpu.fromHost(new long[0]), out, empty);
        gpu.scatterAdd(gpu.fromHost(new float[0]), gpu.fromHost(new long[0]), out, empty);
        assertArrayEquals(new float[] {4f, 5f, 6f}, toHost(gpu, out));
    }

    @Test
    void maxAndMinAlongAnAxisGiveTheCpusValuesAndIndices() {
        long[][] cases = {{1, 1, 1}, {1, 1000, 1}, {3, 5, 7}, {64, 33, 1}, {2, 300, 5}};
        for (long[] c : cases) {
            int n = (int) (c[0] * c[1] * c[2]);
            float[] x = randn(n, n);
            for (int i = 0; i < n; i += 37) {
                x[i] = x[(i * 7 + 3) % n]; // ties: the first wins
            }
            if (n > 50) {
                x[17] = Float.NaN; // NaN wins its column
            }
            for (boolean max : new boolean[] {true, false}) {
                int outs = (int) (c[0] * c[2]);
                float[][] values = new float[2][];
                long[][] indices = new long[2][];
                Backend[] backends = {cpu, gpu};
                for (int b = 0; b < 2; b++) {
                    Backend be = backends[b];
                    Storage v = be.allocate(ScalarType.F32, outs);
                    Storage ix = be.allocate(ScalarType.I64, outs);
                    be.extremeAxis(max, be.fromHost(x), c[0], c[1], c[2], v, ix);
                    values[b] = toHost(be, v);
                    indices[b] = new long[outs];
                    be.toHost(ix, indices[b]);
                }
                String what = (max ? "max " : "min ") + Arrays.toString(c);
                assertArrayEquals(values[0], values[1], what);
                assertArrayEquals(indices[0], indices[1], what);
            }
        }
    }

    @Test
    void batchedMatmulMatchesForEveryTransposeAndStride() {
        Random r = new Random(9);
        int[][] sizes = {{1, 1, 1, 1}, {3, 5, 4, 6}, {4, 33, 17, 9}, {2, 7, 5, 0}};
        for (int[] s : sizes) {
            int batch = s[0];
            int m = s[1];
            int n = s[2];
            int k = s[3];
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0;
                boolean tb = (t & 2) != 0;
                // a broadcast over the batch (stride 0) or each its own, b the other way round, and c
                // padded between its matrices: each stride must reach cuBLAS as its own
                long strideA = t % 2 == 0 ? 0 : (long) m * k + 3;
                long strideB = t % 2 == 0 ? (long) k * n + 1 : 0;
                long strideC = (long) m * n + (k > 0 ? 2 : 0); // k == 0: zeros over all of c
                float[] a = randn((int) (strideA * batch + m * k), r.nextLong());
                float[] b = randn((int) (strideB * batch + k * n), r.nextLong());
                float[][] c = new float[2][];
                Backend[] backends = {cpu, gpu};
                for (int i = 0; i < 2; i++) {
                    Backend be = backends[i];
                    Storage cs = be.fromHost(randn((int) (strideC * batch), 1)); // padding kept
                    if (k == 0) {
                        be.fill(cs, Float.NaN); // an empty sum must still write every element
                    }
                    be.matmulBatched(be.fromHost(a), be.fromHost(b), cs, batch, m, n, k, ta, tb,
                            strideA, strideB, strideC);
                    c[i] = toHost(be, cs);
                }
                assertClose(c[0], c[1], 1e-5, "batched matmul " + Arrays.toString(s) + " transA=" + ta
                        + " transB=" + tb + " strides " + strideA + ", " + strideB + ", " + strideC);
                if (k == 0) {
                    assertArrayEquals(new float[c[1].length], c[1], "k == 0: an empty sum");
                }
            }
        }
    }
}
