package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tensorj.junit.DevicesSource;
import dev.tensorj.junit.Placement;
import dev.tensorj.junit.RequiresCuda;
import dev.tensorj.nn.LayerNorm;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.Test;

/**
 * The fused layer_norm: values against a double-precision reference of PyTorch's formula for
 * several normalised shapes (multi-dim, rows of one element, rows long enough that a CUDA block
 * shares one, no rows), rows far from 0 (1e4 plus noise), NaN and ±Inf rows; finite-difference
 * gradients for input, weight and bias, with and without the affine; the CPU against the emulated
 * CUDA on the same inputs; meta shapes; typed errors that change nothing; one launch forward and a
 * fixed number backward, whatever the size.
 */
class FusedLayerNormTest {

    /** (input shape, normalised shape) pairs: 1-d and multi-dim, one element a row, long rows. */
    private static final int[][][] CASES = {
        {{4, 7}, {7}}, {{3, 4, 5}, {4, 5}}, {{2, 3, 4}, {2, 3, 4}}, {{6, 1}, {1}}, {{5}, {5}}, {{2, 700}, {700}},
    };

    // ------------------------------------------------------------ reference

    /** PyTorch's formula in double: {@code (x - mean) / sqrt(var + eps)·w + b}, biased variance; w, b may be null. */
    static Nd ref(Nd x, int len, Nd w, Nd b, double eps) {
        double[] out = new double[x.numel()];
        for (int base = 0; base < out.length; base += len) {
            double mean = 0;
            for (int j = 0; j < len; j++) {
                mean += x.v[base + j];
            }
            mean /= len;
            double var = 0;
            for (int j = 0; j < len; j++) {
                var += (x.v[base + j] - mean) * (x.v[base + j] - mean);
            }
            var /= len;
            for (int j = 0; j < len; j++) {
                double y = (x.v[base + j] - mean) / Math.sqrt(var + eps);
                out[base + j] = y * (w == null ? 1 : w.v[j]) + (b == null ? 0 : b.v[j]);
            }
        }
        return new Nd(out, x.shape);
    }

    /** {@code |x̂|·|w| + |b|}: Approx's scale where the affine's sum cancels. */
    static Nd scale(Nd x, int len, Nd w, Nd b, double eps) {
        Nd xh = ref(x, len, null, null, eps);
        double[] out = new double[xh.numel()];
        for (int i = 0; i < out.length; i++) {
            int j = i % len;
            out[i] = Math.abs(xh.v[i]) * (w == null ? 1 : Math.abs(w.v[j])) + (b == null ? 0 : Math.abs(b.v[j]));
        }
        return new Nd(out, x.shape);
    }

    private static int len(int[] norm) {
        return Nd.numel(norm);
    }

    // ------------------------------------------------------------ values and gradients

    @ParameterizedTest
    @DevicesSource
    void valuesAgainstADoubleReference(Device device) {
        Random rng = new Random(21);
        for (int[][] c : CASES) {
            int[] xs = c[0];
            int[] norm = c[1];
            Nd x = Nd.randn(rng, xs).map(v -> (float) (3 * v + 1));
            Nd w = Nd.randn(rng, norm);
            Nd b = Nd.randn(rng, norm);
            String what = "layer_norm " + Arrays.toString(xs) + " over " + Arrays.toString(norm);
            Approx.assertClose(what, Functional.layerNorm(x.tensor(device), norm, w.tensor(device), b.tensor(device),
                    1e-5), ref(x, len(norm), w, b, 1e-5), scale(x, len(norm), w, b, 1e-5));
            Approx.assertClose(what + " without affine", Functional.layerNorm(x.tensor(device), norm),
                    ref(x, len(norm), null, null, 1e-5));
            Approx.assertClose(what + " weight only, eps 0.1", Functional.layerNorm(x.tensor(device), norm,
                    w.tensor(device), null, 0.1), ref(x, len(norm), w, null, 0.1));
        }
        // rows of one element: x - mean is 0, so the output is the bias
        Nd b = Nd.randn(rng, 1);
        Tensor y = Functional.layerNorm(Nd.randn(rng, 6, 1).tensor(device), new int[] {1}, Tensor.ones(device, 1),
                b.tensor(device), 1e-5);
        for (float v : y.toFloatArray()) {
            assertEquals((float) b.v[0], v);
        }
    }

