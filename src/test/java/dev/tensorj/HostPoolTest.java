package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.backend.cpu.PoolProbe;
import dev.tensorj.junit.DevicesSource;
import dev.tensorj.nn.Linear;
import dev.tensorj.nn.MSELoss;
import dev.tensorj.nn.ReLU;
import dev.tensorj.nn.Sequential;
import dev.tensorj.optim.SGD;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Host memory recycling: a cpu array is reused only after the last tensor on its storage was
 * closed, by the user or by backward for the gradients only it holds; whatever a user keeps keeps
 * its values. The pool is observed through {@link PoolProbe}.
 */
class HostPoolTest {
    private final long cap = PoolProbe.capBytes();

    @AfterEach
    void restoreTheCap() {
        PoolProbe.capBytes(cap);
    }

    @Test
    void closingATensorLetsTheNextOneOfItsSizeReuseItsArray() {
        Tensor a = Tensor.randn(1237);
        Object array = PoolProbe.array(a.storage());
        long reused = PoolProbe.reused();
        a.close();
        Tensor b = Tensor.randn(1237);
        assertSame(array, PoolProbe.array(b.storage()));
        assertEquals(reused + 1, PoolProbe.reused());
        Tensor c = Tensor.randn(1237);
        assertNotSame(array, PoolProbe.array(c.storage()), "one array, one live storage");
        assertThrows(TensorClosedException.class, a::toFloatArray, "the closed tensor never reads it");
    }

    @Test
    void closingOneOfTwoTensorsSharingAStorageRecyclesNothing() {
        Tensor a = Tensor.randn(6, 7);
        Tensor view = a.reshape(42);
        Tensor detached = a.detach();
        float[] values = a.toFloatArray();
        long kept = PoolProbe.kept();
        a.close();
        view.close();
        assertEquals(kept, PoolProbe.kept(), "the detached tensor still holds the storage");
        Tensor other = Tensor.randn(6, 7);
        assertArrayEquals(values, detached.toFloatArray());
        assertNotSame(PoolProbe.array(detached.storage()), PoolProbe.array(other.storage()));
        detached.close();
        assertEquals(kept + 1, PoolProbe.kept(), "the last close returns it, once");
    }

    @Test
    void closingTwiceOrAViewAndItsBaseReturnsTheArrayOnce() {
        Tensor a = Tensor.randn(3, 311);
        Tensor v = a.reshape(311, 3);
        long kept = PoolProbe.kept();
        a.close();
        a.close();
        v.close();
        v.close();
        a.close();
        assertEquals(kept + 1, PoolProbe.kept());
        Tensor x = Tensor.randn(933);
        Tensor y = Tensor.randn(933);
        assertNotSame(PoolProbe.array(x.storage()), PoolProbe.array(y.storage()));
    }

