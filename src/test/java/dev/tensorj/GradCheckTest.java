package dev.tensorj;

import static dev.tensorj.GradCheck.check;

import dev.tensorj.junit.DevicesSource;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Gradients of the elementwise, reduction and shape ops against finite differences in double
 * (see {@link GradCheck}). Broadcast operands must get their gradient summed back to their shape.
 */
class GradCheckTest {
    @ParameterizedTest
    @DevicesSource
    void binaryOpsWithBroadcasting(Device device) {
        Random rng = new Random(61);
        for (int[][] c : ElementwiseOpsTest.BROADCAST_CASES) {
            String shapes = Arrays.toString(c[0]) + " " + Arrays.toString(c[1]);
            Nd a = Nd.randn(rng, c[0]);
            Nd b = Nd.randn(rng, c[1]);
            Nd nonZero = Nd.randnAwayFromZero(rng, 0.5, c[1]);
            check("add " + shapes, device, 1, x -> x[0].add(x[1]), r -> RefOps.add(r[0], r[1]), a, b);
            check("sub " + shapes, device, 2, x -> x[0].sub(x[1]), r -> RefOps.sub(r[0], r[1]), a, b);
            check("mul " + shapes, device, 3, x -> x[0].mul(x[1]), r -> RefOps.mul(r[0], r[1]), a, b);
            check("div " + shapes, device, 4, x -> x[0].div(x[1]), r -> RefOps.div(r[0], r[1]), a, nonZero);
        }
    }

    @ParameterizedTest
    @DevicesSource
    void scalarAndUnaryOps(Device device) {
        Random rng = new Random(62);
        Nd a = Nd.randn(rng, 3, 4);
        float s = 1.75f;
        check("add scalar", device, 5, x -> x[0].add(s), r -> r[0].map(v -> v + s), a);
        check("sub scalar", device, 6, x -> x[0].sub(s), r -> r[0].map(v -> v - s), a);
        check("mul scalar", device, 7, x -> x[0].mul(s), r -> r[0].map(v -> v * s), a);
        check("div scalar", device, 8, x -> x[0].div(s), r -> r[0].map(v -> v / s), a);
        check("neg", device, 9, x -> x[0].neg(), r -> r[0].map(v -> -v), a);
        check("square", device, 10, x -> x[0].square(), r -> RefOps.pow(r[0], 2), a);
        check("pow 2", device, 11, x -> x[0].pow(2f), r -> RefOps.pow(r[0], 2), a);
        check("pow 3", device, 12, x -> x[0].pow(3f), r -> RefOps.pow(r[0], 3), a);
        Nd positive = Nd.randnPositive(rng, 0.1, 3, 4);
        check("pow 0.5", device, 13, x -> x[0].pow(0.5f), r -> RefOps.pow(r[0], 0.5), positive);
        Nd awayFromKink = Nd.randnAwayFromZero(rng, 1e-3, 5, 6);
        check("relu", device, 14, x -> x[0].relu(), r -> RefOps.relu(r[0]), awayFromKink);
    }

