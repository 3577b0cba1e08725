package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tensorj.junit.DevicesSource;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * The backward walk on graphs of every form: deep chains (the walk is iterative and its stack
 * grows), diamonds whose branches meet again (their gradients summed once each), a leaf reached
 * through several inputs of one op, gradients that rules pass on unchanged to several leaves (each
 * leaf owns its own), and a backward run from inside a user's backward rule (it gets a walk of its
 * own). Values against double-precision references.
 */
class AutogradEngineTest {

    @ParameterizedTest
    @DevicesSource
    void aChainOfThousandsOfOpsBackpropagates(Device d) {
        Random rng = new Random(11);
        Nd xs = Nd.randn(rng, 3);
        Tensor x = xs.tensor(d).requiresGrad(true);
        int n = 5000;
        Tensor y = x;
        for (int i = 0; i < n; i++) {
            y = y.mul(1.0001f);
        }
        y.sum().backward();
        double factor = Math.pow((float) 1.0001f, n);
        Approx.assertClose("d/dx x·1.0001^5000", x.grad(), Nd.zeros(3).map(v -> factor));
        // and a small graph right after the large one: the thread's walk starts clean
        Tensor z = Tensor.of(new float[] {2f}).to(d).requiresGrad(true);
        z.mul(z).sum().backward();
        assertArrayEquals(new float[] {4f}, z.grad().toFloatArray());
    }

    @ParameterizedTest
    @DevicesSource
    void diamondsSumEachBranchOnce(Device d) {
        // x → a = x², b = sin(x), c = a·b, e = a + c: x reaches e by three paths through a and one through b.
        Random rng = new Random(12);
        Nd xs = Nd.randn(rng, 2, 3);
        Nd ws = Nd.randn(rng, 3);
        Tensor x = xs.tensor(d).requiresGrad(true);
        Tensor w = ws.tensor(d).requiresGrad(true);
        Tensor a = x.mul(x);
        Tensor b = x.sin();
        Tensor c = a.mul(b);
        Tensor e = a.add(c).mul(w); // w broadcast over the rows
        e.sum().backward();
        double[] gx = new double[6];
        double[] gw = new double[3];
        for (int i = 0; i < 6; i++) {
            double v = xs.v[i];
            double wi = ws.v[i % 3];
            // e = (x² + x²·sin x)·w
            gx[i] = wi * (2 * v + 2 * v * Math.sin(v) + v * v * Math.cos(v));
            gw[i % 3] += v * v + v * v * Math.sin(v);
        }
        Approx.assertClose("de/dx", x.grad(), new Nd(gx, 2, 3));
        Approx.assertClose("de/dw", w.grad(), new Nd(gw, 3));
    }

    @ParameterizedTest
    @DevicesSource
    void aLeafOnBothSidesOfOneOpGetsBothGradients(Device d) {
        Tensor x = Tensor.of(new float[] {1.5f, -2f, 0.25f}).to(d).requiresGrad(true);
        x.add(x).add(x.mul(x)).sum().backward();
        assertArrayEquals(new float[] {2f + 3f, 2f - 4f, 2f + 0.5f}, x.grad().toFloatArray());
    }

    @ParameterizedTest
    @DevicesSource
    void leavesThatGetTheSameGradientEachOwnTheirs(Device d) {
        Tensor a = Tensor.of(new float[] {1f, 2f}).to(d).requiresGrad(true);
        Tensor b = Tensor.of(new float[] {3f, 4f}).to(d).requiresGrad(true);
        Tensor c = Tensor.of(new float[] {5f, 6f}).to(d).requiresGrad(true);
        Tensor seed = Tensor.of(new float[] {0.5f, -1f}).to(d);
        a.add(b).sub(c).backward(seed, false); // add passes the seed to a and b unchanged
        Tensor ga = a.grad();
        Tensor gb = b.grad();
        assertNotSame(ga, gb);
        assertNotSame(seed, ga);
        assertNotSame(seed, gb);
        ga.close();
        seed.close();
        assertArrayEquals(new float[] {0.5f, -1f}, gb.toFloatArray(), "closing a's gradient or the seed leaves b's");
        assertArrayEquals(new float[] {-0.5f, 1f}, c.grad().toFloatArray());
    }

