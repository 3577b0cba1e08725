package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.junit.DevicesSource;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * cross_entropy and nll_loss on one sample {@code [C]} and on {@code [N, C, d1, ..., dk]}, as
 * PyTorch defines them: the same loss as the {@code [N, C]} path (tested against double references
 * in LossesTest) on the rows the layout holds, {@code x[n, :, i, j]} being row {@code (n, i, j)},
 * with "none" in the target's shape; values and input gradients compared with the rows computed
 * by hand from the host arrays.
 */
class ClassLossShapesTest {
    private static final int N = 2;
    private static final int C = 3;
    private static final int D1 = 2;
    private static final int D2 = 4;

    /** x [N, C, D1, D2] laid out as rows [N·D1·D2, C], row (n, i, j) = x[n, :, i, j]. */
    private static float[] rows(float[] x) {
        float[] r = new float[x.length];
        for (int n = 0; n < N; n++) {
            for (int c = 0; c < C; c++) {
                for (int p = 0; p < D1 * D2; p++) {
                    r[(n * D1 * D2 + p) * C + c] = x[(n * C + c) * D1 * D2 + p];
                }
            }
        }
        return r;
    }

    @ParameterizedTest
    @DevicesSource
    void kDimensionalInputsAreRowsOfTheirClassDimension(Device device) {
        Random rnd = new Random(7);
        float[] xs = new float[N * C * D1 * D2];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) (rnd.nextGaussian() * 2);
        }
        long[] ts = new long[N * D1 * D2];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = i % 5 == 4 ? -100 : rnd.nextInt(C); // some ignored
        }
        float[] w = {0.5f, 2f, 1.25f};
        float[] ps = new float[xs.length];
        for (int i = 0; i < ps.length; i++) {
            ps[i] = rnd.nextFloat();
        }
        for (String reduction : new String[] {"none", "mean", "sum"}) {
            for (int kind = 0; kind < 3; kind++) { // cross_entropy by index, by probability, nll_loss
                Tensor x = Tensor.of(xs, N, C, D1, D2).to(device).requiresGrad(true);
                Tensor xr = Tensor.of(rows(xs), N * D1 * D2, C).to(device).requiresGrad(true);
                Tensor weight = Tensor.of(w, C).to(device);
                Tensor got;
                Tensor want;
                if (kind == 0) {
                    got = Functional.crossEntropy(x, Tensor.of(ts, N, D1, D2).to(device), weight, -100, reduction, 0.1f);
                    want = Functional.crossEntropy(xr, Tensor.of(ts, ts.length).to(device), weight, -100, reduction, 0.1f);
                } else if (kind == 1) {
                    got = Functional.crossEntropy(x, Tensor.of(ps, N, C, D1, D2).to(device), weight, -100, reduction, 0.1f);
                    want = Functional.crossEntropy(xr, Tensor.of(rows(ps), N * D1 * D2, C).to(device), weight, -100,
                            reduction, 0.1f);
                } else {
                    got = Functional.nllLoss(x, Tensor.of(ts, N, D1, D2).to(device), weight, -100, reduction);
                    want = Functional.nllLoss(xr, Tensor.of(ts, ts.length).to(device), weight, -100, reduction);
                }
                String what = "kind " + kind + ", " + reduction + " on " + device;
                assertArrayEquals(reduction.equals("none") ? new int[] {N, D1, D2} : new int[0], got.shape(), what);
                assertArrayEquals(want.toFloatArray(), got.toFloatArray(), 1e-6f, what);
                Tensor g = Tensor.of(randomLike(rnd, got.numel())).reshape(got.shape()).to(device); // of() reads [] as 1-d
                got.backward(g, false);
                want.backward(Tensor.of(g.toFloatArray()).reshape(want.shape()).to(device), false);
                assertArrayEquals(xr.grad().toFloatArray(), rows(x.grad().toFloatArray()), 1e-6f, what + ": gradient");
            }
        }
    }

    @ParameterizedTest
    @DevicesSource
    void oneSampleIsOneRow(Device device) {
        float[] logits = {1.5f, -0.25f, 3f, 0.5f};
        Tensor x = Tensor.of(logits, 4).to(device);
        Tensor t = Tensor.of(new long[] {2}).reshape().to(device); // a 0-d class index
        Tensor none = Functional.crossEntropy(x, t, null, -100, "none", 0f);
        assertArrayEquals(new int[0], none.shape());
        double lse = 0;
        for (float v : logits) {
            lse += Math.exp(v);
        }
        assertEquals(Math.log(lse) - 3.0, none.item(), 1e-5);
        assertEquals(none.item(), Functional.crossEntropy(x, t).item(), 0f);
        Tensor probs = Tensor.of(new float[] {0.1f, 0.2f, 0.3f, 0.4f}, 4).to(device);
        double ref = 0;
        for (int c = 0; c < 4; c++) {
            ref -= (0.1 + 0.1 * c) * (logits[c] - Math.log(lse));
        }
        assertEquals(ref, Functional.crossEntropy(x, probs).item(), 1e-5);
    }

    @ParameterizedTest
    @DevicesSource
    void aTargetOfAnotherShapeIsRejectedByName(Device device) {
        Tensor x = Tensor.randn(N, C, D1).to(device);
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                () -> Functional.crossEntropy(x, Tensor.zeros(device, DType.INT64, N, D1 + 1)));
        assertTrue(e.getMessage().startsWith("cross_entropy: target [2, 3] does not match input [2, 3, 2]")
                && e.getMessage().contains("must be [2, 2]"), e.getMessage());
        assertThrows(ShapeMismatchException.class,
                () -> Functional.nllLoss(Tensor.randn(device, new int[0]), Tensor.zeros(device, DType.INT64, new int[0])));
    }

    private static float[] randomLike(Random rnd, long n) {
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }
}
