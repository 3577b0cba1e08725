package dev.tensorj;

import static dev.tensorj.Approx.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tensorj.junit.DevicesSource;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BinaryOperator;
import org.junit.jupiter.params.ParameterizedTest;

/** Forward values of the elementwise ops against double-precision references. */
class ElementwiseOpsTest {
    /** Operand shape pairs covering PyTorch's broadcasting rules, 0-d operands and the no-broadcast case. */
    static final List<int[][]> BROADCAST_CASES = List.of(
            new int[][] {{3, 4}, {4}},
            new int[][] {{3, 1}, {1, 4}},
            new int[][] {{2, 3, 4}, {3, 1}},
            new int[][] {{}, {2, 3}},
            new int[][] {{2, 3}, {}},
            new int[][] {{4}, {3, 1}},
            new int[][] {{5, 6}, {5, 6}},
            new int[][] {{0, 3}, {3}},
            new int[][] {{2, 0}, {2, 1}});

    private static void checkBinary(Device device, String op, BinaryOperator<Tensor> f,
                                    BinaryOperator<Nd> ref, boolean divisor) {
        Random rng = new Random(op.hashCode());
        for (int[][] c : BROADCAST_CASES) {
            Nd a = Nd.randn(rng, c[0]);
            Nd b = divisor ? Nd.randnAwayFromZero(rng, 0.5, c[1]) : Nd.randn(rng, c[1]);
            String what = op + " " + Arrays.toString(c[0]) + " " + Arrays.toString(c[1]) + " on " + device;
            assertClose(what, f.apply(a.tensor(device), b.tensor(device)), ref.apply(a, b));
        }
    }

    @ParameterizedTest
    @DevicesSource
    void addBroadcasts(Device device) {
        checkBinary(device, "add", Tensor::add, RefOps::add, false);
    }

    @ParameterizedTest
    @DevicesSource
    void subBroadcasts(Device device) {
        checkBinary(device, "sub", Tensor::sub, RefOps::sub, false);
    }

    @ParameterizedTest
    @DevicesSource
    void mulBroadcasts(Device device) {
        checkBinary(device, "mul", Tensor::mul, RefOps::mul, false);
    }

    @ParameterizedTest
    @DevicesSource
    void divBroadcasts(Device device) {
        checkBinary(device, "div", Tensor::div, RefOps::div, true);
    }

    @ParameterizedTest
    @DevicesSource
    void tensorScalarOps(Device device) {
        Nd a = Nd.randn(new Random(11), 3, 5);
        Tensor x = a.tensor(device);
        float s = -0.37f;
        assertClose("add scalar", x.add(s), a.map(v -> v + s));
        assertClose("sub scalar", x.sub(s), a.map(v -> v - s));
        assertClose("mul scalar", x.mul(s), a.map(v -> v * s));
        assertClose("div scalar", x.div(s), a.map(v -> v / s));
        // A 0-d operand behaves like a scalar too.
        Nd z = Nd.randn(new Random(12));
        assertClose("0-d scalar tensor", z.tensor(device).mul(s), z.map(v -> v * s));
    }

    @ParameterizedTest
    @DevicesSource
    void unaryOps(Device device) {
        Nd a = Nd.randn(new Random(13), 4, 7);
        Tensor x = a.tensor(device);
        assertClose("neg", x.neg(), a.map(v -> -v));
        assertClose("relu", x.relu(), RefOps.relu(a));
        assertClose("square", x.square(), RefOps.pow(a, 2));
        assertClose("pow 2", x.pow(2f), RefOps.pow(a, 2));
        assertClose("pow 3", x.pow(3f), RefOps.pow(a, 3));
        Nd p = Nd.randnPositive(new Random(14), 0.01, 4, 7);
        assertClose("pow 0.5", p.tensor(device).pow(0.5f), RefOps.pow(p, 0.5));
    }

    @ParameterizedTest
    @DevicesSource
    void reluMixesSigns(Device device) {
        // Guards the test above against inputs of one sign only.
        float[] r = Tensor.of(new float[] {-1.5f, 0f, 2.25f}).to(device).relu().toFloatArray();
        assertArrayEquals(new float[] {0f, 0f, 2.25f}, r);
    }

    @ParameterizedTest
    @DevicesSource
    void largeTensorsTakeTheParallelPaths(Device device) {
        // Above 65536 elements the CPU kernels split the work across threads; check every split path.
        Random rng = new Random(16);
        Nd a = Nd.randn(rng, 301, 257);
        Nd row = Nd.randn(rng, 257);
        Nd col = Nd.randnAwayFromZero(rng, 0.5, 301, 1);
        Tensor x = a.tensor(device);
        assertClose("large add row", x.add(row.tensor(device)), RefOps.add(a, row));
        assertClose("large div col", x.div(col.tensor(device)), RefOps.div(a, col));
        assertClose("large col - row", col.tensor(device).sub(row.tensor(device)), RefOps.sub(col, row));
        assertClose("large mul", x.mul(x), RefOps.mul(a, a));
        assertClose("large scalar", x.mul(0.3f), a.map(v -> v * 0.3f));
        assertClose("large pow", x.pow(3f), RefOps.pow(a, 3));
        assertClose("large relu", x.relu(), RefOps.relu(a));
        assertClose("large neg", x.neg(), a.map(v -> -v));
    }

    @ParameterizedTest
    @DevicesSource
    void zeroSizeDimensions(Device device) {
        Random rng = new Random(15);
        Tensor empty = Nd.zeros(0, 3).tensor(device);
        Tensor row = Nd.randn(rng, 3).tensor(device);
        assertArrayEquals(new int[] {0, 3}, empty.add(row).shape());
        assertArrayEquals(new int[] {0, 3}, row.mul(empty).shape());
        assertArrayEquals(new int[] {0, 3}, empty.div(Tensor.scalar(2f).to(device)).shape());
        assertArrayEquals(new int[] {2, 0}, Nd.zeros(2, 1).tensor(device).sub(Nd.zeros(0).tensor(device)).shape());
        assertArrayEquals(new int[] {0, 3}, empty.relu().shape());
        assertArrayEquals(new int[] {0, 3}, empty.neg().pow(3f).mul(2f).shape());
        assertEquals(0, empty.add(row).toFloatArray().length);
    }
}
