package dev.tensorj;

import static dev.tensorj.Approx.assertClose;
import static dev.tensorj.GradCheck.check;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.junit.DevicesSource;
import dev.tensorj.junit.Placement;
import dev.tensorj.junit.RequiresCuda;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BinaryOperator;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * matmul with batch dimensions ({@code torch.matmul}: 1-d promotion, broadcast batches) and bmm:
 * values against a double reference, gradients against finite differences, cpu against emulated
 * cuda, meta shapes, typed errors, and one device call per product.
 */
class BatchedMatmulTest {
    /**
     * Shape pairs and the way each is computed: 1-d with 3-d either side, a right operand holding
     * one matrix (folded into one plain product), a left one reused for the batch (stride 0),
     * broadcast batches that need an expansion, zero-size batches, k = 0, size-1 dimensions.
     */
    static final List<int[][]> CASES = List.of(
            new int[][] {{3}, {2, 3, 4}},                // 1-d × 3-d: [2, 4]
            new int[][] {{2, 3, 4}, {4}},                // 3-d × 1-d: [2, 3], folded
            new int[][] {{2, 1, 3, 4}, {5, 4, 6}},       // 4-d × 3-d broadcast: [2, 5, 3, 6]
            new int[][] {{4, 3, 5}, {5, 2}},             // [B, m, k] @ [k, n]: folded
            new int[][] {{2, 3, 4, 5}, {1, 1, 5, 2}},    // right batch all 1: folded
            new int[][] {{3, 5}, {4, 5, 2}},             // left one matrix: stride 0
            new int[][] {{1, 3, 5}, {2, 2, 5, 2}},       // left batch all 1: stride 0
            new int[][] {{2, 3, 4}, {2, 4, 5}},          // equal batches
            new int[][] {{3, 1, 2, 4}, {1, 5, 4, 3}},    // both partially broadcast: both expanded
            new int[][] {{2, 1, 1}, {2, 1, 1}},          // size-1 matrices
            new int[][] {{2, 1, 3}, {1, 3, 1}},          // m = n = 1
            new int[][] {{0, 3, 4}, {0, 4, 5}},          // zero-size batch
            new int[][] {{0, 3, 4}, {4, 5}},             // zero-size batch, folded
            new int[][] {{2, 0, 3, 4}, {1, 4, 5}},       // zero-size batch against a broadcast one
            new int[][] {{2, 3, 0}, {2, 0, 5}},          // k = 0: zeros
            new int[][] {{4}, {2, 4, 0}},                // n = 0
            new int[][] {{2, 0, 4}, {2, 4, 3}});         // m = 0

    /** Large enough for the parallel Java kernel and OpenBLAS (JNI and copying) at offsets. */
    static final List<int[][]> LARGE = List.of(
            new int[][] {{3, 40, 50}, {3, 50, 60}},
            new int[][] {{2, 1, 70, 90}, {3, 90, 81}},
            new int[][] {{90, 70}, {2, 70, 130}});

    @ParameterizedTest
    @DevicesSource
    void matmulMatchesReference(Device device) {
        Random rng = new Random(81);
        for (List<int[][]> cases : List.of(CASES, LARGE)) {
            for (int[][] c : cases) {
                Nd a = Nd.randn(rng, c[0]);
                Nd b = Nd.randn(rng, c[1]);
                assertClose(what("matmul", c, device), a.tensor(device).matmul(b.tensor(device)), RefOps.matmul(a, b),
                        RefOps.matmul(RefOps.abs(a), RefOps.abs(b)));
            }
        }
    }

    @ParameterizedTest
    @DevicesSource
    void bmmMatchesReference(Device device) {
        Random rng = new Random(82);
        for (int[][] c : new int[][][] {
                {{3, 4, 5}, {3, 5, 2}}, {{1, 1, 1}, {1, 1, 1}}, {{0, 2, 3}, {0, 3, 4}}, {{2, 3, 0}, {2, 0, 4}},
                {{2, 0, 3}, {2, 3, 4}}, {{3, 40, 50}, {3, 50, 60}}}) {
            Nd a = Nd.randn(rng, c[0]);
            Nd b = Nd.randn(rng, c[1]);
            assertClose(what("bmm", c, device), a.tensor(device).bmm(b.tensor(device)), RefOps.matmul(a, b),
                    RefOps.matmul(RefOps.abs(a), RefOps.abs(b)));
        }
    }

