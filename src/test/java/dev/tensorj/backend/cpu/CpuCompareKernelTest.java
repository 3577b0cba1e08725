package dev.tensorj.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tensorj.backend.BroadcastPlan;
import dev.tensorj.backend.CompareOp;
import dev.tensorj.backend.ScalarType;
import dev.tensorj.backend.Storage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Comparisons and {@code where} on the CPU over broadcast plans of every rank (a scalar, one row,
 * a row or a column repeated, a rank-3 walk), for each scalar type, against {@code CompareOp.test}
 * element by element; and a plan large enough to be split across the worker threads.
 */
class CpuCompareKernelTest {
    private static final CpuBackend CPU = CpuBackend.INSTANCE;

    /** Output shape, a's strides, b's strides: each a broadcast pattern the walk handles differently. */
    private static final Object[][] PLANS = {
        {new int[] {}, new long[] {}, new long[] {}},
        {new int[] {11}, new long[] {1}, new long[] {1}},
        {new int[] {11}, new long[] {1}, new long[] {0}},
        {new int[] {5, 7}, new long[] {7, 1}, new long[] {0, 1}},
        {new int[] {5, 7}, new long[] {1, 0}, new long[] {7, 1}},
        {new int[] {3, 4, 5}, new long[] {20, 5, 1}, new long[] {0, 1, 0}},
        {new int[] {3, 4, 5}, new long[] {1, 0, 3}, new long[] {20, 5, 1}},
    };

    private static int numel(int[] shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }

    /** The extent of an operand walked with {@code strides} over {@code shape}. */
    private static int extent(int[] shape, long[] strides) {
        long last = 0;
        for (int d = 0; d < shape.length; d++) {
            last += (shape[d] - 1) * strides[d];
        }
        return (int) last + 1;
    }

    /** The element of an operand at output position {@code flat}. */
    private static int at(int[] shape, long[] strides, int flat) {
        long off = 0;
        for (int d = shape.length - 1; d >= 0; d--) {
            off += (flat % shape[d]) * strides[d];
            flat /= shape[d];
        }
        return (int) off;
    }

    @Test
    void everyOpAndTypeMatchesTheElementwiseReference() {
        var rnd = new SplittableRandom(3);
        for (Object[] p : PLANS) {
            int[] shape = (int[]) p[0];
            long[] as = (long[]) p[1];
            long[] bs = (long[]) p[2];
            BroadcastPlan plan = BroadcastPlan.of(shape, as, bs);
            int n = numel(shape);
            // Small integers so that equal values occur often.
            float[] fa = new float[extent(shape, as)];
            float[] fb = new float[extent(shape, bs)];
            long[] la = new long[fa.length];
            long[] lb = new long[fb.length];
            boolean[] ba = new boolean[fa.length];
            boolean[] bb = new boolean[fb.length];
            for (int i = 0; i < fa.length; i++) {
                la[i] = rnd.nextInt(3) - 1;
                fa[i] = rnd.nextInt(8) == 0 ? Float.NaN : la[i];
                ba[i] = rnd.nextBoolean();
            }
            for (int i = 0; i < fb.length; i++) {
                lb[i] = rnd.nextInt(3) - 1;
                fb[i] = rnd.nextInt(8) == 0 ? Float.NaN : lb[i];
                bb[i] = rnd.nextBoolean();
            }
            for (CompareOp op : CompareOp.values()) {
                boolean[] f = compare(op, CPU.fromHost(fa), CPU.fromHost(fb), plan, n);
                boolean[] l = compare(op, CPU.fromHost(la), CPU.fromHost(lb), plan, n);
                boolean[] b = compare(op, CPU.fromHost(ba), CPU.fromHost(bb), plan, n);
                for (int i = 0; i < n; i++) {
                    int x = at(shape, as, i);
                    int y = at(shape, bs, i);
                    String where = op + " at " + i + " of " + java.util.Arrays.toString(shape);
                    assertEquals(op.test(fa[x], fb[y]), f[i], "f32 " + where);
                    assertEquals(op.test(la[x], lb[y]), l[i], "i64 " + where);
                    assertEquals(op.test(ba[x], bb[y]), b[i], "bool " + where);
                }
            }
        }
    }

    private static boolean[] compare(CompareOp op, Storage a, Storage b, BroadcastPlan plan, int n) {
        Storage out = CPU.allocate(ScalarType.BOOL, n);
        CPU.compare(op, a, b, out, plan);
        boolean[] h = new boolean[n];
        CPU.toHost(out, h);
        return h;
    }

    @Test
    void whereSelectsFromEachOperandThroughItsBroadcast() {
        var rnd = new SplittableRandom(4);
        for (Object[] p : PLANS) {
            int[] shape = (int[]) p[0];
            long[] as = (long[]) p[1];
            long[] bs = (long[]) p[2];
            checkWhere(rnd, shape, as, bs);
        }
        // Rows split across the worker threads, and one long row split into chunks.
        int cols = 999;
        int rows = CpuThreads.PARALLEL_MIN_ELEMENTS / cols + 7;
        checkWhere(rnd, new int[] {rows, cols}, new long[] {cols, 1}, new long[] {0, 1});
        checkWhere(rnd, new int[] {rows * cols}, new long[] {1}, new long[] {1});
    }

    private static void checkWhere(SplittableRandom rnd, int[] shape, long[] as, long[] bs) {
        BroadcastPlan plan = BroadcastPlan.of(shape, as, bs);
        int n = numel(shape);
        float[] a = KernelData.uniform(rnd, extent(shape, as), -1, 1);
        float[] b = KernelData.uniform(rnd, extent(shape, bs), 2, 3);
        boolean[] c = new boolean[n];
        for (int i = 0; i < n; i++) {
            c[i] = rnd.nextBoolean();
        }
        Storage out = CPU.allocate(ScalarType.F32, n);
        CPU.where(CPU.fromHost(c), CPU.fromHost(a), CPU.fromHost(b), out, plan);
        float[] h = new float[n];
        CPU.toHost(out, h);
        for (int i = 0; i < n; i++) {
            float expected = c[i] ? a[at(shape, as, i)] : b[at(shape, bs, i)];
            assertEquals(expected, h[i], "where at " + i + " of " + java.util.Arrays.toString(shape));
        }
    }
}