    @ParameterizedTest
    @DevicesSource
    void gradientsAgainstFiniteDifferences(Device device) {
        Random rng = new Random(22);
        for (int[][] c : CASES) {
            int[] xs = c[0];
            int[] norm = c[1];
            if (len(norm) == 1) {
                continue; // the output is the bias: no gradient to the input or weight to check
            }
            int n = len(norm);
            Nd x = Nd.randn(rng, xs).map(v -> (float) (2 * v - 0.5));
            Nd w = Nd.randn(rng, norm);
            Nd b = Nd.randn(rng, norm);
            String what = "layer_norm " + Arrays.toString(xs) + " over " + Arrays.toString(norm);
            GradCheck.check(what, device, n, t -> Functional.layerNorm(t[0], norm, t[1], t[2], 1e-5),
                    t -> ref(t[0], n, t[1], t[2], 1e-5), x, w, b);
            GradCheck.check(what + " without affine", device, n + 1, t -> Functional.layerNorm(t[0], norm, null, null,
                    1e-5), t -> ref(t[0], n, null, null, 1e-5), x);
            GradCheck.check(what + " bias only", device, n + 2, t -> Functional.layerNorm(t[0], norm, null, t[1], 1e-3),
                    t -> ref(t[0], n, null, t[1], 1e-3), x, b);
        }
        // only the weight and bias require grad: the input's gradient is not kept
        Tensor x = Nd.randn(rng, 3, 4).tensor(device);
        Tensor w = Tensor.randn(device, 4).requiresGrad(true);
        Tensor b = Tensor.randn(device, 4).requiresGrad(true);
        Functional.layerNorm(x, new int[] {4}, w, b, 1e-5).sum().backward();
        assertNull(x.grad());
        Approx.assertClose("d/d bias", b.grad(), new Nd(new double[] {3, 3, 3, 3}, 4));
    }

    @ParameterizedTest
    @DevicesSource
    void rowsFarFromZeroNaNAndInfinities(Device device) {
        Random rng = new Random(23);
        // 1e4 plus noise of 1: a one-pass Σx² - (Σx)²/n in float would lose every digit of the variance
        Nd x = Nd.randn(rng, 4, 300).map(v -> (float) (1e4 + v));
        Nd w = Nd.randn(rng, 300);
        Nd b = Nd.randn(rng, 300);
        Approx.assertClose("layer_norm at 1e4", Functional.layerNorm(x.tensor(device), new int[] {300},
                w.tensor(device), b.tensor(device), 1e-5), ref(x, 300, w, b, 1e-5), scale(x, 300, w, b, 1e-5));
        Nd small = Nd.randn(rng, 2, 6).map(v -> (float) (1e4 + v));
        GradCheck.check("layer_norm at 1e4", device, 5, t -> Functional.layerNorm(t[0], new int[] {6}, t[1], null, 1e-5),
                t -> ref(t[0], 6, t[1], null, 1e-5), small, Nd.randn(rng, 6));
        // a NaN or ±Inf makes its row NaN (as PyTorch's mean and variance), and no other row
        double[] v = Nd.randn(rng, 4, 5).v;
        v[1] = Double.NaN;
        v[7] = Double.POSITIVE_INFINITY;
        v[12] = Double.NEGATIVE_INFINITY;
        Nd bad = new Nd(v, 4, 5);
        Tensor y = Functional.layerNorm(bad.tensor(device), new int[] {5}, Tensor.ones(device, 5),
                Tensor.zeros(device, 5), 1e-5);
        float[] got = y.toFloatArray();
        Nd ref = ref(bad, 5, null, null, 1e-5);
        for (int i = 0; i < got.length; i++) {
            if (i < 15) {
                assertTrue(Float.isNaN(got[i]), "element " + i + " of a row with NaN or Inf: " + got[i]);
            } else {
                assertEquals(ref.v[i], got[i], 1e-5, "element " + i + " of a finite row");
            }
        }
    }

