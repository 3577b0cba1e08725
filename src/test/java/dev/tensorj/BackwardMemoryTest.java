package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.backend.cpu.PoolProbe;
import dev.tensorj.junit.DevicesSource;
import dev.tensorj.junit.Placement;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * What a backward pass leaves behind: every temporary gradient it made (partial sums of broadcast
 * gradients, sums of gradients that meet at a node, gradients passed on unchanged, the seed) is
 * closed as soon as it is consumed, so that a training loop's backward finds all its memory in the
 * cpu pool from its second pass on; a gradient replaced by {@code setGrad} goes back too. And an
 * empty tensor costs no kernel launch when it is copied, converted, or becomes a gradient.
 */
class BackwardMemoryTest {
    private long cap;

    @BeforeEach
    void poolOn() {
        cap = PoolProbe.capBytes();
        PoolProbe.capBytes(64L << 20);
    }

    @AfterEach
    void restoreTheCap() {
        PoolProbe.capBytes(cap);
    }

    /** Arrays the cpu backend had to make anew (not taken from the pool) while {@code pass} ran. */
    private static long freshArrays(Runnable pass) {
        long reused = PoolProbe.reused();
        Counters.Snapshot work = Placement.of(pass::run).on(Device.CPU);
        return work.allocations() - (PoolProbe.reused() - reused);
    }

    /**
     * Runs {@code backward} of {@code loss} (with the graph retained) three times, dropping the
     * leaves' gradients in between or accumulating into them, and returns the arrays the third pass
     * made anew.
     */
    private static long freshArraysOfASteadyBackward(Tensor loss, List<Tensor> leaves, boolean dropGrads) {
        long fresh = 0;
        for (int pass = 0; pass < 3; pass++) {
            fresh = freshArrays(() -> {
                loss.backward(true);
                if (dropGrads) {
                    leaves.forEach(Tensor::zeroGrad);
                }
            });
        }
        return fresh;
    }

    private static Tensor leaf(Random rng, int... shape) {
        return Nd.randn(rng, shape).tensor(Device.CPU).requiresGrad(true);
    }

    static List<Function<Random, Object[]>> graphs() {
        return List.of(
                // a bias broadcast over two dimensions: its gradient is summed twice (a partial sum between)
                rng -> {
                    Tensor x = leaf(rng, 2, 3, 4);
                    Tensor b = leaf(rng, 3, 1);
                    return new Object[] {x.mul(b).add(b).tanh().sum(), List.of(x, b)};
                },
                // a diamond: add passes the gradient on unchanged to two nodes, which meet again
                rng -> {
                    Tensor x = leaf(rng, 5);
                    Tensor a = x.exp();
                    Tensor c = a.mul(x);
                    return new Object[] {a.add(c).mul(a).sum(), List.of(x)};
                },
                // a leaf on both sides of ops, and a matmul whose gradients meet at the leaf
                rng -> {
                    Tensor w = leaf(rng, 3, 3);
                    Tensor h = w.matmul(w).add(w).relu();
                    return new Object[] {h.add(h).mean(), List.of(w)};
                },
                // add passes one gradient to three nodes, one of which gets a second gradient later
                rng -> {
                    Tensor x = leaf(rng, 4);
                    Tensor a = x.exp();
                    Tensor c = x.mul(2f);
                    return new Object[] {a.add(c.add(a)).sum(), List.of(x)};
                });
    }

    @Test
    void aSteadyBackwardTakesAllItsMemoryFromThePool() {
        for (boolean dropGrads : new boolean[] {true, false}) {
            Random rng = new Random(21);
            int i = 0;
            for (Function<Random, Object[]> graph : graphs()) {
                Object[] lossAndLeaves = graph.apply(rng);
                @SuppressWarnings("unchecked")
                List<Tensor> leaves = (List<Tensor>) lossAndLeaves[1];
                assertEquals(0, freshArraysOfASteadyBackward((Tensor) lossAndLeaves[0], leaves, dropGrads),
                        "graph " + i + (dropGrads ? ", gradients dropped" : ", gradients accumulated")
                                + ": a temporary of the pass before was not given back");
                i++;
            }
        }
    }

    @Test
    void aGradientReplacedBySetGradGoesBackToThePool() {
        Tensor p = Tensor.of(new float[] {1f, 2f, 3f}).requiresGrad(true);
        p.mul(p).sum().backward();
        Tensor engines = p.gradUnshared();
        Tensor mine = Tensor.of(new float[] {1f, 1f, 1f});
        long kept = PoolProbe.kept();
        p.setGrad(mine);
        assertTrue(engines.isClosed(), "nobody was handed the engine's gradient: replacing it closes it");
        assertEquals(kept + 1, PoolProbe.kept());
        p.setGrad(mine);
        assertEquals(kept + 1, PoolProbe.kept(), "setting the same gradient again closes nothing");
        assertArrayEquals(new float[] {1f, 1f, 1f}, p.grad().toFloatArray());
    }

    @ParameterizedTest
    @DevicesSource
    void anEmptyTensorLaunchesNothingWhenCopiedConvertedOrMadeAGradient(Device d) {
        Tensor x = Tensor.zeros(d, 0, 3).requiresGrad(true);
        Tensor seed = Tensor.zeros(d, 0, 3);
        Tensor[] out = new Tensor[2];
        Counters.Snapshot work = Placement.of(() -> {
            out[0] = x.clone();
            out[1] = x.to(DType.INT64);
            x.backward(seed, false); // the caller's seed is copied into the leaf's gradient
        }).on(d);
        assertEquals(0, work.launches(), "empty tensors: " + work);
        assertArrayEquals(new int[] {0, 3}, out[0].shape());
        assertEquals(DType.INT64, out[1].dtype());
        assertArrayEquals(new int[] {0, 3}, x.grad().shape());
        assertEquals(d, x.grad().device());
    }
}
