package dev.tensorj.backend.cpu;

import static dev.tensorj.backend.cpu.KernelData.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tensorj.backend.BroadcastPlan;
import dev.tensorj.backend.ScalarType;
import dev.tensorj.backend.Storage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The CPU backend's own loops and checks: allocation limits, host copies and their length check,
 * fills and copies of each type, axpy, the tiled transpose, strided copies, and batched products
 * at their offsets.
 */
class CpuBackendKernelTest {
    private static final CpuBackend CPU = CpuBackend.INSTANCE;

    @Test
    void storagesLargerThanAJavaArrayAreRefusedWithTheSize() {
        long tooMany = CpuBackend.MAX_ELEMENTS + 1L;
        for (ScalarType t : ScalarType.values()) {
            var e = assertThrows(IllegalArgumentException.class, () -> CPU.allocate(t, tooMany));
            assertEquals("cpu tensors hold at most " + CpuBackend.MAX_ELEMENTS + " elements, asked for " + tooMany,
                    e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> CPU.allocateZeroed(t, tooMany));
        }
    }

    @Test
    void zeroedStoragesHoldZerosOfEachType() {
        for (int n : new int[] {0, 1, 37}) {
            float[] f = new float[n];
            java.util.Arrays.fill(f, 1f);
            CPU.toHost(CPU.allocateZeroed(ScalarType.F32, n), f);
            assertArrayEquals(new float[n], f);
            long[] l = new long[n];
            java.util.Arrays.fill(l, 1L);
            CPU.toHost(CPU.allocateZeroed(ScalarType.I64, n), l);
            assertArrayEquals(new long[n], l);
            boolean[] b = new boolean[n];
            java.util.Arrays.fill(b, true);
            CPU.toHost(CPU.allocateZeroed(ScalarType.BOOL, n), b);
            assertArrayEquals(new boolean[n], b);
        }
    }

    @Test
    void hostCopiesRoundTripAndCheckLengthAndType() {
        float[] f = {1.5f, -0f, Float.NaN};
        long[] l = {Long.MIN_VALUE, 3};
        boolean[] b = {true, false, true, true};
        float[] fo = new float[3];
        CPU.toHost(CPU.fromHost(f), fo);
        assertArrayEquals(f, fo);
        long[] lo = new long[2];
        CPU.toHost(CPU.fromHost(l), lo);
        assertArrayEquals(l, lo);
        boolean[] bo = new boolean[4];
        CPU.toHost(CPU.fromHost(b), bo);
        assertArrayEquals(b, bo);

        float[] longer = {7f, 7f, 7f, 7f};
        var e = assertThrows(IllegalArgumentException.class, () -> CPU.toHost(CPU.fromHost(f), longer));
        assertEquals("toHost: the cpu storage holds 3 elements but the host array has 4", e.getMessage());
        assertArrayEquals(new float[] {7f, 7f, 7f, 7f}, longer, "nothing written");
        assertThrows(IllegalArgumentException.class, () -> CPU.toHost(CPU.fromHost(l), new long[1]));
        assertThrows(IllegalArgumentException.class, () -> CPU.toHost(CPU.fromHost(b), new boolean[5]));
        var t = assertThrows(IllegalArgumentException.class, () -> CPU.toHost(CPU.fromHost(l), new float[2]));
        assertEquals("toHost: the storage holds I64 elements, not F32", t.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CPU.toHost(CPU.fromHost(f), new boolean[3]));
        assertThrows(IllegalArgumentException.class, () -> CPU.toHost(CPU.fromHost(b), new long[4]));
    }