    /** k = 0 on memory that held other values: every output is an empty sum. */
    @ParameterizedTest
    @DevicesSource
    void emptyInnerDimensionGivesZeros(Device device) {
        Tensor.randn(device, 4, 8, 8).bmm(Tensor.randn(device, 4, 8, 8)).close();
        Tensor c = Tensor.zeros(device, 4, 2, 0).matmul(Tensor.zeros(device, 4, 0, 8));
        assertArrayEquals(new int[] {4, 2, 8}, c.shape());
        assertArrayEquals(new float[64], c.toFloatArray());
        Tensor s = Tensor.zeros(device, 1, 0).matmul(Tensor.zeros(device, 4, 0, 8));
        assertArrayEquals(new float[32], s.toFloatArray());
    }

    @ParameterizedTest
    @DevicesSource
    void gradients(Device device) {
        Random rng = new Random(83);
        for (int[][] c : CASES) {
            check(what("matmul", c, device), device, 84, x -> x[0].matmul(x[1]), r -> RefOps.matmul(r[0], r[1]),
                    Nd.randn(rng, c[0]), Nd.randn(rng, c[1]));
        }
        for (int[][] c : new int[][][] {{{3, 2, 4}, {3, 4, 2}}, {{2, 3, 0}, {2, 0, 2}}}) {
            check(what("bmm", c, device), device, 85, x -> x[0].bmm(x[1]), r -> RefOps.matmul(r[0], r[1]),
                    Nd.randn(rng, c[0]), Nd.randn(rng, c[1]));
        }
    }

    /** One leaf used on both sides of a batched product: both gradients accumulate into it. */
    @ParameterizedTest
    @DevicesSource
    void gradientOfALeafOnBothSides(Device device) {
        Nd x = Nd.randn(new Random(86), 3, 4, 4);
        check("x @ x " + device, device, 87, t -> t[0].matmul(t[0]), r -> RefOps.matmul(r[0], r[0]), x);
    }

    /** The same inputs on cpu and on (emulated) cuda give the same values and gradients. */
    @Test
    @RequiresCuda
    void cpuAndCudaAgree() {
        Random rng = new Random(88);
        for (List<int[][]> cases : List.of(CASES, LARGE)) {
            for (int[][] c : cases) {
                Nd a = Nd.randn(rng, c[0]);
                Nd b = Nd.randn(rng, c[1]);
                Nd w = Nd.randn(rng, RefOps.matmul(a, b).shape);
                Tensor[] cpu = forwardAndGrads(a, b, w, Device.CPU);
                Tensor[] cuda = forwardAndGrads(a, b, w, Device.cuda(0));
                String what = what("matmul", c, Device.cuda(0)) + " against cpu";
                for (int i = 0; i < 3; i++) {
                    assertAgree(what + (i == 0 ? " (value)" : " (gradient " + i + ")"), cpu[i], cuda[i]);
                }
            }
        }
    }

    private static Tensor[] forwardAndGrads(Nd a, Nd b, Nd w, Device device) {
        Tensor ta = a.tensor(device).requiresGrad(true);
        Tensor tb = b.tensor(device).requiresGrad(true);
        Tensor y = ta.matmul(tb);
        y.mul(w.tensor(device)).sum().backward();
        return new Tensor[] {y.detach(), ta.grad(), tb.grad()};
    }

    /**
     * Equal shapes and {@code |y - x| <= 1e-5·(|x| + rms(x))}: the two devices sum in different
     * orders, so an element that cancels to near 0 is compared at the scale of the whole result.
     */
    private static void assertAgree(String what, Tensor cpu, Tensor cuda) {
        assertArrayEquals(cpu.shape(), cuda.shape(), what + ": shape");
        float[] x = cpu.toFloatArray();
        float[] y = cuda.toFloatArray();
        double rms = 0;
        for (float v : x) {
            rms += (double) v * v;
        }
        rms = x.length == 0 ? 0 : Math.sqrt(rms / x.length);
        for (int i = 0; i < x.length; i++) {
            double tol = 1e-5 * (Math.abs(x[i]) + rms);
            assertTrue(Math.abs(y[i] - x[i]) <= tol, what + ": element " + i + " is " + y[i] + " on cuda, " + x[i] + " on cpu");
        }
    }