    @ParameterizedTest
    @DevicesSource
    void reluGradientAtZeroIsZero(Device device) {
        // Finite differences are meaningless at the kink; PyTorch's convention is a zero gradient there.
        Tensor x = Tensor.of(new float[] {-1.5f, 0f, 2.25f}).to(device).requiresGrad(true);
        x.relu().mul(Tensor.of(new float[] {3f, 5f, 7f}).to(device)).sum().backward();
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {0f, 0f, 7f}, x.grad().toFloatArray());
    }

    @ParameterizedTest
    @DevicesSource
    void reductions(Device device) {
        Random rng = new Random(63);
        Nd a = Nd.randn(rng, 3, 4, 5);
        check("sum", device, 15, x -> x[0].sum(), r -> RefOps.sum(r[0]), a);
        check("mean", device, 16, x -> x[0].mean(), r -> RefOps.mean(r[0]), a);
        for (int dim : new int[] {0, 1, -1, -3}) {
            for (boolean keep : new boolean[] {false, true}) {
                String what = " dim " + dim + " keepDim " + keep;
                check("sum" + what, device, 17, x -> x[0].sum(dim, keep), r -> RefOps.sum(r[0], dim, keep), a);
                check("mean" + what, device, 18, x -> x[0].mean(dim, keep), r -> RefOps.mean(r[0], dim, keep), a);
            }
        }
        Nd v = Nd.randn(rng, 7);
        check("1-d mean dim 0", device, 19, x -> x[0].mean(0, false), r -> RefOps.mean(r[0], 0, false), v);
        Nd scalar = Nd.randn(rng);
        check("sum of 0-d", device, 19, x -> x[0].sum(), r -> RefOps.sum(r[0]), scalar);
    }

    @ParameterizedTest
    @DevicesSource
    void shapeOps(Device device) {
        Random rng = new Random(64);
        Nd a = Nd.randn(rng, 2, 3, 4);
        check("reshape -1,4", device, 20, x -> x[0].reshape(-1, 4), r -> RefOps.reshape(r[0], 6, 4), a);
        check("reshape 4,6", device, 21, x -> x[0].reshape(4, 6), r -> RefOps.reshape(r[0], 4, 6), a);
        Nd m = Nd.randn(rng, 3, 5);
        check("t", device, 22, x -> x[0].t(), r -> RefOps.t(r[0]), m);
        // The rules compose: the transpose's gradient feeds a broadcast and a reshape.
        Nd v = Nd.randn(rng, 3);
        check("t·reshape·broadcast", device, 23, x -> x[0].t().mul(x[1]).reshape(15),
                r -> RefOps.reshape(RefOps.mul(RefOps.t(r[0]), r[1]), 15), m, v);
    }

    @ParameterizedTest
    @DevicesSource
    void tensorUsedTwiceAccumulates(Device device) {
        Random rng = new Random(65);
        Nd a = Nd.randn(rng, 4, 3);
        Nd b = Nd.randn(rng, 3);
        check("x*x", device, 24, x -> x[0].mul(x[0]), r -> RefOps.mul(r[0], r[0]), a);
        check("x+x", device, 25, x -> x[0].add(x[0]), r -> RefOps.add(r[0], r[0]), a);
        check("x/(x²+1)", device, 26, x -> x[0].div(x[0].square().add(1f)),
                r -> RefOps.div(r[0], RefOps.pow(r[0], 2).map(v -> v + 1)), a);
        // x reaches the output along three paths of different shapes.
        check("x*b + x.sum(0)*x - b", device, 27,
                x -> x[0].mul(x[1]).add(x[0].sum(0, true).mul(x[0])).sub(x[1]),
                r -> RefOps.sub(RefOps.add(RefOps.mul(r[0], r[1]), RefOps.mul(RefOps.sum(r[0], 0, true), r[0])), r[1]),
                a, b);
    }

    @ParameterizedTest
    @DevicesSource
    void gradientFlowsBackAcrossTo(Device device) {
        // The leaf lives on the CPU; the op runs on `device`; the gradient must come back to the CPU.
        // (On the CPU itself to(cpu) is the identity; cpu→meta is covered in AutogradTest.)
        Random rng = new Random(66);
        Nd a = Nd.randn(rng, 3, 4);
        Nd c = Nd.randn(rng, 4);
        Tensor leaf = a.tensor(Device.CPU).requiresGrad(true);
        check("to(" + device + ")", new Tensor[] {leaf}, 28, x -> x[0].to(device).mul(c.tensor(device)).relu(),
                r -> RefOps.relu(RefOps.mul(r[0], c)), a);
        org.junit.jupiter.api.Assertions.assertEquals(Device.CPU, leaf.grad().device());
    }
}