    @Test
    void theSharedPoolStaysUnderItsCap() {
        PoolProbe.capBytes(64 * 1024);
        List<Tensor> ts = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ts.add(Tensor.zeros(1000 + i)); // 4 KB each, 160 KB in all
        }
        ts.forEach(Tensor::close);
        assertTrue(PoolProbe.keptBytes() <= 64 * 1024, "kept " + PoolProbe.keptBytes());
        assertTrue(PoolProbe.keptBytes() > 50 * 1024, "what fits is kept: " + PoolProbe.keptBytes());
    }

    @Test
    void withPoolingOffNothingIsReused() {
        PoolProbe.capBytes(0);
        Tensor a = Tensor.randn(777);
        Object array = PoolProbe.array(a.storage());
        long reused = PoolProbe.reused();
        a.close();
        Tensor b = Tensor.randn(777);
        assertNotSame(array, PoolProbe.array(b.storage()));
        assertEquals(reused, PoolProbe.reused());
        assertEquals(0, PoolProbe.keptBytes());
    }

    /** What a user keeps from the first step (an output, a gradient, a detached view, a reshape) is not touched by 30 more. */
    @ParameterizedTest
    @DevicesSource
    void whatTheUserKeepsKeepsItsValuesAcrossManySteps(Device device) {
        Tensor.manualSeed(15);
        Sequential model = new Sequential(new Linear(12, 32), new ReLU(), new Linear(32, 32), new ReLU(),
                new Linear(32, 3));
        model.to(device);
        SGD sgd = new SGD(model.parameters(), 0.05f);
        MSELoss mse = new MSELoss();
        Tensor x = Tensor.randn(device, 16, 12);
        Tensor target = Tensor.randn(device, 16, 3);
        Tensor out = model.forward(x);
        Tensor loss = mse.forward(out, target);
        loss.backward();
        Tensor grad = model.parameters().get(2).grad();
        Tensor detachedOut = out.detach();
        Tensor reshapedOut = out.reshape(48);
        float[] outValues = out.toFloatArray();
        float[] gradValues = grad.toFloatArray();
        float lossValue = loss.item();
        sgd.step();
        sgd.zeroGrad();
        for (int step = 0; step < 30; step++) {
            Tensor o = model.forward(x);
            Tensor l = mse.forward(o, target);
            l.backward();
            sgd.step();
            sgd.zeroGrad();
            l.close(); // the loss and the output: their memory goes back to the pool
            o.close();
        }
        assertArrayEquals(outValues, out.toFloatArray());
        assertArrayEquals(outValues, detachedOut.toFloatArray());
        assertArrayEquals(outValues, reshapedOut.toFloatArray());
        assertArrayEquals(gradValues, grad.toFloatArray());
        assertEquals(lossValue, loss.item());
    }

    @Test
    void aTrainingLoopGivesTheSameBitsWithPoolingOnAndOff() {
        PoolProbe.capBytes(cap == 0 ? 64 << 20 : cap);
        long reused = PoolProbe.reused();
        float[][] on = train();
        assertTrue(PoolProbe.reused() > reused + 100, "the loop did recycle: " + (PoolProbe.reused() - reused));
        PoolProbe.capBytes(0);
        float[][] off = train();
        for (int i = 0; i < on.length; i++) {
            assertArrayEquals(off[i], on[i], "parameter " + i);
        }
    }

    private static float[][] train() {
        Tensor.manualSeed(7);
        Sequential model = new Sequential(new Linear(20, 64), new ReLU(), new Linear(64, 64), new ReLU(),
                new Linear(64, 4));
        SGD sgd = new SGD(model.parameters(), 0.02f, 0.9f);
        MSELoss mse = new MSELoss();
        Tensor x = Tensor.randn(32, 20);
        Tensor target = Tensor.randn(32, 4);
        for (int step = 0; step < 25; step++) {
            try (Tensor out = model.forward(x); Tensor loss = mse.forward(out, target)) {
                loss.backward();
                sgd.step();
                sgd.zeroGrad();
            }
        }
        return model.parameters().stream().map(Tensor::toFloatArray).toArray(float[][]::new);
    }

    /** Backward closes its temporaries; with retainGraph the second walk still finds what it reads. */
    @ParameterizedTest
    @DevicesSource
    void backwardWithRetainGraphTwiceGivesTheSameGradients(Device device) {
        Random rng = new Random(3);
        Tensor w = Nd.randn(rng, 5, 4).tensor(device).requiresGrad(true);
        Tensor b = Nd.randn(rng, 4).tensor(device).requiresGrad(true);
        Tensor x = Nd.randn(rng, 6, 5).tensor(device);
        // Pass-throughs (add's {g, g}), broadcasts (b) and a leaf used twice (w).
        Tensor h = x.matmul(w).add(b).relu();
        Tensor y = h.add(h).mul(x.matmul(w)).sum(1, false).mean();
        y.backward(true);
        float[] gw1 = w.grad().toFloatArray();
        float[] gb1 = b.grad().toFloatArray();
        w.zeroGrad();
        b.zeroGrad();
        y.backward(true);
        assertArrayEquals(gw1, w.grad().toFloatArray());
        assertArrayEquals(gb1, b.grad().toFloatArray());
        Tensor gw2 = w.grad();
        y.backward(); // accumulates onto the kept gradient: a new tensor, the old one untouched
        assertArrayEquals(gw1, gw2.toFloatArray());
        float[] twice = w.grad().toFloatArray();
        for (int i = 0; i < gw1.length; i++) {
            assertEquals(gw1[i] + gw1[i], twice[i], 0f);
        }
        // The same gradients from a fresh graph, walked once.
        w.zeroGrad();
        Tensor h2 = x.matmul(w).add(b).relu();
        h2.add(h2).mul(x.matmul(w)).sum(1, false).mean().backward();
        assertArrayEquals(gw1, w.grad().toFloatArray());
    }

    /** The caller's seed, a pass-through kept by a leaf, and each leaf's gradient stay open and distinct. */
    @ParameterizedTest
    @DevicesSource
    void backwardClosesNothingThatSomeoneElseHolds(Device device) {
        Random rng = new Random(5);
        Tensor a = Nd.randn(rng, 3, 4).tensor(device).requiresGrad(true);
        Tensor b = Nd.randn(rng, 3, 4).tensor(device).requiresGrad(true);
        Tensor seed = Nd.randn(rng, 3, 4).tensor(device);
        float[] seedValues = seed.toFloatArray();
        a.add(b).backward(seed, false);
        assertFalse(seed.isClosed());
        assertArrayEquals(seedValues, seed.toFloatArray());
        assertNotSame(a.grad(), b.grad());
        assertNotSame(seed, a.grad());
        assertArrayEquals(seedValues, a.grad().toFloatArray());
        assertArrayEquals(seedValues, b.grad().toFloatArray());

        Tensor c = Nd.randn(rng, 3, 4).tensor(device).requiresGrad(true);
        c.mul(2f).add(c.mul(3f)).sum().backward(); // two paths into one leaf: the sum is kept, its terms closed
        assertFalse(c.grad().isClosed());
        assertArrayEquals(new float[] {5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5}, c.grad().toFloatArray());
    }

    /** A user's backward may keep the gradient it was given: backward never closes it. */
    @Test
    void aUsersBackwardMayKeepItsGradient() {
        List<Tensor> seen = new ArrayList<>();
        AutogradFunction twice = new AutogradFunction("twice") {
            @Override
            protected Tensor forward(Context ctx, Tensor... inputs) {
                return inputs[0].mul(2f);
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor gradOutput) {
                seen.add(gradOutput);
                Tensor g = gradOutput.mul(2f);
                seen.add(g);
                return new Tensor[] {g};
            }
        };
        Tensor x = Tensor.randn(2, 3).requiresGrad(true);
        twice.apply(x.mul(3f)).mul(5f).sum().backward();
        assertFalse(seen.get(0).isClosed());
        assertArrayEquals(new float[] {5, 5, 5, 5, 5, 5}, seen.get(0).toFloatArray());
        assertArrayEquals(new float[] {10, 10, 10, 10, 10, 10}, seen.get(1).toFloatArray());
        assertArrayEquals(new float[] {30, 30, 30, 30, 30, 30}, x.grad().toFloatArray());
    }

    /** A step of a small model reuses what backward closed: fewer fresh arrays than tensors allocated. */
    @Test
    void backwardReturnsItsTemporariesToThePool() {
        Tensor.manualSeed(9);
        Sequential model = new Sequential(new Linear(30, 40), new ReLU(), new Linear(40, 5));
        MSELoss mse = new MSELoss();
        Tensor x = Tensor.randn(8, 30);
        Tensor target = Tensor.randn(8, 5);
        for (int i = 0; i < 2; i++) {
            model.forward(x).sum().backward(); // warm the shelves
        }
        Tensor out = model.forward(x);
        Tensor loss = mse.forward(out, target);
        long kept = PoolProbe.kept();
        loss.backward();
        // The seed, the loss's gradient, the output layer's input gradient, relu's: at least four closed.
        assertTrue(PoolProbe.kept() - kept >= 4, "closed by backward: " + (PoolProbe.kept() - kept));
        for (Tensor p : model.parameters()) {
            assertFalse(p.grad().isClosed());
        }
        assertFalse(out.isClosed());
        assertFalse(loss.isClosed());
    }

    @Test
    void twoThreadsAllocatingAndClosingNeverSeeEachOthersValues() throws Exception {
        int rounds = 3000;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            float mark = t + 1;
            Thread th = new Thread(() -> {
                try {
                    go.await();
                    for (int r = 0; r < rounds; r++) {
                        Tensor a = Tensor.full(Device.CPU, mark, 64 + r % 4);
                        Tensor b = a.mul(2f);
                        for (float v : b.toFloatArray()) {
                            if (v != 2 * mark) {
                                throw new AssertionError("read " + v + " where " + 2 * mark + " was written");
                            }
                        }
                        a.close();
                        b.close();
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            th.start();
            threads.add(th);
        }
        go.countDown();
        for (Thread th : threads) {
            th.join();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }
}