    @Test
    void metaShapes() {
        for (int[][] c : CASES) {
            Tensor a = Tensor.randn(Device.META, c[0]).requiresGrad(true);
            Tensor b = Tensor.randn(Device.META, c[1]).requiresGrad(true);
            Tensor y = a.matmul(b);
            assertEquals(Device.META, y.device());
            assertArrayEquals(RefOps.matmul(Nd.zeros(c[0]), Nd.zeros(c[1])).shape, y.shape(), what("matmul", c, Device.META));
            y.sum().backward();
            assertArrayEquals(c[0], a.grad().shape());
            assertArrayEquals(c[1], b.grad().shape());
        }
        assertArrayEquals(new int[] {3, 4, 2},
                Tensor.randn(Device.META, 3, 4, 5).bmm(Tensor.randn(Device.META, 3, 5, 2)).shape());
    }

    @ParameterizedTest
    @DevicesSource
    void shapeErrorsNameTheOpAndBothShapes(Device device) {
        BinaryOperator<Tensor> bmm = Tensor::bmm;
        BinaryOperator<Tensor> matmul = Tensor::matmul;
        // bmm is strictly 3-d.
        assertShapeError("bmm", bmm, device, new int[] {2, 3, 4}, new int[] {4, 5}, "3-d");
        assertShapeError("bmm", bmm, device, new int[] {3, 4}, new int[] {2, 4, 5}, "3-d");
        assertShapeError("bmm", bmm, device, new int[] {4}, new int[] {2, 4, 5}, "3-d");
        // bmm does not broadcast the batch, not even from 1.
        assertShapeError("bmm", bmm, device, new int[] {2, 3, 4}, new int[] {3, 4, 5}, "batch sizes differ");
        assertShapeError("bmm", bmm, device, new int[] {2, 3, 4}, new int[] {1, 4, 5}, "batch sizes differ");
        assertShapeError("bmm", bmm, device, new int[] {2, 3, 4}, new int[] {2, 5, 6}, "inner dimensions 4 and 5");
        // matmul: inner dimensions, batches that do not broadcast, 0-d operands.
        assertShapeError("matmul", matmul, device, new int[] {2, 3, 4}, new int[] {2, 5, 6}, "inner dimensions 4 and 5");
        assertShapeError("matmul", matmul, device, new int[] {2, 3, 4}, new int[] {5}, "inner dimensions 4 and 5");
        assertShapeError("matmul", matmul, device, new int[] {5}, new int[] {2, 3, 4}, "inner dimensions 5 and 3");
        assertShapeError("matmul", matmul, device, new int[] {2, 3, 4}, new int[] {3, 4, 5},
                "batch dimensions [2] and [3] do not broadcast");
        assertShapeError("matmul", matmul, device, new int[] {2, 1, 3, 4}, new int[] {3, 3, 4, 5},
                "batch dimensions [2, 1] and [3, 3] do not broadcast");
        assertShapeError("matmul", matmul, device, new int[] {2, 3, 4}, new int[0], "at least 1 dimension");
    }

    /** {@code f(a, b)} for new tensors of the two shapes throws, naming the op and both shapes, before any work. */
    private static void assertShapeError(String op, BinaryOperator<Tensor> f, Device device, int[] as, int[] bs,
                                         String words) {
        Tensor a = as.length == 0 ? Tensor.scalar(1f).to(device) : Tensor.randn(device, as);
        Tensor b = bs.length == 0 ? Tensor.scalar(1f).to(device) : Tensor.randn(device, bs);
        ShapeMismatchException[] thrown = new ShapeMismatchException[1];
        Counters.Snapshot work = Placement.of(
                () -> thrown[0] = assertThrows(ShapeMismatchException.class, () -> f.apply(a, b))).on(device);
        ShapeMismatchException e = thrown[0];
        assertEquals(0, work.allocations() + work.launches(), "work before the check: " + work);
        assertEquals(op, e.op());
        for (String part : new String[] {Arrays.toString(as), Arrays.toString(bs), words}) {
            assertTrue(e.getMessage().contains(part), "message should contain '" + part + "': " + e.getMessage());
        }
        assertEquals(2, e.shapes().size(), e.getMessage());
        assertArrayEquals(as, e.shapes().get(0));
        assertArrayEquals(bs, e.shapes().get(1));
    }

