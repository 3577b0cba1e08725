package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The overloads without a device argument make the same tensor on the cpu as their device forms,
 * as PyTorch's factory functions default to the cpu: values against exact or double references.
 * And the generator's state at the very start of a stream (offset 0) can be restored.
 */
class CpuOverloadsTest {

    @Test
    void factoriesWithoutADeviceMakeCpuTensors() {
        assertArrayEquals(new long[] {2, 5, 8}, Tensor.arange(2L, 10L, 3L).toLongArray());
        assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, Tensor.eye(3).toFloatArray());
        assertArrayEquals(new int[] {3, 3}, Tensor.eye(3).shape());
        assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0}, Tensor.eye(2, 3).toFloatArray());
        assertArrayEquals(new int[] {2, 3}, Tensor.eye(2, 3).shape());
        assertArrayEquals(new float[] {-1f, -0.5f, 0f, 0.5f, 1f}, Tensor.linspace(-1f, 1f, 5).toFloatArray());
        for (Tensor t : new Tensor[] {Tensor.arange(2L, 10L, 3L), Tensor.eye(2), Tensor.linspace(0f, 1f, 3)}) {
            assertArrayEquals(new Object[] {Device.CPU}, new Object[] {t.device()});
        }
    }

    @Test
    void randintWithoutADeviceDrawsAsOnTheCpu() {
        Tensor.manualSeed(9);
        long[] plain = Tensor.randint(-3, 4, 2, 5).toLongArray();
        Tensor.manualSeed(9);
        long[] onCpu = Tensor.randint(Device.CPU, -3, 4, 2, 5).toLongArray();
        assertArrayEquals(onCpu, plain);
        for (long v : plain) {
            assertArrayEquals(new boolean[] {true}, new boolean[] {v >= -3 && v < 4}, "in [low, high): " + v);
        }
    }

    @Test
    void addWithAlphaScalesTheOtherOperand() {
        Random rng = new Random(4);
        Nd a = Nd.randn(rng, 2, 3);
        Nd b = Nd.randn(rng, 3);
        Tensor out = a.tensor(Device.CPU).add(b.tensor(Device.CPU), -2.5f);
        double[] ref = new double[6];
        for (int i = 0; i < 6; i++) {
            ref[i] = a.v[i] + (float) (-2.5f * (float) b.v[i % 3]);
        }
        Approx.assertClose("a + alpha·b", out, new Nd(ref, 2, 3));
    }

    @Test
    void scatterAddAddsSourceRowsAtTheirIndices() {
        Tensor self = Tensor.of(new float[] {1f, 2f, 3f, 4f}, 2, 2);
        Tensor index = Tensor.of(new long[] {1, 1, 0, 1}, 2, 2);
        Tensor src = Tensor.of(new float[] {10f, 20f, 30f, 40f}, 2, 2);
        // dim 1: out[i][index[i][j]] += src[i][j]
        assertArrayEquals(new float[] {1f, 2f + 10f + 20f, 3f + 30f, 4f + 40f},
                self.scatterAdd(1, index, src).toFloatArray());
    }

    @Test
    void theStateAtTheStartOfAStreamCanBeRestored() {
        Tensor.manualSeed(31);
        long[] start = Tensor.getRngState();
        assertArrayEquals(new long[] {31, 0}, start);
        float[] first = Tensor.rand(6).toFloatArray();
        Tensor.randn(3);
        Tensor.setRngState(start);
        assertArrayEquals(first, Tensor.rand(6).toFloatArray(), "offset 0 is a state like any other");
    }
}
