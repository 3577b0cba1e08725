package dev.tensorj.backend.cuda;

import static dev.tensorj.backend.cuda.CudaComparisons.toHost;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tensorj.backend.Backend;
import dev.tensorj.backend.BroadcastPlan;
import dev.tensorj.backend.CompareOp;
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
 * The typed storages on CUDA against the CPU backend, bit for bit: int64 and bool transfers and
 * fills, casts between every pair of types, comparisons and {@code where}, and the strided copy
 * behind the shape ops, each through its contiguous path, its general kernel and the host loop
 * past {@link BroadcastLaunch#MAX_KERNEL_RANK} dimensions, at element offsets of every type's width.
 */
@RequiresCuda
@LeakCheck(tensors = false) // the backend's storages are not tensors: the pool's bytes are what counts
class CudaTypesAndCopiesTest {
    private final Backend cpu = CpuBackend.INSTANCE;
    private Backend gpu;
    private final Random random = new Random(2026);

    @BeforeEach
    void setUp() {
        gpu = CudaBackends.get(0);
    }

    private static long[] longsOf(Backend be, Storage s) {
        long[] out = new long[Math.toIntExact(s.numel())];
        be.toHost(s, out);
        return out;
    }

    private static boolean[] boolsOf(Backend be, Storage s) {
        boolean[] out = new boolean[Math.toIntExact(s.numel())];
        be.toHost(s, out);
        return out;
    }

    /** The storage's elements as doubles, whatever its type (bool: 0 or 1), for one comparison. */
    private static double[] valuesOf(Backend be, Storage s) {
        double[] v = new double[Math.toIntExact(s.numel())];
        switch (s.type()) {
            case F32: {
                float[] f = toHost(be, s);
                for (int i = 0; i < v.length; i++) v[i] = f[i];
                break;
            }
            case I64: {
                long[] l = longsOf(be, s);
                for (int i = 0; i < v.length; i++) v[i] = l[i];
                break;
            }
            default: {
                boolean[] b = boolsOf(be, s);
                for (int i = 0; i < v.length; i++) v[i] = b[i] ? 1 : 0;
            }
        }
        return v;
    }

    /** Random values of {@code type} on {@code be}, the same ones for the same seed. */
    private static Storage randomOf(Backend be, ScalarType type, int n, long seed) {
        Random r = new Random(seed);
        switch (type) {
            case F32: {
                float[] x = new float[n];
                for (int i = 0; i < n; i++) {
                    x[i] = i % 11 == 3 ? Float.NaN : i % 13 == 5 ? -0f : r.nextInt(9) - 4 + (r.nextBoolean() ? 0.5f : 0f);
                }
                if (n > 2) {
                    x[1] = Float.POSITIVE_INFINITY;
                    x[2] = Float.NEGATIVE_INFINITY;
                }
                return be.fromHost(x);
            }
            case I64: {
                long[] x = new long[n];
                for (int i = 0; i < n; i++) {
                    x[i] = i % 7 == 6 ? Long.MIN_VALUE + r.nextInt(3) : r.nextInt(9) - 4 + ((long) r.nextInt(3) << 40);
                }
                return be.fromHost(x);
            }
            default: {
                boolean[] x = new boolean[n];
                for (int i = 0; i < n; i++) {
                    x[i] = r.nextBoolean();
                }
                return be.fromHost(x);
            }
        }
    }

    @Test
    void int64AndBoolStoragesTravelAndFillExactly() {
        long[] longs = new long[1003];
        boolean[] bools = new boolean[1003];
        for (int i = 0; i < longs.length; i++) {
            longs[i] = random.nextLong();
            bools[i] = random.nextBoolean();
        }
        assertArrayEquals(longs, longsOf(gpu, gpu.fromHost(longs)));
        assertArrayEquals(bools, boolsOf(gpu, gpu.fromHost(bools)));
        for (long v : new long[] {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, (1L << 32) + 7}) {
            Storage s = gpu.allocate(ScalarType.I64, 1001);
            gpu.fill(s, v);
            long[] expected = new long[1001];
            Arrays.fill(expected, v);
            assertArrayEquals(expected, longsOf(gpu, s), "fill " + v);
            s.release();
        }
        for (boolean v : new boolean[] {true, false, true}) {
            Storage s = gpu.allocate(ScalarType.BOOL, 999);
            gpu.fill(s, v);
            boolean[] expected = new boolean[999];
            Arrays.fill(expected, v);
            assertArrayEquals(expected, boolsOf(gpu, s), "fill " + v);
            s.release();
        }
        // Empty storages: no block, nothing to copy, fills and casts are no-ops.
        for (ScalarType t : ScalarType.values()) {
            Storage e = gpu.allocate(t, 0);
            assertEquals(0, e.bytes());
            gpu.cast(gpu.allocate(ScalarType.F32, 0), e);
        }
        gpu.fill(gpu.allocate(ScalarType.F32, 0), 2f);
        gpu.fill(gpu.allocate(ScalarType.I64, 0), 5L);
        gpu.fill(gpu.allocate(ScalarType.BOOL, 0), true);
        assertEquals(0, longsOf(gpu, gpu.fromHost(new long[0])).length);
        assertEquals(0, boolsOf(gpu, gpu.fromHost(new boolean[0])).length);
        assertEquals(0, toHost(gpu, gpu.fromHost(new float[0])).length);
    }

    @Test
    void castsBetweenEveryPairOfTypesMatchTheCpu() {
        for (ScalarType from : ScalarType.values()) {
            for (ScalarType to : ScalarType.values()) {
                for (int n : new int[] {1, 7, 4099}) {
                    Storage cx = randomOf(cpu, from, n, n);
                    Storage gx = randomOf(gpu, from, n, n);
                    Storage co = cpu.allocate(to, n);
                    Storage go = gpu.allocate(to, n);
                    cpu.cast(cx, co);
                    gpu.cast(gx, go);
                    assertArrayEquals(valuesOf(cpu, co), valuesOf(gpu, go), from + " to " + to + ", " + n);
                }
            }
        }
    }

    /** Operand shapes: same shape (contiguous), broadcasts (general kernel), and 11 dimensions (host loop). */
    private static final int[][][] SHAPES = {
        {{1000}, {1000}}, {{33, 20}, {20}}, {{3, 1}, {1, 4}}, {{2, 3, 4, 5}, {3, 1, 5}}, {{5, 4}, {}},
        {{2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 3}, {1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1}},
        {{3, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2}, {1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1}},
    };

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

    private static int numel(int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    @Test
    void comparisonsOfEveryTypeMatchTheCpu() {
        for (int[][] c : SHAPES) {
            int[] out = broadcast(c[0], c[1]);
            BroadcastPlan plan = BroadcastPlan.of(out, BroadcastPlanTest.broadcastStrides(c[0], out),
                    BroadcastPlanTest.broadcastStrides(c[1], out));
            for (ScalarType type : ScalarType.values()) {
                for (CompareOp op : CompareOp.values()) {
                    boolean logical = op == CompareOp.AND || op == CompareOp.OR;
                    if (logical != (type == ScalarType.BOOL)) {
                        continue; // and/or take bools; the orderings take numbers
                    }
                    boolean[] expected = compare(cpu, op, type, c, plan);
                    boolean[] actual = compare(gpu, op, type, c, plan);
                    assertArrayEquals(expected, actual, op + " " + type + " " + Arrays.toString(c[0]) + " with "
                            + Arrays.toString(c[1]));
                }
            }
        }
    }

    private static boolean[] compare(Backend be, CompareOp op, ScalarType type, int[][] c, BroadcastPlan plan) {
        // Few distinct values, so that equal pairs are common.
        Storage a = randomOf(be, type, numel(c[0]), 11);
        Storage b = randomOf(be, type, numel(c[1]), 12);
        Storage o = be.allocate(ScalarType.BOOL, plan.numel);
        be.compare(op, a, b, o, plan);
        return boolsOf(be, o);
    }

    @Test
    void whereMatchesTheCpu() {
        for (int[][] c : SHAPES) {
            int[] out = broadcast(c[0], c[1]);
            // cond has the output's shape; a and b broadcast to it
            BroadcastPlan plan = BroadcastPlan.of(out, BroadcastPlanTest.broadcastStrides(c[0], out),
                    BroadcastPlanTest.broadcastStrides(c[1], out));
            assertArrayEquals(where(cpu, c, out, plan), where(gpu, c, out, plan),
                    "where " + Arrays.toString(c[0]) + " " + Arrays.toString(c[1]));
        }
    }

    private static float[] where(Backend be, int[][] c, int[] out, BroadcastPlan plan) {
        Storage cond = randomOf(be, ScalarType.BOOL, numel(out), 3);
        Storage a = randomOf(be, ScalarType.F32, numel(c[0]), 4);
        Storage b = be.fromHost(negated(numel(c[1])));
        Storage o = be.allocate(ScalarType.F32, plan.numel);
        be.where(cond, a, b, o, plan);
        return toHost(be, o);
    }

    private static float[] negated(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = -100 - i;
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

    /**
     * The source of a permute: {@code out[i] = src[perm(i)]}, with {@code src} of {@code shape} and the
     * plan over the permuted shape.
     */
    private static BroadcastPlan permutePlan(int[] shape, int[] perm) {
        long[] src = contiguousStrides(shape);
        int[] out = new int[shape.length];
        long[] srcStrides = new long[shape.length];
        for (int i = 0; i < perm.length; i++) {
            out[i] = shape[perm[i]];
            srcStrides[i] = src[perm[i]];
        }
        return BroadcastPlan.of(out, srcStrides, contiguousStrides(out));
    }

    @Test
    void stridedCopiesOfEveryTypeMatchTheCpuAndTouchNothingElse() {
        int[] rank11 = {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3};
        int[] reversed = new int[rank11.length];
        for (int i = 0; i < reversed.length; i++) {
            reversed[i] = reversed.length - 1 - i;
        }
        BroadcastPlan[] plans = {
            BroadcastPlan.of(new int[] {37}, new long[] {1}, new long[] {1}), // contiguous: a memcpy
            permutePlan(new int[] {3, 4, 5}, new int[] {2, 0, 1}), // general kernel
            BroadcastPlan.of(new int[] {4, 6}, new long[] {0, 1}, new long[] {6, 1}), // expand
            permutePlan(rank11, reversed), // 11 dimensions: the outer 3 loop on the host
        };
        for (ScalarType type : ScalarType.values()) {
            for (BroadcastPlan plan : plans) {
                for (long[] offsets : new long[][] {{0, 0}, {3, 5}, {1, 0}}) {
                    String what = type + " " + Arrays.toString(plan.shape) + " " + plan.kind + " offsets "
                            + Arrays.toString(offsets);
                    assertArrayEquals(stridedCopy(cpu, type, plan, offsets), stridedCopy(gpu, type, plan, offsets),
                            what);
                }
            }
        }
        // Nothing to copy: no launch, the destination unchanged.
        Storage dst = gpu.fromHost(new float[] {7f});
        gpu.stridedCopy(gpu.fromHost(new float[] {1f}), 0, dst, 0,
                BroadcastPlan.of(new int[] {0}, new long[] {1}, new long[] {1}));
        assertArrayEquals(new float[] {7f}, toHost(gpu, dst));
    }

    /** The destination after a strided copy into a random one: copied region and untouched rest. */
    private static double[] stridedCopy(Backend be, ScalarType type, BroadcastPlan plan, long[] offsets) {
        int span = (int) (plan.numel + 8);
        Storage src = randomOf(be, type, span, 21);
        Storage dst = randomOf(be, type, span, 22);
        be.stridedCopy(src, offsets[0], dst, offsets[1], plan);
        return valuesOf(be, dst);
    }
}
