package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tensorj.junit.DevicesSource;
import dev.tensorj.junit.Placement;
import dev.tensorj.junit.RequiresCuda;
import dev.tensorj.nn.CrossEntropyLoss;
import dev.tensorj.nn.Linear;
import dev.tensorj.nn.NLLLoss;
import dev.tensorj.optim.SGD;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * The fused softmax, log_softmax and cross_entropy kernels: values against double-precision
 * references of PyTorch's formulas ({@code exp(x - amax(x))}, so that infinities and NaN behave as
 * there) along every dim of 3-d inputs, with ±1e4, -Inf, +Inf and NaN entries, C = 1, N = 0 and
 * empty rows; finite-difference gradients (also for rows long enough that a whole CUDA block
 * shares one); the CPU against the emulated CUDA on the same inputs for every threads-per-row
 * choice; meta shapes; typed errors; and a constant number of kernel launches per training step.
 * LossesTest holds the small cases the composition was written against.
 */
class FusedSoftmaxTest {

    // ------------------------------------------------------------ references

    /** PyTorch's formula in double along dim {@code d}: {@code exp(x - m) / Σ exp(x - m)} or {@code x - m - log Σ}. */
    static Nd ref(Nd x, int d, boolean log) {
        long[] a = Losses.axis(x.shape, d);
        int outer = (int) a[0];
        int len = (int) a[1];
        int inner = (int) a[2];
        double[] out = new double[x.numel()];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * len * inner + i;
                double m = Double.NEGATIVE_INFINITY;
                for (int l = 0; l < len; l++) {
                    m = Math.max(m, x.v[base + l * inner]); // NaN propagates, as amax
                }
                double s = 0;
                for (int l = 0; l < len; l++) {
                    s += Math.exp(x.v[base + l * inner] - m);
                }
                for (int l = 0; l < len; l++) {
                    double dv = x.v[base + l * inner] - m;
                    out[base + l * inner] = log ? dv - Math.log(s) : Math.exp(dv) / s;
                }
            }
        }
        return new Nd(out, x.shape);
    }

    /** Approx's check, but NaN matches NaN and an infinity matches the same infinity. */
    static void assertClose(String what, Tensor actual, Nd ref, double scale) {
        assertArrayEquals(ref.shape, actual.shape(), what + ": shape");
        float[] v = actual.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            double r = ref.v[i];
            boolean ok = Double.isNaN(r) ? Float.isNaN(v[i])
                    : Double.isInfinite(r) ? v[i] == r
                    : Math.abs(v[i] - r) <= Approx.RTOL * (Math.abs(r) + scale);
            if (!ok) {
                fail(what + ": element " + i + " of " + Arrays.toString(ref.shape) + " is " + v[i] + ", expected " + r);
            }
        }
    }

    /** Values rounded to float, so that the tensor and the reference hold the same numbers. */
    static Nd nd(int[] shape, double... v) {
        return new Nd(v, shape).map(d -> (float) d);
    }

    // ------------------------------------------------------------ values and gradients

    @ParameterizedTest
    @DevicesSource
    void everyDimOfA3dInputAgainstDoubleReferences(Device device) {
        Nd x = Nd.randn(new Random(3), 3, 4, 5).map(v -> (float) (4 * v));
        for (int dim : new int[] {0, 1, 2, -1}) {
            int d = dim < 0 ? dim + 3 : dim;
            Approx.assertClose("softmax dim " + dim, x.tensor(device).softmax(dim), ref(x, d, false));
            Approx.assertClose("log_softmax dim " + dim, x.tensor(device).logSoftmax(dim), ref(x, d, true),
                    x.map(Math::abs));
            GradCheck.check("softmax dim " + dim, device, 30 + dim, xs -> xs[0].softmax(dim), xs -> ref(xs[0], d, false), x);
            GradCheck.check("log_softmax dim " + dim, device, 40 + dim, xs -> Functional.logSoftmax(xs[0], dim),
                    xs -> ref(xs[0], d, true), x);
        }
    }

    @ParameterizedTest
    @DevicesSource
    void longRowsSharedByManyThreads(Device device) {
        // 700 and 3000 elements a row: on CUDA 128 and 256 threads share a row (a shared-memory tree)
        for (int len : new int[] {700, 3000}) {
            Nd x = Nd.randn(new Random(len), 2, len).map(v -> (float) (6 * v));
            Approx.assertClose("softmax len " + len, x.tensor(device).softmax(1), ref(x, 1, false));
            Approx.assertClose("log_softmax len " + len, x.tensor(device).logSoftmax(1), ref(x, 1, true), x.map(Math::abs));
        }
        Nd x = Nd.randn(new Random(5), 2, 700);
        GradCheck.check("softmax [2, 700]", device, 5, xs -> xs[0].softmax(-1), xs -> ref(xs[0], 1, false), x);
        GradCheck.check("log_softmax [2, 700]", device, 6, xs -> xs[0].logSoftmax(-1), xs -> ref(xs[0], 1, true), x);
        long[] t = {699, 3};
        double[] w = Nd.randnPositive(new Random(7), 0.1, 700).v;
        Tensor wt = Nd.randnPositive(new Random(7), 0.1, 700).tensor(device);
        GradCheck.check("cross_entropy [2, 700]", device, 8, xs -> Functional.crossEntropy(xs[0], LossesTest.longs(device, t),
                wt, -100, "mean", 0.3f), xs -> LossesTest.refClassLoss(xs[0], t, w, -100, 0.3, "mean", true), x);
    }

    @ParameterizedTest
    @DevicesSource
    void largeLogitsInfinitiesAndNaN(Device device) {
        double inf = Double.POSITIVE_INFINITY;
        int[] s = {6, 4};
        Nd x = nd(s,
                1e4, -1e4, 1e4 - 3, -1e4 + 1,     // ±1e4
                -inf, 0.5, -inf, -1,              // -Inf entries
                -inf, -inf, -inf, -inf,           // all -Inf: NaN
                2, inf, 0, 1,                     // +Inf: NaN, as exp(x - amax)
                1, Double.NaN, 3, 4,              // NaN: NaN
                -1e4, -1e4, -1e4, -1e4 + 1e-1);   // all large negative
        for (boolean log : new boolean[] {false, true}) {
            String what = log ? "log_softmax" : "softmax";
            Tensor y = log ? x.tensor(device).logSoftmax(1) : x.tensor(device).softmax(1);
            assertClose(what + " with ±1e4, ±Inf and NaN", y, ref(x, 1, log), log ? 1e4 : 0);
            // the same along dim 0 of the transpose: the strided path
            Tensor yt = log ? x.tensor(device).t().logSoftmax(0) : x.tensor(device).t().softmax(0);
            assertClose(what + " along dim 0", yt.t(), ref(x, 1, log), log ? 1e4 : 0);
        }
        // cross_entropy: -Inf at other classes is harmless, at the target the loss is +Inf; NaN spreads
        Nd ce = nd(new int[] {3, 3}, 1e4, -1e4, 0, -inf, 2, -inf, 1, 2, -inf);
        long[] t = {1, 1, 2};
        // (LossesTest's reference would add 0·∞ for the smoothing term it does not skip at ε = 0)
        assertClose("cross_entropy none", Functional.crossEntropy(ce.tensor(device), LossesTest.longs(device, t), null,
                -100, "none", 0f), nd(new int[] {3}, 2e4, 0, inf), 1e-3);
        Tensor nan = Functional.crossEntropy(x.tensor(device), LossesTest.longs(device, 0, 1, 2, 3, 0, 1));
        assertTrue(Float.isNaN(nan.item()), "a NaN row makes the mean NaN");
        // gradient at a -Inf logit is 0; at a finite one softmax - onehot
        Tensor leaf = nd(new int[] {1, 3}, -inf, 0, 1).tensor(device).requiresGrad(true);
        Functional.crossEntropy(leaf, LossesTest.longs(device, 2)).backward();
        float[] g = leaf.grad().toFloatArray();
        double e = Math.exp(-1);
        assertEquals(0f, g[0]);
        assertEquals(e / (1 + e), g[1], 1e-6);
        assertEquals(-e / (1 + e), g[2], 1e-6);
    }

    @ParameterizedTest
    @DevicesSource(meta = true)
    void emptyAndSizeOneShapes(Device device) {
        boolean meta = device.isMeta();
        // N = 0: an empty output; "mean" is 0/0 = NaN and "sum" 0, as PyTorch; the gradient is empty
        Tensor empty = Tensor.randn(device, 0, 5).requiresGrad(true);
        assertArrayEquals(new int[] {0, 5}, empty.softmax(1).shape());
        assertArrayEquals(new int[] {0}, Functional.crossEntropy(empty, LossesTest.longs(device), null, -100, "none", 0f).shape());
        Tensor mean = Functional.crossEntropy(empty, LossesTest.longs(device));
        mean.backward();
        assertArrayEquals(new int[] {0, 5}, empty.grad().shape());
        // empty rows along dim: an empty output
        assertArrayEquals(new int[] {3, 0}, Tensor.randn(device, 3, 0).logSoftmax(1).shape());
        assertArrayEquals(new int[0], Tensor.randn(device).softmax(0).shape());
        if (meta) {
            return;
        }
        assertTrue(Float.isNaN(mean.item()));
        assertEquals(0f, Functional.crossEntropy(empty, LossesTest.longs(device), null, -100, "sum", 0f).item());
        // a 0-d input: softmax 1, log_softmax 0
        assertEquals(1f, Tensor.scalar(-3.5f).to(device).softmax(-1).item());
        assertEquals(0f, Tensor.scalar(7f).to(device).logSoftmax(0).item());
        // C = 1: softmax 1, loss 0 and gradient 0 whatever the logit (and ε)
        Nd one = nd(new int[] {3, 1}, 2.5, -1e4, 0);
        Approx.assertClose("softmax C = 1", one.tensor(device).softmax(1), nd(new int[] {3, 1}, 1, 1, 1));
        Tensor x1 = one.tensor(device).requiresGrad(true);
        Tensor l1 = Functional.crossEntropy(x1, LossesTest.longs(device, 0, 0, 0), null, -100, "sum", 0.4f);
        assertEquals(0f, l1.item());
        l1.backward();
        assertArrayEquals(new float[3], x1.grad().toFloatArray(), 1e-7f); // 1·1 - 0.6 - 0.4, rounded
    }

    @ParameterizedTest
    @DevicesSource
    void crossEntropyOptionsAndGradients(Device device) {
        Random rng = new Random(12);
        Nd x = Nd.randn(rng, 6, 70).map(v -> (float) (3 * v));
        long[] t = {5, -100, 69, 0, 7, 5};
        double[] w = Nd.randnPositive(rng, 0.2, 70).v;
        Tensor wt = new Nd(w, 70).tensor(device);
        for (String red : new String[] {"none", "sum", "mean"}) {
            for (double eps : new double[] {0, 0.15, 1}) {
                String what = "cross_entropy " + red + " ε " + eps;
                Nd ref = LossesTest.refClassLoss(x, t, w, -100, eps, red, true);
                Approx.assertClose(what, Functional.crossEntropy(x.tensor(device), LossesTest.longs(device, t), wt, -100,
                        red, (float) eps), ref, ref.map(Math::abs).map(v -> v + 1e-3));
                GradCheck.check(what, device, (long) (eps * 100) + red.length(), xs -> Functional.crossEntropy(xs[0],
                        LossesTest.longs(device, t), wt, -100, red, (float) eps),
                        xs -> LossesTest.refClassLoss(xs[0], t, w, -100, eps, red, true), x);
            }
        }
    }

    // ------------------------------------------------------------ cpu against emulated cuda

    /** Shapes and dims chosen so that CUDA shares a row among 1, 2, 16, 128 and 256 threads, or walks columns. */
    private static final int[][] SHAPES = {{7, 3}, {5, 10}, {4, 100}, {3, 1000}, {2, 5000}, {4, 6, 5}, {40000, 3}};

    @Test
    @RequiresCuda
    void cpuAndCudaAgree() {
        Device gpu = Device.cuda(0);
        Random rng = new Random(77);
        for (int[] shape : SHAPES) {
            Nd x = Nd.randn(rng, shape).map(v -> (float) (5 * v));
            x.v[x.numel() / 2] = Double.NEGATIVE_INFINITY;
            Nd g = Nd.randn(rng, shape);
            for (int dim = 0; dim < shape.length; dim++) {
                for (boolean log : new boolean[] {false, true}) {
                    String what = (log ? "log_softmax " : "softmax ") + Arrays.toString(shape) + " dim " + dim;
                    Tensor[] cpu = softmaxWithGrad(x, g, dim, log, Device.CPU);
                    Tensor[] cuda = softmaxWithGrad(x, g, dim, log, gpu);
                    assertNear(what, cpu[0], cuda[0]);
                    assertNear(what + " gradient", cpu[1], cuda[1]);
                }
            }
            if (shape.length == 2) {
                int c = shape[1];
                long[] t = new long[shape[0]];
                for (int i = 0; i < t.length; i++) {
                    t[i] = i % 5 == 4 ? -100 : rng.nextInt(c);
                }
                Nd w = Nd.randnPositive(rng, 0.1, c);
                for (float eps : new float[] {0f, 0.1f}) {
                    String what = "cross_entropy " + Arrays.toString(shape) + " ε " + eps;
                    Tensor[] cpu = crossEntropyWithGrad(x, t, w, eps, Device.CPU);
                    Tensor[] cuda = crossEntropyWithGrad(x, t, w, eps, gpu);
                    assertNear(what, cpu[0], cuda[0]);
                    assertNear(what + " gradient", cpu[1], cuda[1]);
                }
            }
        }
    }

    private static Tensor[] softmaxWithGrad(Nd x, Nd g, int dim, boolean log, Device device) {
        Tensor leaf = x.tensor(device).requiresGrad(true);
        Tensor y = log ? leaf.logSoftmax(dim) : leaf.softmax(dim);
        y.backward(g.tensor(device), false);
        return new Tensor[] {y.detach(), leaf.grad()};
    }

    private static Tensor[] crossEntropyWithGrad(Nd x, long[] t, Nd w, float eps, Device device) {
        Tensor leaf = x.tensor(device).requiresGrad(true);
        Tensor loss = Functional.crossEntropy(leaf, LossesTest.longs(device, t), w.tensor(device), -100, "none", eps);
        loss.sum().backward();
        return new Tensor[] {loss.detach(), leaf.grad()};
    }

    /** Within a few ulps, relative to each value and to the array's rms (the order of sums differs). */
    private static void assertNear(String what, Tensor cpu, Tensor cuda) {
        float[] a = cpu.toFloatArray();
        float[] b = cuda.toFloatArray();
        assertEquals(a.length, b.length, what);
        double rms = 0;
        int finite = 0;
        for (float v : a) {
            if (Float.isFinite(v)) {
                rms += (double) v * v;
                finite++;
            }
        }
        rms = finite == 0 ? 0 : Math.sqrt(rms / finite);
        for (int i = 0; i < a.length; i++) {
            boolean ok = Float.isNaN(a[i]) ? Float.isNaN(b[i])
                    : Float.isInfinite(a[i]) ? a[i] == b[i]
                    : Math.abs(a[i] - b[i]) <= 1e-6 * (Math.abs(a[i]) + rms);
            if (!ok) {
                fail(what + ": element " + i + " is " + a[i] + " on the cpu and " + b[i] + " on cuda");
            }
        }
    }

    // ------------------------------------------------------------ meta, errors, launches

    @Test
    void metaShapes() {
        Tensor x = Tensor.randn(Device.META, 2, 3, 4).requiresGrad(true);
        assertArrayEquals(new int[] {2, 3, 4}, x.softmax(0).shape());
        Tensor y = x.logSoftmax(-1);
        assertArrayEquals(new int[] {2, 3, 4}, y.shape());
        y.sum().backward();
        assertArrayEquals(new int[] {2, 3, 4}, x.grad().shape());
        Tensor logits = Tensor.randn(Device.META, 5, 7).requiresGrad(true);
        Tensor target = LossesTest.longs(Device.META, 1, 2, 3, 4, 6);
        assertArrayEquals(new int[] {5}, Functional.crossEntropy(logits, target, null, -100, "none", 0.1f).shape());
        Tensor loss = Functional.crossEntropy(logits, target);
        assertArrayEquals(new int[0], loss.shape());
        loss.backward();
        assertArrayEquals(new int[] {5, 7}, logits.grad().shape());
        assertEquals(DType.FLOAT32, logits.grad().dtype());
    }

    @ParameterizedTest
    @DevicesSource(meta = true)
    void errorsAreTypedAndChangeNothing(Device device) {
        Tensor ints = LossesTest.longs(device, 1, 2, 3);
        DTypeMismatchException d = assertThrows(DTypeMismatchException.class, () -> ints.softmax(0));
        assertEquals("softmax", d.op());
        assertEquals("log_softmax", assertThrows(DTypeMismatchException.class, () -> ints.logSoftmax(0)).op());
        Tensor x = Tensor.randn(device, 3, 4);
        IllegalArgumentException dim = assertThrows(IllegalArgumentException.class, () -> x.logSoftmax(2));
        assertTrue(dim.getMessage().startsWith("log_softmax: dimension 2"), dim.getMessage());
        // class weights take no gradient, as PyTorch: backward says so
        Tensor w = Tensor.ones(device, 4).requiresGrad(true);
        Tensor loss = Functional.crossEntropy(x, LossesTest.longs(device, 0, 1, 2), w, -100, "mean", 0f);
        UnsupportedOperationException u = assertThrows(UnsupportedOperationException.class, loss::backward);
        assertTrue(u.getMessage().contains("cross_entropy") && u.getMessage().contains("weight"), u.getMessage());
        if (!device.isCuda()) {
            return;
        }
        DeviceMismatchException m = assertThrows(DeviceMismatchException.class,
                () -> Functional.crossEntropy(x, LossesTest.longs(Device.CPU, 0, 1, 2)));
        assertEquals("cross_entropy", m.op());
        // an out-of-range target is refused before anything is allocated or launched on the device
        Counters.Snapshot after = Placement.of(() -> assertThrows(IndexOutOfRangeException.class,
                () -> Functional.crossEntropy(x, LossesTest.longs(Device.CPU, 0, 9, 1).to(device)).close())).on(device);
        assertEquals(1, after.allocations(), "only the targets' copy to the device: " + after);
        assertEquals(0, after.launches(), after.toString());
    }

    @ParameterizedTest
    @DevicesSource
    void aTrainingStepLaunchesAFewKernelsWhateverTheSize(Device device) {
        long small = crossEntropyStepLaunches(device, 8, 10);
        long large = crossEntropyStepLaunches(device, 300, 2000);
        assertEquals(small, large, "launches of a cross_entropy forward and backward depend on the size");
        // forward: the fused kernel, two sums and the division ("mean"); backward: the seed, the
        // division of the gradient, the fused backward kernel
        assertEquals(7, small, "launches of a cross_entropy forward and backward");
    }

    /**
     * Class indices are validated on the host (the documented exception to "no copy to the host"):
     * a CUDA training step through the modules (linear, weighted and smoothed CrossEntropyLoss,
     * backward, SGD with momentum) copies exactly the targets back, N·8 bytes, and nothing else, so
     * that any other hidden device-to-host copy fails here. Two steps: the second has momentum buffers.
     * The same for the composed NLLLoss after log_softmax.
     */
    @Test
    @RequiresCuda
    void aCudaTrainingStepCopiesOnlyTheTargetsToTheHost() {
        Device cuda = Device.cuda(0);
        int n = 37;
        Tensor.manualSeed(11);
        Linear model = new Linear(8, 5).to(cuda);
        Tensor w = Tensor.rand(5).add(0.5f);
        CrossEntropyLoss ce = new CrossEntropyLoss(w, -100, "mean", 0.1f).to(cuda);
        NLLLoss nll = new NLLLoss(w, -100, "mean").to(cuda);
        SGD opt = new SGD(model.parameters(), 0.1f, 0.9f);
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            t[i] = i % 7 == 3 ? -100 : (3L * i) % 5;
        }
        Tensor x = Tensor.randn(cuda, n, 8);
        Tensor target = LossesTest.longs(cuda, t);
        for (int step = 0; step < 4; step++) {
            boolean fused = step < 2;
            Counters.Snapshot s = Placement.of(() -> {
                opt.zeroGrad();
                Tensor logits = model.forward(x);
                Tensor loss = fused ? ce.forward(logits, target) : nll.forward(logits.logSoftmax(1), target);
                loss.backward();
                opt.step();
            }).on(cuda);
            assertEquals(8L * n, s.bytesDeviceToHost(),
                    "step " + step + " (" + (step < 2 ? "cross_entropy" : "nll_loss")
                    + "): bytes copied to the host besides the targets");
        }
    }

    private static long crossEntropyStepLaunches(Device device, int n, int c) {
        Tensor x = Tensor.randn(device, n, c).requiresGrad(true);
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            t[i] = (7L * i) % c;
        }
        Tensor target = LossesTest.longs(device, t);
        Tensor w = Tensor.rand(device, c);
        return Placement.of(() -> Functional.crossEntropy(x, target, w, -100, "mean", 0.1f).backward()).on(device)
                .launches();
    }
}
