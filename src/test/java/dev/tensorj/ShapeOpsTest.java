package dev.tensorj;

import static dev.tensorj.Approx.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.tensorj.junit.DevicesSource;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;

/** Forward values of t() and reshape(). */
class ShapeOpsTest {
    @ParameterizedTest
    @DevicesSource
    void transposeMatchesReference(Device device) {
        Random rng = new Random(31);
        for (int[] s : new int[][] {{3, 5}, {1, 7}, {37, 41}, {0, 4}}) {
            Nd a = Nd.randn(rng, s);
            assertClose("t " + java.util.Arrays.toString(s), a.tensor(device).t(), RefOps.t(a));
        }
    }

    @ParameterizedTest
    @DevicesSource
    void transposeOfVectorIsItself(Device device) {
        Tensor v = Tensor.randn(device, 4);
        assertSame(v, v.t());
    }

    @ParameterizedTest
    @DevicesSource
    void reshapeKeepsRowMajorOrder(Device device) {
        Nd a = Nd.randn(new Random(32), 2, 3, 4);
        Tensor x = a.tensor(device);
        assertClose("reshape 6,4", x.reshape(6, 4), RefOps.reshape(a, 6, 4));
        assertClose("reshape -1,2", x.reshape(-1, 2), RefOps.reshape(a, 12, 2));
        assertClose("reshape 4,-1,3", x.reshape(4, -1, 3), RefOps.reshape(a, 4, 2, 3));
        assertClose("reshape -1", x.reshape(-1), RefOps.reshape(a, 24));
        assertArrayEquals(new int[] {24}, x.reshape(-1).shape());
        Nd s = Nd.randn(new Random(33), 1, 1);
        assertClose("reshape to 0-d", s.tensor(device).reshape(), RefOps.reshape(s));
        assertArrayEquals(new int[] {0, 5}, Tensor.zeros(device, 5, 0).reshape(0, 5).shape());
    }
}