    @ParameterizedTest
    @DevicesSource(meta = true)
    void emptyShapesAndMeta(Device device) {
        // no rows: an empty output; the weight's and bias's gradients are zeros (sums of nothing)
        Tensor x = Tensor.randn(device, 0, 5).requiresGrad(true);
        Tensor w = Tensor.randn(device, 5).requiresGrad(true);
        Tensor b = Tensor.randn(device, 5).requiresGrad(true);
        Tensor y = Functional.layerNorm(x, new int[] {5}, w, b, 1e-5);
        assertArrayEquals(new int[] {0, 5}, y.shape());
        y.sum().backward();
        assertArrayEquals(new int[] {0, 5}, x.grad().shape());
        assertArrayEquals(new int[] {5}, w.grad().shape());
        // multi-dim shapes through the module, forward and backward
        Tensor z = Tensor.randn(device, 2, 3, 4, 5).requiresGrad(true);
        LayerNorm ln = new LayerNorm(4, 5).to(device);
        Tensor out = ln.forward(z);
        assertArrayEquals(new int[] {2, 3, 4, 5}, out.shape());
        assertEquals(DType.FLOAT32, out.dtype());
        out.sum().backward();
        assertArrayEquals(new int[] {2, 3, 4, 5}, z.grad().shape());
        assertArrayEquals(new int[] {4, 5}, ln.weight().grad().shape());
        assertArrayEquals(new int[] {4, 5}, ln.bias().grad().shape());
        if (device.isMeta()) {
            return;
        }
        assertArrayEquals(new float[5], w.grad().toFloatArray());
        assertArrayEquals(new float[5], b.grad().toFloatArray());
        // the bias's gradient: the number of rows, for every column
        for (float v : ln.bias().grad().toFloatArray()) {
            assertEquals(6f, v);
        }
    }

    // ------------------------------------------------------------ cpu against emulated cuda

    @Test
    @RequiresCuda
    void cpuAndCudaAgree() {
        Device gpu = Device.cuda(0);
        Random rng = new Random(24);
        // CUDA shares a row among 1, 2, 16, 128 and 256 threads
        // [300, 2048]: on the cpu rows and column blocks are split across cores (≥ 2^19 elements)
        for (int[] shape : new int[][] {{9, 3}, {5, 10}, {4, 100}, {3, 1000}, {2, 5000}, {300, 8}, {300, 2048}}) {
            Nd x = Nd.randn(rng, shape).map(v -> (float) (4 * v + 2));
            Nd g = Nd.randn(rng, shape);
            Nd w = Nd.randn(rng, shape[1]);
            Nd b = Nd.randn(rng, shape[1]);
            String what = "layer_norm " + Arrays.toString(shape);
            Tensor[] cpu = withGrads(x, g, w, b, Device.CPU);
            Tensor[] cuda = withGrads(x, g, w, b, gpu);
            String[] names = {"output", "d/d input", "d/d weight", "d/d bias"};
            for (int i = 0; i < 4; i++) {
                boolean exact = shape[1] <= 8 || i >= 2; // one thread a row; the column sums always
                assertNear(what + " " + names[i], cpu[i], cuda[i], exact);
            }
        }
    }

    private static Tensor[] withGrads(Nd x, Nd g, Nd w, Nd b, Device device) {
        Tensor leaf = x.tensor(device).requiresGrad(true);
        Tensor wt = w.tensor(device).requiresGrad(true);
        Tensor bt = b.tensor(device).requiresGrad(true);
        Tensor y = Functional.layerNorm(leaf, new int[] {x.shape[1]}, wt, bt, 1e-5);
        y.backward(g.tensor(device), false);
        return new Tensor[] {y.detach(), leaf.grad(), wt.grad(), bt.grad()};
    }

    /** Equal bits, or within 1e-6 relative to each value and the array's rms (the order of the row sums differs). */
    private static void assertNear(String what, Tensor cpu, Tensor cuda, boolean exact) {
        float[] a = cpu.toFloatArray();
        float[] b = cuda.toFloatArray();
        assertEquals(a.length, b.length, what);
        if (exact) {
            assertArrayEquals(a, b, what + ": the same arithmetic in the same order");
            return;
        }
        double rms = 0;
        for (float v : a) {
            rms += (double) v * v;
        }
        rms = Math.sqrt(rms / a.length);
        for (int i = 0; i < a.length; i++) {
            if (!(Math.abs(a[i] - b[i]) <= 1e-6 * (Math.abs(a[i]) + rms))) {
                fail(what + ": element " + i + " is " + a[i] + " on the cpu and " + b[i] + " on cuda");
            }
        }
    }

    // ------------------------------------------------------------ errors and launches

