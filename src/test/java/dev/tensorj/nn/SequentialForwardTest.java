package dev.tensorj.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.tensorj.Device;
import dev.tensorj.LeakReport;
import dev.tensorj.NoGrad;
import dev.tensorj.Tensor;
import dev.tensorj.junit.DevicesSource;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * {@link Sequential#forward}: each module's output feeds the next, with the same values whether or not a
 * Linear+ReLU pair runs fused; the intermediate results of tensorj's own layers are released as soon as
 * the next layer has used them, while the caller's input, a result that is passed through, and whatever
 * a user's module may keep stay open.
 */
class SequentialForwardTest {
    private static final float[] X = {0.5f, -1.25f, 2f, -0.75f, 1.5f, 0.25f};

    /** y = relu(x W^T + b) in double, row by row, for x of shape [rows, in]. */
    private static double[] linear(float[] x, int rows, Linear l, boolean relu) {
        float[] w = l.weight().toFloatArray();
        float[] b = l.bias().toFloatArray();
        int in = l.inFeatures();
        int out = l.outFeatures();
        double[] y = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double s = b[o];
                for (int i = 0; i < in; i++) {
                    s += (double) x[r * in + i] * w[o * in + i];
                }
                y[r * out + o] = relu ? Math.max(0, s) : s;
            }
        }
        return y;
    }

    private static void assertClose(double[] want, float[] got) {
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-5 * (1 + Math.abs(want[i])), "at " + i);
        }
    }

    /** A user's Linear that adds 10 to its output: its own forward must run, not a fused kernel. */
    static final class ShiftedLinear extends Linear {
        ShiftedLinear(int in, int out) {
            super(in, out);
        }

        @Override
        public Tensor forward(Tensor input) {
            try (Tensor y = super.forward(input)) {
                return y.add(10f);
            }
        }
    }

    /** A user's ReLU that clamps at 1 from below instead of 0. */
    static final class ReLUFromOne extends ReLU {
        @Override
        public Tensor forward(Tensor input) {
            return input.clamp(1f, Float.POSITIVE_INFINITY);
        }
    }

    /** A user's module that keeps its input and its output (for a later look, as hooks do). */
    static final class Keeper extends Module {
        Tensor in;
        Tensor out;

        @Override
        public Tensor forward(Tensor input) {
            in = input;
            out = input.mul(2f);
            return out;
        }
    }

    @ParameterizedTest
    @DevicesSource
    void aLinearReluPairGivesLinearThenRelu(Device device) {
        Linear a = new Linear(3, 4);
        Sequential s = new Sequential(a, new ReLU()).to(device);
        Tensor x = Tensor.of(X, 2, 3).to(device);
        assertClose(linear(X, 2, a, true), s.forward(x).toFloatArray());
        assertClose(linear(X, 2, a, false), new Sequential(a).forward(x).toFloatArray());
    }

    @ParameterizedTest
    @DevicesSource
    void aUsersSubclassOfLinearOrReluRunsItsOwnForward(Device device) {
        ShiftedLinear shifted = new ShiftedLinear(3, 2);
        Tensor x = Tensor.of(X, 2, 3).to(device);
        shifted.to(device);
        double[] want = linear(X, 2, shifted, false);
        for (int i = 0; i < want.length; i++) {
            want[i] = Math.max(0, want[i] + 10);
        }
        assertClose(want, new Sequential(shifted, new ReLU()).forward(x).toFloatArray());
        Linear plain = new Linear(3, 2).to(device);
        double[] fromOne = linear(X, 2, plain, false);
        for (int i = 0; i < fromOne.length; i++) {
            fromOne[i] = Math.max(1, fromOne[i]);
        }
        assertClose(fromOne, new Sequential(plain, new ReLUFromOne()).forward(x).toFloatArray());
    }

    @ParameterizedTest
    @DevicesSource
    void intermediatesAreReleasedAndOnlyTheOutputStaysOpen(Device device) {
        Sequential s = new Sequential(new Linear(3, 5), new Tanh(), new Linear(5, 4), new ReLU(), new Linear(4, 2),
                new Sigmoid()).to(device);
        Tensor x = Tensor.of(X, 2, 3).to(device);
        LeakReport.setEnabled(true);
        long opened;
        Tensor y;
        try (NoGrad g = NoGrad.enter()) {
            long before = LeakReport.liveCount(device);
            y = s.forward(x);
            opened = LeakReport.liveCount(device) - before;
        } finally {
            LeakReport.setEnabled(false);
        }
        assertEquals(1, opened, "only the output is left open");
        assertFalse(x.isClosed(), "the caller's input");
        assertArrayEquals(new int[] {2, 2}, y.shape());
        y.close();
    }

    @ParameterizedTest
    @DevicesSource
    void theInputAndPassedThroughResultsStayOpen(Device device) {
        Tensor x = Tensor.of(X, 2, 3).to(device);
        Tensor y = new Sequential(new Identity(), new Tanh(), new Sigmoid()).forward(x);
        assertFalse(x.isClosed(), "the input, handed on by Identity, is the caller's");
        float[] got = y.toFloatArray();
        for (int i = 0; i < X.length; i++) {
            assertEquals(1 / (1 + Math.exp(-Math.tanh(X[i]))), got[i], 1e-6);
        }
        Linear l = new Linear(3, 2).to(device);
        Tensor z = new Sequential(l, new Identity(), new Tanh()).forward(x);
        double[] want = linear(X, 2, l, false);
        for (int i = 0; i < want.length; i++) {
            want[i] = Math.tanh(want[i]);
        }
        assertClose(want, z.toFloatArray());
    }

    @ParameterizedTest
    @DevicesSource
    void whatAUsersModuleKeepsStaysOpen(Device device) {
        Keeper k = new Keeper();
        Linear l = new Linear(3, 2).to(device);
        Tensor x = Tensor.of(X, 2, 3).to(device);
        Tensor y = new Sequential(l, k, new Tanh()).forward(x);
        assertFalse(k.in.isClosed(), "the Linear's output, kept by the module that used it");
        assertFalse(k.out.isClosed(), "the module's own output, which it keeps");
        double[] want = linear(X, 2, l, false);
        assertClose(want, k.in.toFloatArray());
        for (int i = 0; i < want.length; i++) {
            want[i] = Math.tanh(2 * want[i]);
        }
        assertClose(want, y.toFloatArray());
    }
}
