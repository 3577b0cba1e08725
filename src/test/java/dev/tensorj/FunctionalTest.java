package dev.tensorj;

import static dev.tensorj.Approx.assertClose;

import dev.tensorj.junit.DevicesSource;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;

/** Forward values of Functional.linear and Functional.mseLoss. */
class FunctionalTest {
    @ParameterizedTest
    @DevicesSource
    void linearMatchesReference(Device device) {
        Random rng = new Random(51);
        Nd w = Nd.randn(rng, 7, 3);
        Nd b = Nd.randn(rng, 7);
        Nd aw = RefOps.abs(w);
        Nd ab = RefOps.abs(b);
        for (int[] xs : new int[][] {{5, 3}, {3}, {2, 4, 3}, {0, 3}}) {
            Nd x = Nd.randn(rng, xs);
            String what = "linear " + java.util.Arrays.toString(xs);
            assertClose(what, Functional.linear(x.tensor(device), w.tensor(device), b.tensor(device)),
                    RefOps.linear(x, w, b), RefOps.linear(RefOps.abs(x), aw, ab));
            assertClose(what + " no bias", Functional.linear(x.tensor(device), w.tensor(device), null),
                    RefOps.linear(x, w, null), RefOps.linear(RefOps.abs(x), aw, null));
        }
    }

    @ParameterizedTest
    @DevicesSource
    void mseLossMatchesReference(Device device) {
        Random rng = new Random(52);
        for (int[] s : new int[][] {{6, 1}, {9}, {3, 4}, {}}) {
            Nd a = Nd.randn(rng, s);
            Nd t = Nd.randn(rng, s);
            assertClose("mse " + java.util.Arrays.toString(s), Functional.mseLoss(a.tensor(device), t.tensor(device)),
                    RefOps.mseLoss(a, t));
        }
    }

    @ParameterizedTest
    @DevicesSource
    void mseLossOfNothingIsNanAndItsGradientIsEmpty(Device device) {
        Tensor a = Tensor.zeros(0, 3).to(device).requiresGrad(true);
        Tensor t = Tensor.zeros(0, 3).to(device);
        Tensor loss = Functional.mseLoss(a, t);
        org.junit.jupiter.api.Assertions.assertTrue(Float.isNaN(loss.item()), "PyTorch gives nan for the mean of nothing");
        loss.backward();
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {0, 3}, a.grad().shape());
    }
}