    @ParameterizedTest
    @DevicesSource(meta = true)
    void errorsAreTypedNameTheOpAndChangeNothing(Device device) {
        Tensor x = Tensor.randn(device, 3, 4);
        Tensor w = Tensor.randn(device, 4);
        Tensor w2d = Tensor.randn(device, 1, 4);
        Tensor b3 = Tensor.randn(device, 3);
        Tensor ints = LossesTest.longs(device, 1, 2, 3);
        Tensor w64 = LossesTest.longs(device, 1, 2, 3, 4);
        Tensor cpuBias = Tensor.zeros(4);
        Counters.Snapshot after = Placement.of(() -> {
            ShapeMismatchException s = assertThrows(ShapeMismatchException.class,
                    () -> Functional.layerNorm(x, new int[] {3}, null, null, 1e-5));
            assertEquals("layer_norm", s.op());
            assertTrue(s.getMessage().contains("[3]") && s.getMessage().contains("[3, 4]"), s.getMessage());
            assertThrows(ShapeMismatchException.class, () -> Functional.layerNorm(x, new int[] {2, 3, 4}));
            ShapeMismatchException ws = assertThrows(ShapeMismatchException.class,
                    () -> Functional.layerNorm(x, new int[] {4}, w2d, null, 1e-5));
            assertTrue(ws.getMessage().contains("weight") && ws.getMessage().contains("[1, 4]"), ws.getMessage());
            ShapeMismatchException bs = assertThrows(ShapeMismatchException.class,
                    () -> Functional.layerNorm(x, new int[] {4}, w, b3, 1e-5));
            assertTrue(bs.getMessage().startsWith("layer_norm") && bs.getMessage().contains("bias"), bs.getMessage());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Functional.layerNorm(x, new int[0]));
            assertTrue(e.getMessage().startsWith("layer_norm: "), e.getMessage());
            DTypeMismatchException d = assertThrows(DTypeMismatchException.class,
                    () -> Functional.layerNorm(ints, new int[] {3}));
            assertEquals("layer_norm", d.op());
            DTypeMismatchException dw = assertThrows(DTypeMismatchException.class,
                    () -> Functional.layerNorm(x, new int[] {4}, w64, null, 1e-5));
            assertTrue(dw.getMessage().contains("weight") && dw.getMessage().contains("int64"), dw.getMessage());
            NullPointerException n = assertThrows(NullPointerException.class, () -> Functional.layerNorm(x, null));
            assertEquals("layer_norm: normalizedShape is null", n.getMessage());
            if (device.isCuda()) {
                DeviceMismatchException m = assertThrows(DeviceMismatchException.class,
                        () -> Functional.layerNorm(x, new int[] {4}, w, cpuBias, 1e-5));
                assertEquals("layer_norm", m.op());
                assertTrue(m.getMessage().contains("bias") && m.getMessage().contains("cpu"), m.getMessage());
            }
        }).on(device);
        assertEquals(0, after.launches(), "a refused layer_norm launches nothing: " + after);
        assertEquals(0, after.allocations(), "a refused layer_norm allocates nothing: " + after);
    }

    @ParameterizedTest
    @DevicesSource
    void oneLaunchForwardAndAFixedNumberBackward(Device device) {
        for (int[] shape : new int[][] {{4, 8}, {128, 2048}}) {
            for (boolean affine : new boolean[] {true, false}) {
                Tensor x = Tensor.randn(device, shape).requiresGrad(true);
                Tensor w = affine ? Tensor.randn(device, shape[1]).requiresGrad(true) : null;
                Tensor b = affine ? Tensor.randn(device, shape[1]).requiresGrad(true) : null;
                Tensor g = Tensor.randn(device, shape);
                String what = "layer_norm " + Arrays.toString(shape) + (affine ? "" : " without affine");
                Tensor[] y = new Tensor[1];
                Counters.Snapshot forward = Placement.of(() -> y[0] = Functional.layerNorm(x, new int[] {shape[1]}, w, b,
                        1e-5)).on(device);
                assertEquals(1, forward.launches(), what + ": forward launches");
                assertEquals(2, forward.allocations(), what + ": forward allocations (output, statistics)");
                Counters.Snapshot backward = Placement.of(() -> y[0].backward(g, false)).on(device);
                // the row kernel, and the column sums for the weight and bias
                assertEquals(affine ? 2 : 1, backward.launches(), what + ": backward launches");
                assertEquals(affine ? 3 : 1, backward.allocations(), what + ": backward allocations");
            }
        }
    }
}