    @ParameterizedTest
    @DevicesSource
    void aBranchThatIsUsedTwiceKeepsItsGradientUntilBothAreSummed(Device d) {
        // h = relu(x) feeds two matmuls whose gradients are added before relu's rule reads them.
        Random rng = new Random(13);
        Nd xs = Nd.randnAwayFromZero(rng, 0.1, 2, 2);
        Nd us = Nd.randn(rng, 2, 2);
        Nd vs = Nd.randn(rng, 2, 2);
        Tensor x = xs.tensor(d).requiresGrad(true);
        Tensor h = x.relu();
        Tensor y = h.matmul(us.tensor(d)).add(h.matmul(vs.tensor(d)));
        y.sum().backward();
        double[] g = new double[4];
        for (int i = 0; i < 2; i++) {
            for (int k = 0; k < 2; k++) {
                double s = 0;
                for (int j = 0; j < 2; j++) {
                    s += us.v[k * 2 + j] + vs.v[k * 2 + j];
                }
                g[i * 2 + k] = xs.v[i * 2 + k] > 0 ? s : 0;
            }
        }
        Approx.assertClose("d/dx", x.grad(), new Nd(g, 2, 2));
    }

    /** A backward rule that runs the backward of another graph, built beforehand (as a hook that logs a penalty's gradient would). */
    static final class Inner extends AutogradFunction {
        final Tensor innerLoss;

        Inner(Tensor innerLoss) {
            this.innerLoss = innerLoss;
        }

        @Override
        protected Tensor forward(Context ctx, Tensor... inputs) {
            return inputs[0].mul(2f);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor gradOutput) {
            innerLoss.backward();
            return new Tensor[] {gradOutput.mul(2f)};
        }
    }

    @ParameterizedTest
    @DevicesSource
    void aBackwardInsideABackwardRuleUsesAWalkOfItsOwn(Device d) {
        Tensor inner = Tensor.of(new float[] {2f, -1f}).to(d).requiresGrad(true);
        Tensor x = Tensor.of(new float[] {1f, 3f, 5f}).to(d).requiresGrad(true);
        Tensor innerLoss = inner.mul(inner).mul(inner).sum();
        Tensor y = new Inner(innerLoss).apply(x.exp()).mul(x);
        y.sum().backward();
        assertArrayEquals(new float[] {12f, 3f}, inner.grad().toFloatArray(), "d/dv Σ v³ = 3v²");
        float[] gx = x.grad().toFloatArray();
        for (int i = 0; i < 3; i++) {
            double v = new double[] {1, 3, 5}[i];
            double ref = 2 * Math.exp(v) * v + 2 * Math.exp(v); // d/dx (2eˣ·x)
            assertEquals(ref, gx[i], 1e-5 * Math.abs(ref), "x[" + i + "]");
        }
    }
    @ParameterizedTest
    @DevicesSource
    void aBackwardThatFailedHalfwayLeavesNothingForTheNextOne(Device d) {
        Tensor x = Tensor.of(new float[] {0.5f, -1f}).to(d).requiresGrad(true);
        Tensor a = x.mul(2f);
        Tensor b = x.exp(); // exp saves its output
        Tensor loss = a.add(b).sum();
        try (NoGrad g = NoGrad.enter()) {
            b.add_(0f); // a write: exp's backward must refuse, after add's has given a its gradient
        }
        assertThrows(IllegalStateException.class, loss::backward);
        assertNull(x.grad(), "the walk failed before it reached the leaf");
        a.sum().backward(); // walks through a's node again, which the failed pass had given a gradient
        assertArrayEquals(new float[] {2f, 2f}, x.grad().toFloatArray(), "d/dx Σ 2x, nothing left over from before");
    }
    /**
     * Each thread keeps the working sets of its backward passes and reuses them from pass to pass: on
     * a thread of its own (so that its first pass finds them new), a retained graph walked three
     * times gives three times the gradient, and a pass that failed halfway leaves nothing behind.
     */
    @ParameterizedTest
    @DevicesSource
    void aThreadsPassesReuseItsWorkingSetsCleanly(Device d) throws Exception {
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                Tensor x = Tensor.of(new float[] {1f, -3f}).to(d).requiresGrad(true);
                Tensor h = x.mul(x);
                Tensor loss = h.add(h.mul(2f)).sum(); // d/dx 3x² = 6x
                for (int pass = 0; pass < 3; pass++) {
                    loss.backward(true);
                }
                assertArrayEquals(new float[] {18f, -54f}, x.grad().toFloatArray());
                aBackwardThatFailedHalfwayLeavesNothingForTheNextOne(d);
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        t.start();
        t.join();
        if (failure[0] != null) {
            throw new AssertionError("on a new thread", failure[0]);
        }
    }
}
