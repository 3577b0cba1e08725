package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;

/**
 * Checks tensorj's analytic gradients against central finite differences of a double-precision
 * reference. For {@code y = f(x1, ..., xn)} and a random weighting {@code w} of y's shape, the
 * scalar {@code L = Σ w·y} is differentiated both ways: tensorj's {@code backward()} on float32
 * tensors, and {@code (L(x+h) - L(x-h)) / 2h} on the reference in double (error ~1e-9, far below
 * float32's rounding), so any difference is tensorj's.
 */
final class GradCheck {
    /** float32 gradients carry a few ulps per term; a wrong rule is off by O(1). */
    static final double RTOL = 1e-5;

    interface TensorFn {
        Tensor apply(Tensor... xs);
    }

    interface RefFn {
        Nd apply(Nd... xs);
    }

    private GradCheck() {}

    /** Inputs created on {@code device}; see the class comment. */
    static void check(String what, Device device, long seed, TensorFn f, RefFn ref, Nd... inputs) {
        Tensor[] xs = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            xs[i] = inputs[i].tensor(device).requiresGrad(true);
        }
        check(what, xs, seed, f, ref, inputs);
    }

    /** As above with the leaves given (already {@code requiresGrad}, holding {@code inputs}' values). */
    static void check(String what, Tensor[] leaves, long seed, TensorFn f, RefFn ref, Nd... inputs) {
        Nd out = ref.apply(inputs);
        Nd w = Nd.randn(new Random(seed), out.shape);
        Tensor y = f.apply(leaves);
        assertArrayEquals(out.shape, y.shape(), what + ": output shape");
        y.mul(w.tensor(y.device())).sum().backward();
        for (int i = 0; i < inputs.length; i++) {
            String name = what + ": d/d(input " + i + " " + Arrays.toString(inputs[i].shape) + ")";
            assertNotNull(leaves[i].grad(), name + ": no gradient");
            assertGradClose(name, leaves[i].grad(), numericGrad(ref, w, inputs, i));
        }
    }

    /** ∂(Σ w·ref(inputs)) / ∂inputs[which] by central differences, in double. */
    static Nd numericGrad(RefFn ref, Nd w, Nd[] inputs, int which) {
        Nd[] args = inputs.clone();
        Nd x = inputs[which].copy();
        args[which] = x;
        double[] g = new double[x.numel()];
        for (int j = 0; j < g.length; j++) {
            double orig = x.v[j];
            double h = 1e-6 * Math.max(1, Math.abs(orig));
            double xp = orig + h;
            double xm = orig - h;
            x.v[j] = xp;
            double lp = weighted(ref.apply(args), w);
            x.v[j] = xm;
            double lm = weighted(ref.apply(args), w);
            x.v[j] = orig;
            g[j] = (lp - lm) / (xp - xm);
        }
        return new Nd(g, x.shape);
    }

    private static double weighted(Nd y, Nd w) {
        double s = 0;
        for (int i = 0; i < y.numel(); i++) {
            s += y.v[i] * w.v[i];
        }
        return s;
    }

    /** Shape equal and {@code |g - ref| <= RTOL·(|ref| + rms(ref))} everywhere. */
    static void assertGradClose(String what, Tensor grad, Nd ref) {
        assertArrayEquals(ref.shape, grad.shape(), what + ": gradient shape");
        float[] g = grad.toFloatArray();
        double rms = 0;
        for (double r : ref.v) {
            rms += r * r;
        }
        rms = ref.numel() == 0 ? 0 : Math.sqrt(rms / ref.numel());
        for (int i = 0; i < g.length; i++) {
            double r = ref.v[i];
            if (!(Math.abs(g[i] - r) <= RTOL * (Math.abs(r) + rms))) {
                fail(what + ": element " + i + " is " + g[i] + ", finite differences give " + r
                        + " (rms " + rms + ")");
            }
        }
    }
}
