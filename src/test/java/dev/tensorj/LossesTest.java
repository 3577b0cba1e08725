package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.junit.DevicesSource;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * softmax, log_softmax and the losses against double-precision references written from PyTorch's
 * formulas, values and finite-difference gradients, on every device (shapes only on meta).
 */
class LossesTest {
    private static boolean meta(Device device) {
        return device.type() == Device.Type.META;
    }

    // ------------------------------------------------------------ references

    static Nd refLogSoftmax(Nd x) { // along dim 1 of [N, C]
        int n = x.shape[0];
        int c = x.shape[1];
        double[] out = new double[n * c];
        for (int i = 0; i < n; i++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) {
                m = Math.max(m, x.v[i * c + j]);
            }
            double s = 0;
            for (int j = 0; j < c; j++) {
                s += Math.exp(x.v[i * c + j] - m);
            }
            for (int j = 0; j < c; j++) {
                out[i * c + j] = x.v[i * c + j] - m - Math.log(s);
            }
        }
        return new Nd(out, n, c);
    }

    static Nd refSoftmax(Nd x) {
        return refLogSoftmax(x).map(Math::exp);
    }

    static Nd reduce(double[] per, String reduction, double denom, int... noneShape) {
        if (reduction.equals("none")) {
            return new Nd(per, noneShape);
        }
        double s = 0;
        for (double v : per) {
            s += v;
        }
        return new Nd(new double[] {reduction.equals("sum") ? s : s / denom});
    }

    /** PyTorch's cross_entropy with class indices (logSoftmax false: nll_loss on x itself). */
    static Nd refClassLoss(Nd x, long[] t, double[] w, long ignore, double eps, String reduction, boolean logSoftmax) {
        Nd lp = logSoftmax ? refLogSoftmax(x) : x;
        int n = x.shape[0];
        int c = x.shape[1];
        double[] per = new double[n];
        double wsum = 0;
        for (int i = 0; i < n; i++) {
            if (t[i] == ignore) {
                continue;
            }
            double wt = w == null ? 1 : w[(int) t[i]];
            wsum += wt;
            double smooth = 0;
            for (int j = 0; j < c; j++) {
                smooth -= (w == null ? 1 : w[j]) * lp.v[i * c + j];
            }
            per[i] = (1 - eps) * (-wt * lp.v[i * c + (int) t[i]]) + eps / c * smooth;
        }
        return reduce(per, reduction, wsum, n);
    }

    static Nd refProbLoss(Nd x, Nd y, double[] w, double eps, String reduction) {
        Nd lp = refLogSoftmax(x);
        int n = x.shape[0];
        int c = x.shape[1];
        double[] per = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < c; j++) {
                double yy = y.v[i * c + j] * (1 - eps) + eps / c;
                per[i] -= (w == null ? 1 : w[j]) * yy * lp.v[i * c + j];
            }
        }
        return reduce(per, reduction, n, n);
    }

    interface Pointwise {
        double apply(double x, double y, int i);
    }

    static Nd refPointwise(Nd x, Nd y, String reduction, Pointwise f) {
        double[] per = new double[x.numel()];
        for (int i = 0; i < per.length; i++) {
            per[i] = f.apply(x.v[i], y.v[i], i);
        }
        return reduce(per, reduction, per.length, x.shape);
    }

    static Tensor longs(Device device, long... v) {
        return Tensor.of(v, v.length).to(device);
    }

    static Tensor floats(Device device, double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return Tensor.of(f, v.length).to(device);
    }

    // ------------------------------------------------------------ softmax

    @ParameterizedTest
    @DevicesSource(meta = true)
    void softmaxAndLogSoftmax(Device device) {
        if (meta(device)) {
            Tensor m = Tensor.randn(Device.META, 2, 3, 4);
            assertArrayEquals(new int[] {2, 3, 4}, m.softmax(1).shape());
            assertArrayEquals(new int[] {2, 3, 4}, Functional.logSoftmax(m, -1).shape());
            return;
        }
        Nd x = Nd.randn(new Random(1), 4, 5).map(v -> 3 * v);
        Approx.assertClose("softmax", x.tensor(device).softmax(1), refSoftmax(x));
        Approx.assertClose("log_softmax", Functional.logSoftmax(x.tensor(device), -1), refLogSoftmax(x), x.map(Math::abs));
        GradCheck.check("softmax", device, 2, xs -> xs[0].softmax(1), xs -> refSoftmax(xs[0]), x);
        GradCheck.check("log_softmax", device, 3, xs -> xs[0].logSoftmax(1), xs -> refLogSoftmax(xs[0]), x);
        // along dim 0: transpose the reference
        Tensor s0 = x.tensor(device).softmax(0).t();
        Approx.assertClose("softmax dim 0", s0, refSoftmax(new Nd(transpose(x), 5, 4)));
    }

    static double[] transpose(Nd x) {
        int r = x.shape[0];
        int c = x.shape[1];
        double[] out = new double[r * c];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                out[j * r + i] = x.v[i * c + j];
            }
        }
        return out;
    }

    @ParameterizedTest
    @DevicesSource(meta = true)
    void softmaxIsStableAndMinusInfRowsAreNaN(Device device) {
        if (meta(device)) {
            return;
        }
        float inf = Float.NEGATIVE_INFINITY;
        Nd big = new Nd(new double[] {1e4, -1e4, 1e4 - 1, -1e4, -1e4 + 2, -1e4 + 1}, 2, 3);
        Approx.assertClose("softmax ±1e4", big.tensor(device).softmax(1), refSoftmax(big));
        Approx.assertClose("log_softmax ±1e4", big.tensor(device).logSoftmax(1), refLogSoftmax(big), big.map(Math::abs));
        Tensor x = Tensor.of(new float[] {inf, inf, inf, 0f, inf, 1f}, 2, 3).to(device);
        float[] s = x.softmax(1).toFloatArray();
        for (int j = 0; j < 3; j++) {
            assertTrue(Float.isNaN(s[j]), "all -Inf row: NaN, as PyTorch, got " + s[j]);
        }
        assertEquals(0f, s[4]);
        assertEquals((float) (1 / (1 + Math.E)), s[3], 1e-6f);
        // cross_entropy with ±1e4 logits stays finite
        Tensor ce = Functional.crossEntropy(big.tensor(device), longs(device, 1, 0));
        Approx.assertClose("cross_entropy ±1e4", ce, refClassLoss(big, new long[] {1, 0}, null, -100, 0, "mean", true),
                new Nd(new double[] {1e4}));
    }

    // ------------------------------------------------------------ cross entropy and nll

    @ParameterizedTest
    @DevicesSource(meta = true)
    void crossEntropyWithClassIndices(Device device) {
        long[] t = {2, -100, 0, 3, 2};
        double[] w = {0.5, 2.0, 1.5, 0.25};
        if (meta(device)) {
            Tensor m = Tensor.randn(Device.META, 5, 4);
            assertArrayEquals(new int[0], Functional.crossEntropy(m, longs(Device.META, t)).shape());
            assertArrayEquals(new int[] {5},
                    Functional.crossEntropy(m, longs(Device.META, t), null, -100, "none", 0.1f).shape());
            return;
        }
        Nd x = Nd.randn(new Random(4), 5, 4);
        for (String red : new String[] {"mean", "sum", "none"}) {
            for (double eps : new double[] {0, 0.2}) {
                for (boolean weighted : new boolean[] {false, true}) {
                    String what = "cross_entropy " + red + " eps " + eps + (weighted ? " weighted" : "");
                    Tensor wt = weighted ? floats(device, w) : null;
                    double[] wr = weighted ? w : null;
                    Nd ref = refClassLoss(x, t, wr, -100, eps, red, true);
                    Approx.assertClose(what, Functional.crossEntropy(x.tensor(device), longs(device, t), wt, -100,
                            red, (float) eps), ref, ref.map(Math::abs).map(v -> v + 1e-3));
                    GradCheck.check(what, device, 5, xs -> Functional.crossEntropy(xs[0], longs(device, t), wt, -100,
                            red, (float) eps), xs -> refClassLoss(xs[0], t, wr, -100, eps, red, true), x);
                }
            }
        }
        // a custom ignore index inside [0, C)
        long[] t2 = {1, 1, 0, 3, 2};
        Approx.assertClose("ignore_index 1", Functional.crossEntropy(x.tensor(device), longs(device, t2), null, 1, "mean", 0f),
                refClassLoss(x, t2, null, 1, 0, "mean", true));
        // default overload = mean, ignore -100
        Approx.assertClose("default", Functional.crossEntropy(x.tensor(device), longs(device, t)),
                refClassLoss(x, t, null, -100, 0, "mean", true));
        // every target ignored: 0/0 = NaN for mean, as PyTorch
        assertTrue(Float.isNaN(Functional.crossEntropy(x.tensor(device), longs(device, -100, -100, -100, -100, -100)).item()));
    }

    @ParameterizedTest
    @DevicesSource(meta = true)
    void crossEntropyWithProbabilitiesAndNll(Device device) {
        if (meta(device)) {
            Tensor m = Tensor.randn(Device.META, 3, 4);
            assertArrayEquals(new int[] {3}, Functional.crossEntropy(m, Tensor.rand(Device.META, 3, 4), null, -100, "none",
                    0f).shape());
            return;
        }
        Random rng = new Random(9);
        Nd x = Nd.randn(rng, 3, 4);
        Nd y = refSoftmax(Nd.randn(rng, 3, 4)).map(v -> (float) v);
        double[] w = {1.0, 0.5, 3.0, 2.0};
        for (String red : new String[] {"mean", "sum", "none"}) {
            Tensor wt = floats(device, w);
            Approx.assertClose("probabilities " + red, Functional.crossEntropy(x.tensor(device), y.tensor(device), wt, -100,
                    red, 0.1f), refProbLoss(x, y, w, 0.1, red));
            GradCheck.check("probabilities " + red, device, 10, xs -> Functional.crossEntropy(xs[0], xs[1], wt, -100, red,
                    0.1f), xs -> refProbLoss(xs[0], xs[1], w, 0.1, red), x, y);
        }
        Nd lp = refLogSoftmax(x).map(v -> (float) v);
        long[] t = {3, 0, 3};
        for (String red : new String[] {"mean", "sum", "none"}) {
            Tensor wt = floats(device, w);
            Approx.assertClose("nll " + red, Functional.nllLoss(lp.tensor(device), longs(device, t), wt, -100, red),
                    refClassLoss(lp, t, w, -100, 0, red, false));
            GradCheck.check("nll " + red, device, 11, xs -> Functional.nllLoss(xs[0], longs(device, t), wt, 0, red),
                    xs -> refClassLoss(xs[0], t, w, 0, 0, red, false), lp);
        }
        Approx.assertClose("nll default", Functional.nllLoss(lp.tensor(device), longs(device, t)),
                refClassLoss(lp, t, null, -100, 0, "mean", false));
    }

    // ------------------------------------------------------------ pointwise losses

    @ParameterizedTest
    @DevicesSource(meta = true)
    void pointwiseLosses(Device device) {
        if (meta(device)) {
            Tensor a = Tensor.randn(Device.META, 2, 3);
            assertArrayEquals(new int[] {2, 3}, Functional.l1Loss(a, a, "none").shape());
            assertArrayEquals(new int[0], Functional.binaryCrossEntropyWithLogits(a, a).shape());
            return;
        }
        Random rng = new Random(21);
        Nd x = Nd.randnAwayFromZero(rng, 0.05, 3, 4).map(v -> (float) (2 * v));
        Nd y = Nd.randn(rng, 3, 4);
        Nd yb = Nd.randn(rng, 3, 4).map(v -> (float) (1 / (1 + Math.exp(-v)))); // targets in (0, 1)
        Nd p = Nd.randn(rng, 3, 4).map(v -> (float) (1 / (1 + Math.exp(-v)))); // probabilities
        double[] pw = {0.5, 2.0, 1.0, 3.0}; // pos_weight [4], one per column
        double[] bw = {0.25, 1.5, 0.75}; // weight [3, 1], one per row
        for (String red : new String[] {"mean", "sum", "none"}) {
            Pointwise l1 = (a, b, i) -> Math.abs(a - b);
            Pointwise mse = (a, b, i) -> (a - b) * (a - b);
            Pointwise huber = (a, b, i) -> Math.abs(a - b) < 0.7 ? 0.5 * (a - b) * (a - b) : 0.7 * (Math.abs(a - b) - 0.35);
            Pointwise smooth = (a, b, i) -> Math.abs(a - b) < 0.7 ? 0.5 * (a - b) * (a - b) / 0.7 : Math.abs(a - b) - 0.35;
            Pointwise bcel = (a, b, i) -> {
                double lw = 1 + (pw[i % 4] - 1) * b;
                return (1 - b) * a + lw * (Math.log1p(Math.exp(-Math.abs(a))) + Math.max(-a, 0));
            };
            Pointwise weightedBcel = (a, b, i) -> bw[i / 4] * bcel.apply(a, b, i);
            Pointwise bce = (a, b, i) -> -(b * Math.max(Math.log(a), -100) + (1 - b) * Math.max(Math.log(1 - a), -100));
            check(device, "l1 " + red, xs -> Functional.l1Loss(xs[0], xs[1], red), red, l1, x, y);
            check(device, "mse " + red, xs -> Functional.mseLoss(xs[0], xs[1], red), red, mse, x, y);
            check(device, "huber " + red, xs -> Functional.huberLoss(xs[0], xs[1], red, 0.7f), red, huber, x, y);
            check(device, "smooth_l1 " + red, xs -> Functional.smoothL1Loss(xs[0], xs[1], red, 0.7f), red, smooth, x, y);
            Tensor pwt = floats(device, pw);
            check(device, "bce_with_logits " + red, xs -> Functional.binaryCrossEntropyWithLogits(xs[0], xs[1], null, red,
                    pwt), red, bcel, x, yb);
            Tensor bwt = Tensor.of(new float[] {0.25f, 1.5f, 0.75f}, 3, 1).to(device);
            check(device, "bce_with_logits weight and pos_weight " + red, xs -> Functional.binaryCrossEntropyWithLogits(
                    xs[0], xs[1], bwt, red, pwt), red, weightedBcel, x, yb);
            check(device, "bce " + red, xs -> Functional.binaryCrossEntropy(xs[0], xs[1], red), red, bce, p, yb);
        }
        // huge logits stay finite; log clamped at -100 for p = 0 and 1
        Nd huge = new Nd(new double[] {1e4, -1e4, 80, -80}, 4);
        Nd t = new Nd(new double[] {0, 1, 0.25, 1}, 4);
        Approx.assertClose("bce_with_logits ±1e4", Functional.binaryCrossEntropyWithLogits(huge.tensor(device),
                t.tensor(device), null, "none", null), new Nd(new double[] {1e4, 1e4, 60, 80}, 4));
        Nd pe = new Nd(new double[] {0, 1, 0, 1}, 4);
        Nd te = new Nd(new double[] {1, 0, 0.5, 0.5}, 4);
        Approx.assertClose("bce clamped", Functional.binaryCrossEntropy(pe.tensor(device), te.tensor(device), "none"),
                new Nd(new double[] {100, 100, 50, 50}, 4));
        assertEquals(Functional.huberLoss(x.tensor(device), y.tensor(device), "mean", 1f).item(),
                Functional.huberLoss(x.tensor(device), y.tensor(device)).item());
        assertEquals(Functional.l1Loss(x.tensor(device), y.tensor(device), "mean").item(),
                Functional.smoothL1Loss(x.tensor(device), y.tensor(device), "mean", 0f).item(), 1e-6f);
    }

    private static void check(Device device, String what, GradCheck.TensorFn f, String red, Pointwise ref, Nd a, Nd b) {
        Approx.assertClose(what, f.apply(a.tensor(device), b.tensor(device)), refPointwise(a, b, red, ref));
        GradCheck.check(what, device, what.hashCode(), f, xs -> refPointwise(xs[0], xs[1], red, ref), a, b);
    }

    // ------------------------------------------------------------ errors

    @ParameterizedTest
    @DevicesSource(meta = true)
    void errorsAreTypedAndNamed(Device device) {
        Tensor x = Tensor.randn(3, 4).to(device);
        DTypeMismatchException d = assertThrows(DTypeMismatchException.class,
                () -> Functional.nllLoss(x, Tensor.of(new float[] {0f, 1f, 2f}, 3).to(device)));
        assertEquals("nll_loss", d.op());
        assertThrows(DTypeMismatchException.class, () -> Functional.crossEntropy(x, Tensor.of(new boolean[] {true, false, true},
                3).to(device)));
        ShapeMismatchException s = assertThrows(ShapeMismatchException.class,
                () -> Functional.crossEntropy(x, longs(device, 0, 1)));
        assertEquals("cross_entropy", s.op());
        assertThrows(ShapeMismatchException.class, () -> Functional.crossEntropy(x, Tensor.rand(3, 5).to(device)));
        assertThrows(ShapeMismatchException.class, () -> Functional.crossEntropy(x, longs(device, 0, 1, 2),
                Tensor.ones(3).to(device), -100, "mean", 0f));
        assertThrows(ShapeMismatchException.class, () -> Functional.l1Loss(x, Tensor.randn(4, 3).to(device)));
        s = assertThrows(ShapeMismatchException.class, () -> Functional.binaryCrossEntropyWithLogits(x, x, null, "mean",
                Tensor.ones(2, 3, 4).to(device)));
        assertEquals("binary_cross_entropy_with_logits", s.op());
        assertTrue(s.getMessage().contains("pos_weight [2, 3, 4]") && s.getMessage().contains("[3, 4]"), s.getMessage());
        s = assertThrows(ShapeMismatchException.class, () -> Functional.binaryCrossEntropyWithLogits(x, x,
                Tensor.ones(3).to(device), "mean", null));
        assertTrue(s.getMessage().contains("weight [3]"), s.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Functional.mseLoss(x, x, "avg"));
        assertThrows(IllegalArgumentException.class, () -> Functional.crossEntropy(x, longs(device, 0, 1, 2), null, -100,
                "mean", 1.5f));
        if (meta(device)) {
            return;
        }
        IndexOutOfRangeException e = assertThrows(IndexOutOfRangeException.class,
                () -> Functional.crossEntropy(x, longs(device, 0, 4, 1)));
        assertEquals("cross_entropy", e.op());
        assertTrue(e.getMessage().contains(" 4 "), e.getMessage());
        e = assertThrows(IndexOutOfRangeException.class, () -> Functional.nllLoss(x, longs(device, 0, -1, 1)));
        assertEquals("nll_loss", e.op());
        assertTrue(Float.isFinite(Functional.crossEntropy(x, longs(device, 0, 3, 1)).item()), "device still usable");
    }
}
