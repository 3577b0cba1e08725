package dev.tensorj.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tensorj.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SGD's update against PyTorch's rule computed in double, for every option, on a small parameter
 * and on one large enough for the CPU kernel to split it across threads.
 */
class SgdTest {

    @ParameterizedTest(name = "momentum={0} dampening={1} weightDecay={2} nesterov={3} size={4}")
    @CsvSource({
        "0,   0,   0,    false, 7",
        "0.9, 0,   0,    false, 7",
        "0.9, 0.1, 0,    false, 7",
        "0.9, 0,   0,    true,  7",
        "0,   0,   0.01, false, 7",
        "0.8, 0.2, 0.05, false, 7",
        "0.8, 0,   0.05, true,  7",
        "0,   0,   0,    false, 600001",
        "0.9, 0.1, 0.01, false, 600001",
        "0.9, 0,   0.01, true,  600001",
    })
    void matchesPyTorchsRuleInDouble(float momentum, float dampening, float weightDecay, boolean nesterov, int size) {
        var rnd = new SplittableRandom(size + (long) (momentum * 100) + (long) (weightDecay * 1000));
        float lr = 0.05f;
        float[] p0 = random(rnd, size);
        float[][] grads = {random(rnd, size), random(rnd, size), random(rnd, size)};
        Tensor param = Tensor.of(p0.clone()).requiresGrad(true);
        SGD sgd = new SGD(List.of(param), lr, momentum, dampening, weightDecay, nesterov);

        double[] p = toDouble(p0);
        double[] buf = null;
        for (float[] grad : grads) {
            sgd.zeroGrad();
            // d(Σ param·g)/d param = g: the gradient is exactly the chosen vector.
            param.mul(Tensor.of(grad)).sum().backward();
            sgd.step();
            // PyTorch's SGD, in double.
            double[] d = new double[size];
            for (int i = 0; i < size; i++) {
                d[i] = grad[i] + (weightDecay != 0 ? weightDecay * p[i] : 0);
            }
            if (momentum != 0) {
                if (buf == null) {
                    buf = d.clone();
                } else {
                    for (int i = 0; i < size; i++) {
                        buf[i] = momentum * buf[i] + (1 - dampening) * d[i];
                    }
                }
                for (int i = 0; i < size; i++) {
                    d[i] = nesterov ? d[i] + momentum * buf[i] : buf[i];
                }
            }
            for (int i = 0; i < size; i++) {
                p[i] -= lr * d[i];
            }
        }
        float[] got = param.toFloatArray();
        for (int i = 0; i < size; i++) {
            if (!(Math.abs(got[i] - p[i]) <= 1e-5 * (1 + Math.abs(p[i])))) {
                fail("param[" + i + "] = " + got[i] + ", PyTorch's rule in double gives " + p[i]);
            }
        }
    }

    @Test
    void withoutWeightDecayAnInfiniteWeightStaysInfinite() {
        // PyTorch skips weight decay when it is 0; adding 0 · inf would turn the weight into NaN.
        Tensor param = Tensor.of(new float[] {Float.POSITIVE_INFINITY, 1f}).requiresGrad(true);
        SGD sgd = new SGD(List.of(param), 0.1f);
        param.mul(Tensor.of(new float[] {0f, 2f})).sum().backward();
        sgd.step();
        float[] got = param.toFloatArray();
        assertEquals(Float.POSITIVE_INFINITY, got[0]);
        assertEquals(0.8f, got[1], 1e-7f);
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return x;
    }

    private static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }
}
