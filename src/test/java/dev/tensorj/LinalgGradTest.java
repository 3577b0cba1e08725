package dev.tensorj;

import static dev.tensorj.GradCheck.check;

import dev.tensorj.junit.DevicesSource;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;

/** Gradients of matmul, linear, mseLoss and a small MLP against finite differences in double. */
class LinalgGradTest {
    @ParameterizedTest
    @DevicesSource
    void matmul(Device device) {
        Random rng = new Random(71);
        for (int[][] c : MatmulTest.CASES) {
            Nd a = Nd.randn(rng, c[0]);
            Nd b = Nd.randn(rng, c[1]);
            check("matmul " + Arrays.toString(c[0]) + " @ " + Arrays.toString(c[1]), device, 1,
                    x -> x[0].matmul(x[1]), r -> RefOps.matmul(r[0], r[1]), a, b);
        }
    }

    @ParameterizedTest
    @DevicesSource
    void matmulOfTransposes(Device device) {
        Random rng = new Random(72);
        Nd a = Nd.randn(rng, 5, 3);
        Nd b = Nd.randn(rng, 4, 5);
        check("aᵀ @ bᵀ", device, 2, x -> x[0].t().matmul(x[1].t()), r -> RefOps.matmul(RefOps.t(r[0]), RefOps.t(r[1])),
                a, b);
    }

    @ParameterizedTest
    @DevicesSource
    void largeMatmulGradientsUseTransposedKernels(Device device) {
        // Too large for finite differences; for L = Σ W·(A·B) by hand: dA = W·Bᵀ, dB = Aᵀ·W. The backward
        // runs the transposed-operand kernels on sizes that take the parallel path.
        Random rng = new Random(76);
        Nd a = Nd.randn(rng, 203, 97);
        Nd b = Nd.randn(rng, 97, 131);
        Nd w = Nd.randn(rng, 203, 131);
        Tensor ta = a.tensor(device).requiresGrad(true);
        Tensor tb = b.tensor(device).requiresGrad(true);
        ta.matmul(tb).mul(w.tensor(device)).sum().backward();
        Approx.assertClose("dA", ta.grad(), RefOps.matmul(w, RefOps.t(b)),
                RefOps.matmul(RefOps.abs(w), RefOps.t(RefOps.abs(b))));
        Approx.assertClose("dB", tb.grad(), RefOps.matmul(RefOps.t(a), w),
                RefOps.matmul(RefOps.t(RefOps.abs(a)), RefOps.abs(w)));
    }

    @ParameterizedTest
    @DevicesSource
    void linear(Device device) {
        Random rng = new Random(73);
        Nd w = Nd.randn(rng, 4, 3);
        Nd b = Nd.randn(rng, 4);
        for (int[] xs : new int[][] {{5, 3}, {3}, {2, 5, 3}}) {
            Nd x = Nd.randn(rng, xs);
            String shape = Arrays.toString(xs);
            // The bias gradient is the sum over the batch: autograd's un-broadcasting, not linear's own code.
            check("linear " + shape, device, 3, t -> Functional.linear(t[0], t[1], t[2]),
                    r -> RefOps.linear(r[0], r[1], r[2]), x, w, b);
            check("linear no bias " + shape, device, 4, t -> Functional.linear(t[0], t[1], null),
                    r -> RefOps.linear(r[0], r[1], null), x, w);
        }
    }

    @ParameterizedTest
    @DevicesSource
    void mseLoss(Device device) {
        Random rng = new Random(74);
        for (int[] s : new int[][] {{6, 1}, {7}, {3, 4}}) {
            check("mseLoss " + Arrays.toString(s), device, 5, t -> Functional.mseLoss(t[0], t[1]),
                    r -> RefOps.mseLoss(r[0], r[1]), Nd.randn(rng, s), Nd.randn(rng, s));
        }
    }

    @ParameterizedTest
    @DevicesSource
    void twoLayerMlp(Device device) {
        // mse(relu(x·W1ᵀ + b1)·W2ᵀ + b2, y) with respect to every input, parameters and data alike.
        Random rng = new Random(75);
        Nd x = Nd.randn(rng, 6, 5);
        Nd w1 = Nd.randn(rng, 8, 5);
        Nd b1 = Nd.randn(rng, 8);
        Nd w2 = Nd.randn(rng, 2, 8);
        Nd b2 = Nd.randn(rng, 2);
        Nd y = Nd.randn(rng, 6, 2);
        // Pre-activations within 1e-3 of the kink would make finite differences meaningless.
        Nd pre = RefOps.linear(x, w1, b1);
        for (double v : pre.v) {
            org.junit.jupiter.api.Assertions.assertTrue(Math.abs(v) > 1e-3, "pick another seed: a pre-activation is on relu's kink");
        }
        check("mlp", device, 6,
                t -> Functional.mseLoss(Functional.linear(Functional.linear(t[0], t[1], t[2]).relu(), t[3], t[4]), t[5]),
                r -> RefOps.mseLoss(RefOps.linear(RefOps.relu(RefOps.linear(r[0], r[1], r[2])), r[3], r[4]), r[5]),
                x, w1, b1, w2, b2, y);
    }
}
