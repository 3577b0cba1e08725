package dev.tensorj.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.backend.Backend;
import dev.tensorj.backend.BinaryOp;
import dev.tensorj.backend.BroadcastPlan;
import dev.tensorj.backend.ScalarType;
import dev.tensorj.backend.cpu.CpuBackend;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The host side of the broadcasting binary op: dimension collapsing, the choice of kernel and the
 * packing of the kernel's arguments. A Java model of each kernel's indexing runs the plan and must
 * give the CPU backend's result on random broadcast shapes, up to rank 11 (host loop included).
 */
class BroadcastPlanTest {

    static long[] strides(int[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /** As dev.tensorj.Shapes.broadcastStrides: 0 where a size-1 dimension is stretched. */
    static long[] broadcastStrides(int[] shape, int[] out) {
        long[] own = strides(shape);
        long[] s = new long[out.length];
        int offset = out.length - shape.length;
        for (int i = 0; i < shape.length; i++) {
            s[offset + i] = shape[i] == 1 && out[offset + i] != 1 ? 0 : own[i];
        }
        return s;
    }

    static BroadcastPlan plan(int[] a, int[] b, int[] out) {
        return BroadcastPlan.of(out, broadcastStrides(a, out), broadcastStrides(b, out));
    }

    /** What the kernels compute for a plan (see elementwise.cu). */
    static float[] runKernelModel(BinaryOp op, BroadcastPlan p, float[] a, float[] b) {
        float[] out = new float[(int) p.numel];
        switch (p.kind) {
            case CONTIGUOUS:
                for (int i = 0; i < out.length; i++) out[i] = op.apply(a[i], b[i]);
                return out;
            case A_ONE:
                for (int i = 0; i < out.length; i++) out[i] = op.apply(a[0], b[i]);
                return out;
            case B_ONE:
                for (int i = 0; i < out.length; i++) out[i] = op.apply(a[i], b[0]);
                return out;
            case A_ROW:
                for (int i = 0; i < out.length; i++) out[i] = op.apply(a[(int) (i % p.cols())], b[i]);
                return out;
            case B_ROW:
                for (int i = 0; i < out.length; i++) out[i] = op.apply(a[i], b[(int) (i % p.cols())]);
                return out;
            default:
                long[] k = BroadcastLaunch.pack(p);
                int rank = (int) k[0];
                int max = BroadcastLaunch.MAX_KERNEL_RANK;
                for (long l = 0; l < BroadcastLaunch.hostLaunches(p); l++) {
                    long[] off = BroadcastLaunch.hostOffsets(p, l);
                    for (long i = 0; i < BroadcastLaunch.kernelNumel(p); i++) {
                        long rem = i;
                        long ao = off[0];
                        long bo = off[1];
                        for (int d = rank - 1; d >= 0; d--) {
                            long idx = rem % k[1 + d];
                            rem /= k[1 + d];
                            ao += idx * k[1 + max + d];
                            bo += idx * k[1 + 2 * max + d];
                        }
                        out[(int) (off[2] + i)] = op.apply(a[(int) ao], b[(int) bo]);
                    }
                }
                return out;
        }
    }

    private static float[] random(Random r, long n) {
        float[] x = new float[(int) n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    private static long numel(int[] s) {
        long n = 1;
        for (int d : s) n *= d;
        return n;
    }

    @Test
    void kernelModelMatchesTheCpuBackendOnRandomBroadcasts() {
        Random r = new Random(42);
        int general = 0;
        for (int trial = 0; trial < 3000; trial++) {
            int rank = r.nextInt(12);
            int maxDim = rank > 7 ? 2 : rank > 4 ? 3 : 5;
            int[] out = new int[rank];
            int[] a = new int[rank];
            int[] b = new int[rank];
            for (int d = 0; d < rank; d++) {
                out[d] = 1 + r.nextInt(maxDim);
                a[d] = r.nextInt(3) == 0 ? 1 : out[d];
                b[d] = r.nextInt(3) == 0 ? 1 : out[d];
            }
            int[] as = Arrays.copyOfRange(a, r.nextInt(rank + 1), rank); // drop leading dimensions
            int[] bs = Arrays.copyOfRange(b, r.nextInt(rank + 1), rank);
            // The output is the broadcast of the operands (dimensions both dropped become 1).
            for (int d = 0; d < rank; d++) {
                int ad = d - (rank - as.length) >= 0 ? as[d - (rank - as.length)] : 1;
                int bd = d - (rank - bs.length) >= 0 ? bs[d - (rank - bs.length)] : 1;
                out[d] = Math.max(ad, bd);
            }
            BroadcastPlan p = check(r, as, bs, out);
            general += p.kind == BroadcastPlan.Kind.GENERAL ? 1 : 0;
        }
        assertTrue(general > 100, "coverage: general " + general);
    }

    /** Alternating broadcasts never collapse: rank 11 runs 8 dimensions per launch, 8 launches. */
    @Test
    void ranksBeyondTheKernelsLoopOnTheHost() {
        int[] out = new int[11];
        int[] a = new int[11];
        int[] b = new int[11];
        for (int d = 0; d < 11; d++) {
            out[d] = 2;
            a[d] = d % 2 == 0 ? 2 : 1;
            b[d] = d % 2 == 0 ? 1 : 2;
        }
        BroadcastPlan p = check(new Random(1), a, b, out);
        assertEquals(BroadcastPlan.Kind.GENERAL, p.kind);
        assertEquals(3, BroadcastLaunch.hostDims(p));
        assertEquals(8, BroadcastLaunch.hostLaunches(p));
        assertEquals(256, BroadcastLaunch.kernelNumel(p));
    }

    /** Runs the plan's kernel model against the CPU backend on random data, for every op. */
    private static BroadcastPlan check(Random r, int[] as, int[] bs, int[] out) {
        Backend cpu = CpuBackend.INSTANCE;
        float[] x = random(r, numel(as));
        float[] y = random(r, numel(bs));
        BroadcastPlan p = plan(as, bs, out);
        for (BinaryOp op : BinaryOp.values()) {
            var so = cpu.allocate(ScalarType.F32, numel(out));
            cpu.binary(op, cpu.fromHost(x), cpu.fromHost(y), so, p);
            float[] expected = new float[(int) numel(out)];
            cpu.toHost(so, expected);
            float[] actual = runKernelModel(op, p, x, y);
            assertArrayEquals(expected, actual, 0f, () -> op + " " + Arrays.toString(as) + " with "
                    + Arrays.toString(bs) + " -> " + Arrays.toString(out) + " as " + p.kind);
        }
        return p;
    }

    @Test
    void commonShapesTakeTheFastPaths() {
        assertEquals(BroadcastPlan.Kind.CONTIGUOUS, plan(new int[] {32, 20}, new int[] {32, 20}, new int[] {32, 20}).kind);
        assertEquals(BroadcastPlan.Kind.CONTIGUOUS, plan(new int[] {}, new int[] {}, new int[] {}).kind);
        assertEquals(BroadcastPlan.Kind.CONTIGUOUS, plan(new int[] {2, 1, 3, 4}, new int[] {2, 1, 3, 4},
                new int[] {2, 1, 3, 4}).kind);
        BroadcastPlan bias = plan(new int[] {32, 20}, new int[] {20}, new int[] {32, 20});
        assertEquals(BroadcastPlan.Kind.B_ROW, bias.kind);
        assertEquals(20, bias.cols());
        assertEquals(BroadcastPlan.Kind.A_ROW, plan(new int[] {1, 20}, new int[] {32, 20}, new int[] {32, 20}).kind);
        assertEquals(BroadcastPlan.Kind.B_ONE, plan(new int[] {5, 4}, new int[] {}, new int[] {5, 4}).kind);
        assertEquals(BroadcastPlan.Kind.A_ONE, plan(new int[] {1, 1}, new int[] {5, 4}, new int[] {5, 4}).kind);
        // The same row broadcast over two leading dimensions collapses to [rows, cols].
        assertEquals(BroadcastPlan.Kind.B_ROW, plan(new int[] {2, 3, 7}, new int[] {7}, new int[] {2, 3, 7}).kind);
        assertEquals(BroadcastPlan.Kind.GENERAL, plan(new int[] {3, 1}, new int[] {1, 4}, new int[] {3, 4}).kind);
        assertEquals(BroadcastPlan.Kind.GENERAL, plan(new int[] {32, 1}, new int[] {32, 20}, new int[] {32, 20}).kind);
    }

    @Test
    void packLaysOutTheKernelStruct() {
        BroadcastPlan p = plan(new int[] {3, 1}, new int[] {1, 4}, new int[] {3, 4});
        long[] k = BroadcastLaunch.pack(p);
        assertEquals(1 + 3 * 8, k.length);
        assertEquals(2, k[0]);
        assertArrayEquals(new long[] {3, 4}, Arrays.copyOfRange(k, 1, 3));
        assertArrayEquals(new long[] {1, 0}, Arrays.copyOfRange(k, 9, 11));
        assertArrayEquals(new long[] {0, 1}, Arrays.copyOfRange(k, 17, 19));
        assertEquals(0, BroadcastLaunch.hostDims(p));
        assertEquals(1, BroadcastLaunch.hostLaunches(p));
        assertTrue(p.fitsInt());
    }

    @Test
    void hugeShapesUse64BitIndices() {
        BroadcastPlan p = BroadcastPlan.of(new int[] {70_000, 40_000}, new long[] {40_000, 1}, new long[] {0, 1});
        assertEquals(BroadcastPlan.Kind.B_ROW, p.kind);
        assertFalse(p.fitsInt());
        BroadcastPlan small = BroadcastPlan.of(new int[] {1000, 40_000}, new long[] {40_000, 1}, new long[] {0, 1});
        assertTrue(small.fitsInt());
    }
}