    /** A dtype or device error comes from the one check, before anything is allocated or launched. */
    @ParameterizedTest
    @DevicesSource
    void dtypeAndDeviceErrorsBeforeAnyWork(Device device) {
        Tensor f = Tensor.randn(device, 2, 3, 4);
        Tensor i = Tensor.zeros(device, DType.INT64, 2, 4, 5);
        Counters.Snapshot work = Placement.of(() -> {
            DTypeMismatchException d = assertThrows(DTypeMismatchException.class, () -> f.bmm(i));
            assertEquals("bmm", d.op());
            assertEquals(List.of("input", "mat2"), d.roles());
            assertEquals(List.of(DType.FLOAT32, DType.INT64), d.dtypes());
            DTypeMismatchException m = assertThrows(DTypeMismatchException.class, () -> i.matmul(f));
            assertEquals("matmul", m.op());
            assertTrue(m.getMessage().contains("int64"), m.getMessage());
            Device other = device.isCpu() ? Device.META : Device.CPU;
            Tensor g = Tensor.randn(other, 2, 4, 5);
            DeviceMismatchException x = assertThrows(DeviceMismatchException.class, () -> f.bmm(g));
            assertEquals("bmm", x.op());
            assertEquals(List.of(device, other), x.devices());
            DeviceMismatchException y = assertThrows(DeviceMismatchException.class, () -> g.matmul(f));
            assertEquals("matmul", y.op());
            assertEquals(List.of("input", "other"), y.roles());
        }).on(device);
        assertEquals(0, work.allocations() + work.launches(), "work before the check: " + work);
    }

    /**
     * One batched product is one launch (on CUDA one cublasSgemmStridedBatched) counting all its
     * FLOPs, and an operand reused for the batch is not copied: the output is the one allocation.
     */
    @ParameterizedTest
    @DevicesSource
    void oneLaunchPerBatchedProduct(Device device) {
        Tensor a = Tensor.randn(device, 6, 3, 5);
        Tensor b = Tensor.randn(device, 6, 5, 2);
        Tensor a2 = Tensor.randn(device, 3, 5);
        Tensor b2 = Tensor.randn(device, 5, 2);
        Tensor v = Tensor.randn(device, 5);
        assertOneProduct(() -> a.bmm(b), device, 2L * 6 * 3 * 5 * 2);
        assertOneProduct(() -> a.matmul(b), device, 2L * 6 * 3 * 5 * 2);
        assertOneProduct(() -> a2.matmul(b), device, 2L * 6 * 3 * 5 * 2); // stride 0
        assertOneProduct(() -> a.matmul(b2), device, 2L * 18 * 5 * 2);    // folded
        assertOneProduct(() -> v.matmul(b), device, 2L * 6 * 5 * 2);      // 1-d, stride 0
        // A partially broadcast operand is copied once (an expansion), then one product.
        Tensor p = Tensor.randn(device, 2, 1, 3, 5);
        Tensor q = Tensor.randn(device, 4, 5, 2);
        Counters.Snapshot d = Placement.of(() -> p.matmul(q)).on(device);
        assertEquals(2L * 8 * 3 * 5 * 2, d.flops());
        assertEquals(3, d.launches(), "two expansions and one product: " + d);
    }

    private static void assertOneProduct(Supplier<Tensor> product, Device device, long flops) {
        Tensor[] c = new Tensor[1];
        Counters.Snapshot d = Placement.of(() -> c[0] = product.get()).on(device);
        assertEquals(1, d.launches(), "launches of one batched product: " + d);
        assertEquals(flops, d.flops());
        assertEquals(1, d.allocations(), "only the output is allocated: " + d);
        assertEquals(c[0].numel() * Float.BYTES, d.bytesAllocated());
    }

    private static String what(String op, int[][] c, Device device) {
        return op + " " + Arrays.toString(c[0]) + " @ " + Arrays.toString(c[1]) + " on " + device;
    }
}