    @Test
    void fillAndCopyEachType() {
        Storage f = CPU.allocate(ScalarType.F32, 5);
        CPU.fill(f, -2.5f);
        float[] fo = new float[5];
        CPU.toHost(f, fo);
        assertArrayEquals(new float[] {-2.5f, -2.5f, -2.5f, -2.5f, -2.5f}, fo);
        Storage l = CPU.allocate(ScalarType.I64, 3);
        CPU.fill(l, 9L);
        long[] lo = new long[3];
        CPU.toHost(l, lo);
        assertArrayEquals(new long[] {9, 9, 9}, lo);
        Storage b = CPU.allocate(ScalarType.BOOL, 2);
        CPU.fill(b, false);
        boolean[] bo = new boolean[2];
        CPU.toHost(b, bo);
        assertArrayEquals(new boolean[] {false, false}, bo);
        CPU.fill(b, true);
        CPU.toHost(b, bo);
        assertArrayEquals(new boolean[] {true, true}, bo);
        var e = assertThrows(IllegalArgumentException.class, () -> CPU.fill(l, 1f));
        assertEquals("fill: the storage holds I64 elements, not F32", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CPU.fill(f, 1L));
        assertThrows(IllegalArgumentException.class, () -> CPU.fill(f, true));

        Storage f2 = CPU.allocate(ScalarType.F32, 5);
        CPU.copy(CPU.fromHost(new float[] {1, 2, 3, 4, 5}), f2);
        CPU.toHost(f2, fo);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5}, fo);
        CPU.copy(CPU.fromHost(new long[] {4, 5, 6}), l);
        CPU.toHost(l, lo);
        assertArrayEquals(new long[] {4, 5, 6}, lo);
        CPU.copy(CPU.fromHost(new boolean[] {true, false}), b);
        CPU.toHost(b, bo);
        assertArrayEquals(new boolean[] {true, false}, bo);
    }

    @Test
    void axpyOnOneThreadAndSplitAcrossThreads() {
        var rnd = new SplittableRandom(81);
        for (int n : new int[] {1, 11, CpuThreads.PARALLEL_MIN_ELEMENTS + 5}) {
            float[] x = KernelData.uniform(rnd, n, -3, 3);
            float[] y = KernelData.uniform(rnd, n, -3, 3);
            Storage out = CPU.allocate(ScalarType.F32, n);
            CPU.axpy(-0.75f, CPU.fromHost(x), CPU.fromHost(y), out);
            float[] o = new float[n];
            CPU.toHost(out, o);
            for (int i = 0; i < n; i++) {
                assertClose(y[i] - 0.75 * x[i], o[i], 2e-7, 1, "axpy at " + i + " of " + n);
            }
        }
    }

    @Test
    void transposeAcrossTileEdges() {
        var rnd = new SplittableRandom(82);
        for (int[] rc : new int[][] {{1, 1}, {1, 5}, {7, 1}, {32, 32}, {33, 70}, {65, 31}}) {
            int rows = rc[0];
            int cols = rc[1];
            float[] x = KernelData.uniform(rnd, rows * cols, -1, 1);
            Storage out = CPU.allocate(ScalarType.F32, rows * cols);
            CPU.transpose(CPU.fromHost(x), rows, cols, out);
            float[] o = new float[rows * cols];
            CPU.toHost(out, o);
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    assertEquals(x[r * cols + c], o[c * rows + r], "[" + r + ", " + c + "] of " + rows + "x" + cols);
                }
            }
        }
    }

    /**
     * {@code dst[dstOffset + idx·bStrides] = src[srcOffset + idx·aStrides]} over the plan's shape:
     * contiguous rows, a strided source, a strided destination, ranks 0 to 3 (after merging), and an empty plan;
     * each scalar type.
     */
    @Test
    void stridedCopiesOfEachType() {
        var rnd = new SplittableRandom(83);
        Object[][] cases = {
            {new int[] {}, new long[] {}, new long[] {}},
            {new int[] {6}, new long[] {1}, new long[] {1}},
            {new int[] {4, 5}, new long[] {1, 4}, new long[] {5, 1}}, // a transpose, strided source
            {new int[] {4, 5}, new long[] {5, 1}, new long[] {1, 4}}, // strided destination
            {new int[] {2, 3, 4}, new long[] {24, 4, 1}, new long[] {12, 4, 1}}, // a slice's rows
            {new int[] {3, 2, 4}, new long[] {1, 12, 3}, new long[] {8, 4, 1}},
            // Permuted strides that do not merge: the odometer steps and resets two dimensions.
            {new int[] {2, 3, 4}, new long[] {1, 2, 6}, new long[] {12, 4, 1}},
            {new int[] {3, 2, 5}, new long[] {10, 5, 1}, new long[] {1, 3, 6}},
            {new int[] {3, 0, 2}, new long[] {1, 1, 1}, new long[] {1, 1, 1}},
        };
        for (Object[] c : cases) {
            int[] shape = (int[]) c[0];
            long[] as = (long[]) c[1];
            long[] bs = (long[]) c[2];
            BroadcastPlan plan = BroadcastPlan.of(shape, as, bs);
            int n = 1;
            for (int s : shape) {
                n *= s;
            }
            long srcOff = 3;
            long dstOff = 2;
            int srcLen = (int) (srcOff + extent(shape, as));
            int dstLen = (int) (dstOff + extent(shape, bs));
            float[] fs = KernelData.uniform(rnd, srcLen, -1, 1);
            long[] ls = new long[srcLen];
            boolean[] bsrc = new boolean[srcLen];
            for (int i = 0; i < srcLen; i++) {
                ls[i] = rnd.nextLong();
                bsrc[i] = rnd.nextBoolean();
            }
            float[] fe = new float[dstLen];
            long[] le = new long[dstLen];
            boolean[] be = new boolean[dstLen];
            for (int p = 0; p < n; p++) {
                long s = srcOff;
                long d = dstOff;
                int rem = p;
                for (int k = shape.length - 1; k >= 0; k--) {
                    s += (rem % shape[k]) * as[k];
                    d += (rem % shape[k]) * bs[k];
                    rem /= shape[k];
                }
                fe[(int) d] = fs[(int) s];
                le[(int) d] = ls[(int) s];
                be[(int) d] = bsrc[(int) s];
            }
            String what = java.util.Arrays.toString(shape) + " src " + java.util.Arrays.toString(as) + " dst "
                    + java.util.Arrays.toString(bs);
            Storage fd = CPU.allocateZeroed(ScalarType.F32, dstLen);
            CPU.stridedCopy(CPU.fromHost(fs), srcOff, fd, dstOff, plan);
            float[] fo = new float[dstLen];
            CPU.toHost(fd, fo);
            assertArrayEquals(fe, fo, "f32 " + what);
            Storage ld = CPU.allocateZeroed(ScalarType.I64, dstLen);
            CPU.stridedCopy(CPU.fromHost(ls), srcOff, ld, dstOff, plan);
            long[] lo = new long[dstLen];
            CPU.toHost(ld, lo);
            assertArrayEquals(le, lo, "i64 " + what);
            Storage bd = CPU.allocateZeroed(ScalarType.BOOL, dstLen);
            CPU.stridedCopy(CPU.fromHost(bsrc), srcOff, bd, dstOff, plan);
            boolean[] bo = new boolean[dstLen];
            CPU.toHost(bd, bo);
            assertArrayEquals(be, bo, "bool " + what);
        }
    }

    private static long extent(int[] shape, long[] strides) {
        long last = 0;
        for (int d = 0; d < shape.length; d++) {
            last += Math.max(0, shape[d] - 1) * strides[d];
        }
        return last + 1;
    }

    /**
     * Matrix i of a batch at {@code i·stride} in each array, each on the path its size chooses (the
     * Java kernel for the small, BLAS for the large), every transpose combination; a stride of 0
     * broadcasts one matrix over the batch.
     */
    @Test
    void batchedProductsAtTheirStrides() {
        var rnd = new SplittableRandom(84);
        int[][] shapes = {{2, 3, 4}, {7, 9, 11}, {16, 33, 20}};
        for (int[] s : shapes) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            int batch = 3;
            for (int t = 0; t < 4; t++) {
                boolean transA = (t & 1) != 0;
                boolean transB = (t & 2) != 0;
                long strideA = m * k;
                long strideB = t == 3 ? 0 : (long) k * n; // one b for the whole batch
                long strideC = (long) m * n + 1; // a gap between outputs
                float[] a = KernelData.uniform(rnd, batch * m * k, -1, 1);
                float[] b = KernelData.uniform(rnd, batch * k * n, -1, 1);
                Storage c = CPU.allocateZeroed(ScalarType.F32, batch * strideC);
                CPU.matmulBatched(CPU.fromHost(a), CPU.fromHost(b), c, batch, m, n, k, transA, transB, strideA, strideB,
                        strideC);
                float[] out = new float[(int) (batch * strideC)];
                CPU.toHost(c, out);
                for (int i = 0; i < batch; i++) {
                    for (int r = 0; r < m; r++) {
                        for (int col = 0; col < n; col++) {
                            double ref = 0;
                            for (int p = 0; p < k; p++) {
                                float av = a[(int) (i * strideA) + (transA ? p * m + r : r * k + p)];
                                float bv = b[(int) (i * strideB) + (transB ? col * k + p : p * n + col)];
                                ref += (double) av * bv;
                            }
                            assertClose(ref, out[(int) (i * strideC) + r * n + col], 1e-5, k,
                                    "matrix " + i + " [" + r + ", " + col + "] of " + m + "x" + n + "x" + k + " transA="
                                            + transA + " transB=" + transB);
                        }
                    }
                    assertEquals(0f, out[(int) (i * strideC) + m * n], "the gap after matrix " + i);
                }
            }
        }
    }
}
