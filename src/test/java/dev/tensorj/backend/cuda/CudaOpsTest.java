package dev.tensorj.backend.cuda;

import static dev.tensorj.backend.cuda.CudaComparisons.assertClose;
import static dev.tensorj.backend.cuda.CudaComparisons.toHost;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tensorj.backend.Backend;
import dev.tensorj.backend.BinaryOp;
import dev.tensorj.backend.BroadcastPlan;
import dev.tensorj.backend.ScalarType;
import dev.tensorj.backend.Storage;
import dev.tensorj.backend.UnaryOp;
import dev.tensorj.backend.cpu.CpuBackend;
import dev.tensorj.junit.LeakCheck;
import dev.tensorj.junit.RequiresCuda;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every backend op on CUDA against the CPU backend on the same random inputs (needs a GPU; skips
 * otherwise). Elementwise ops, fill, copy, transpose and axpy must match bit for bit (the
 * kernels are built without FMA contraction and follow Java's NaN rules); matmul, sums and pow
 * within a relative 1e-4. Each test leaves the pool's bytes in use where it found them.
 */
@RequiresCuda
@LeakCheck(tensors = false) // the backend's storages are not tensors: the pool's bytes are what counts
class CudaOpsTest {
    private final Backend cpu = CpuBackend.INSTANCE;
    private Backend gpu;
    private final Random random = new Random(12345);

    @BeforeEach
    void setUp() {
        gpu = CudaBackends.get(0);
    }

    private float[] randn(long n) {
        float[] x = new float[Math.toIntExact(n)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    /** Random values with NaN, infinities and signed zeros mixed in. */
    private float[] withSpecials(int n) {
        float[] x = randn(n);
        float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1f, -1f,
                Float.MIN_VALUE, -Float.MAX_VALUE, 88.7f, -88.7f, 100f, -100f, 3e30f, -1e-30f, 1e-7f, -12f, 12f};
        for (int i = 0; i < specials.length; i++) {
            x[i * 7 % n] = specials[i];
        }
        return x;
    }

    private static long numel(int[] s) {
        long n = 1;
        for (int d : s) n *= d;
        return n;
    }

    @Test
    void fillAndCopy() {
        for (float v : new float[] {0f, -0f, 3.5f, Float.NaN, Float.NEGATIVE_INFINITY}) {
            Storage g = gpu.allocate(ScalarType.F32, 1001);
            gpu.fill(g, v);
            float[] expected = new float[1001];
            Arrays.fill(expected, v);
            assertArrayEquals(expected, toHost(gpu, g), "fill " + v);
            Storage c = gpu.allocate(ScalarType.F32, 1001);
            gpu.copy(g, c);
            assertArrayEquals(expected, toHost(gpu, c), "copy");
            g.release();
            c.release();
        }
        float[] x = randn(1 << 20);
        assertArrayEquals(x, toHost(gpu, gpu.fromHost(x)), "round trip");
    }

    @Test
    void unaryOpsMatch() { // bit for bit where the op is IEEE-exact, else within a few ulps
        float[] x = withSpecials(100_003);
        for (UnaryOp op : UnaryOp.values()) {
            Storage c = cpu.allocate(ScalarType.F32, x.length);
            cpu.unary(op, cpu.fromHost(x), c);
            Storage g = gpu.allocate(ScalarType.F32, x.length);
            gpu.unary(op, gpu.fromHost(x), g);
            CudaComparisons.assertUnaryMatches(op, x, toHost(cpu, c), toHost(gpu, g), op.name());
        }
    }

    @Test
    void scalarOpsMatch() {
        float[] x = withSpecials(50_001);
        for (BinaryOp op : BinaryOp.values()) {
            for (float s : new float[] {2f, 0.5f, -1.5f, 0f, 3f, -1f, Float.NaN, Float.POSITIVE_INFINITY}) {
                Storage c = cpu.allocate(ScalarType.F32, x.length);
                cpu.binaryScalar(op, cpu.fromHost(x), s, c);
                Storage g = gpu.allocate(ScalarType.F32, x.length);
                gpu.binaryScalar(op, gpu.fromHost(x), s, g);
                compare(op, toHost(cpu, c), toHost(gpu, g), op + " scalar " + s);
            }
        }
    }

    /** pow goes through double pow on both sides, which may round differently in rare ties. */
    private static void compare(BinaryOp op, float[] expected, float[] actual, String what) {
        if (op == BinaryOp.POW) {
            assertClose(expected, actual, 1e-4, what);
        } else {
            assertArrayEquals(expected, actual, what);
        }
    }

    @Test
    void broadcastingBinaryOpsMatch() {
        int[][][] cases = {
            {{1000}, {1000}}, {{32, 20}, {20}}, {{20}, {32, 20}}, {{5, 4}, {}}, {{}, {5, 4}}, {{}, {}},
            {{3, 1}, {1, 4}}, {{32, 1}, {32, 20}}, {{2, 3, 4, 5}, {3, 1, 5}}, {{1 << 20}, {1 << 20}},
            {{4096, 1000}, {1000}}, {{2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2}, {1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1}},
        };
        for (int[][] c : cases) {
            int[] as = c[0];
            int[] bs = c[1];
            int[] out = broadcast(as, bs);
            float[] x = withSpecials((int) Math.max(numel(as), 10));
            float[] y = randn(numel(bs));
            x = Arrays.copyOf(x, (int) numel(as));
            long[] aStr = BroadcastPlanTest.broadcastStrides(as, out);
            long[] bStr = BroadcastPlanTest.broadcastStrides(bs, out);
            for (BinaryOp op : BinaryOp.values()) {
                Storage co = cpu.allocate(ScalarType.F32, numel(out));
                cpu.binary(op, cpu.fromHost(x), cpu.fromHost(y), co, BroadcastPlan.of(out, aStr, bStr));
                Storage go = gpu.allocate(ScalarType.F32, numel(out));
                gpu.binary(op, gpu.fromHost(x), gpu.fromHost(y), go, BroadcastPlan.of(out, aStr, bStr));
                compare(op, toHost(cpu, co), toHost(gpu, go), op + " " + Arrays.toString(as) + " with "
                        + Arrays.toString(bs));
            }
        }
    }

    private static int[] broadcast(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i - (rank - a.length) >= 0 ? a[i - (rank - a.length)] : 1;
            int db = i - (rank - b.length) >= 0 ? b[i - (rank - b.length)] : 1;
            out[i] = Math.max(da, db);
        }
        return out;
    }

    @Test
    void matmulMatchesForEveryTransposeCombination() {
        int[][] sizes = {{1, 1, 1}, {32, 1, 10}, {32, 20, 10}, {256, 1024, 784}, {513, 257, 129}, {7, 5, 0}, {1, 300, 2}};
        for (int[] mnk : sizes) {
            int m = mnk[0];
            int n = mnk[1];
            int k = mnk[2];
            float[] a = randn((long) m * k);
            float[] b = randn((long) k * n);
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0;
                boolean tb = (t & 2) != 0;
                Storage cc = cpu.allocate(ScalarType.F32, (long) m * n);
                cpu.matmul(cpu.fromHost(a), cpu.fromHost(b), cc, m, n, k, ta, tb);
                Storage gc = gpu.allocate(ScalarType.F32, (long) m * n);
                gpu.fill(gc, Float.NaN); // k == 0 must still write zeros
                gpu.matmul(gpu.fromHost(a), gpu.fromHost(b), gc, m, n, k, ta, tb);
                assertClose(toHost(cpu, cc), toHost(gpu, gc), 1e-4,
                        "matmul m=" + m + " n=" + n + " k=" + k + " transA=" + ta + " transB=" + tb);
            }
        }
    }

    @Test
    void sumAxisMatchesIncludingSplitReductions() {
        long[][] cases = {
            {1, 1, 1}, {1, 32, 1}, {1, 2560, 1}, {1, 10_000_000, 1}, {3, 5, 7}, {1, 32, 20},
            {1, 1_000_000, 20}, {1000, 1000, 1}, {64, 3, 1000}, {2, 100_000, 3}, {100_000, 40, 1},
        };
        for (long[] c : cases) {
            long outer = c[0];
            int len = (int) c[1];
            long inner = c[2];
            float[] x = randn(outer * len * inner);
            Storage co = cpu.allocate(ScalarType.F32, outer * inner);
            cpu.sumAxis(cpu.fromHost(x), outer, len, inner, co);
            Storage go = gpu.allocate(ScalarType.F32, outer * inner);
            gpu.sumAxis(gpu.fromHost(x), outer, len, inner, go);
            assertClose(toHost(cpu, co), toHost(gpu, go), 1e-4, "sum " + Arrays.toString(c));
        }
    }

    @Test
    void transposeMatchesBitForBit() {
        int[][] shapes = {{1, 1}, {1, 7}, {7, 1}, {32, 32}, {33, 65}, {1000, 3}, {784, 1024}};
        for (int[] s : shapes) {
            float[] x = randn((long) s[0] * s[1]);
            Storage co = cpu.allocate(ScalarType.F32, x.length);
            cpu.transpose(cpu.fromHost(x), s[0], s[1], co);
            Storage go = gpu.allocate(ScalarType.F32, x.length);
            gpu.transpose(gpu.fromHost(x), s[0], s[1], go);
            assertArrayEquals(toHost(cpu, co), toHost(gpu, go), "transpose " + Arrays.toString(s));
        }
    }

    @Test
    void axpyMatchesBitForBit() {
        int n = 65_537;
        float[] x = randn(n);
        float[] y = randn(n);
        for (float alpha : new float[] {1f, -0.01f, 0.9f, -1f, 3.5e-3f}) {
            Storage co = cpu.allocate(ScalarType.F32, n);
            cpu.axpy(alpha, cpu.fromHost(x), cpu.fromHost(y), co);
            Storage go = gpu.allocate(ScalarType.F32, n);
            gpu.axpy(alpha, gpu.fromHost(x), gpu.fromHost(y), go);
            assertArrayEquals(toHost(cpu, co), toHost(gpu, go), "axpy alpha=" + alpha);
        }
    }
}
