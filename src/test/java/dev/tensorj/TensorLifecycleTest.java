package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.junit.DevicesSource;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * A tensor's life: memory shared by {@code detach()} and {@code setData} lives until the last
 * tensor holding it closes, closing twice releases once, a tensor saved by several graph nodes
 * keeps its memory until the last of them has run its backward; and the leaf operations
 * ({@code requiresGrad}, {@code setData}, {@code setGrad}, {@code backward(gradient)}) check their
 * arguments before they change anything.
 */
class TensorLifecycleTest {

    private static Tensor on(Device d, float... v) {
        return Tensor.of(v).to(d);
    }

    @ParameterizedTest
    @DevicesSource
    void closingTwiceReleasesTheSharedMemoryOnce(Device d) {
        Tensor t = on(d, 1f, -2f, 3f);
        Tensor shared = t.detach();
        t.close();
        t.close();
        assertTrue(t.isClosed());
        assertFalse(shared.isClosed());
        Tensor next = Tensor.full(d, 9f, 3); // would be handed the memory, were it released
        assertArrayEquals(new float[] {1f, -2f, 3f}, shared.toFloatArray(),
                "the detached tensor still holds the memory: a second close must not release it again");
        assertArrayEquals(new float[] {9f, 9f, 9f}, next.toFloatArray());
        TensorClosedException e = assertThrows(TensorClosedException.class, t::toFloatArray);
        assertEquals("toFloatArray", e.op());
        assertTrue(e.getMessage().contains("[3] on " + d), e.getMessage());
    }

    @ParameterizedTest
    @DevicesSource
    void aViewKeepsItsBasesMemoryAndSeesItsWrites(Device d) {
        Tensor base = on(d, 1f, 2f, 3f, 4f);
        Tensor view = base.reshape(2, 2);
        base.close();
        assertArrayEquals(new float[] {1f, 2f, 3f, 4f}, view.toFloatArray());
        Tensor again = view.reshape(4);
        view.add_(1f);
        assertArrayEquals(new float[] {2f, 3f, 4f, 5f}, again.toFloatArray(), "a view of a view shares the data");
    }

    @ParameterizedTest
    @DevicesSource
    void aTensorSavedByTwoGraphsLivesUntilBothBackwardsRan(Device d) {
        Tensor a = on(d, 3f, -6f);
        Tensor w1 = on(d, 2f, 5f).requiresGrad(true);
        Tensor w2 = on(d, -1f, 4f).requiresGrad(true);
        Tensor loss1 = a.mul(w1).sum(); // saves a for w1's gradient
        Tensor loss2 = a.mul(w2).sum(); // and again for w2's
        a.close();
        assertTrue(a.isClosed());
        loss1.backward();
        assertArrayEquals(new float[] {3f, -6f}, a.toFloatArray(), "the second graph still needs it: it reads");
        assertArrayEquals(new float[] {3f, -6f}, w1.grad().toFloatArray());
        loss2.backward();
        assertArrayEquals(new float[] {3f, -6f}, w2.grad().toFloatArray(), "its gradient read the saved values");
        assertThrows(TensorClosedException.class, a::toFloatArray, "freed with the last graph that saved it");
        assertTrue(a.isClosed());
        a.close();
        assertTrue(a.isClosed(), "closing it again is harmless");
    }

    @ParameterizedTest
    @DevicesSource
    void aSavedTensorNeverClosedStaysOpenAfterItsBackward(Device d) {
        Tensor p = on(d, 0.5f, 2f).requiresGrad(true);
        Tensor a = p.exp();
        a.mul(a).sum().backward();
        assertFalse(a.isClosed(), "the graph let go of it; its owner did not close it");
        assertArrayEquals(new float[] {(float) Math.exp(0.5), (float) Math.exp(2)}, a.toFloatArray(), 1e-6f);
    }

    @ParameterizedTest
    @DevicesSource
    void setDataSharesTheSourcesMemoryDeviceAndVersion(Device d) {
        Tensor p = Tensor.of(new float[] {1f, 2f}).requiresGrad(true);
        Tensor src = on(d, 7f, 8f);
        Tensor w = on(d, 3f, 3f).requiresGrad(true);
        p.setData(src);
        assertEquals(d, p.device(), "the tensor moves to the source's device");
        assertTrue(p.requiresGrad());
        Tensor z = w.mul(src); // saves src
        try (NoGrad g = NoGrad.enter()) {
            p.add_(1f); // a write through p is a write to src's data
        }
        assertArrayEquals(new float[] {8f, 9f}, src.toFloatArray());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> z.sum().backward());
        assertTrue(e.getMessage().contains("'add_'"), "the write shows in the version src shares: " + e.getMessage());
        src.close();
        assertArrayEquals(new float[] {8f, 9f}, p.toFloatArray(), "p holds its own reference to the memory");
    }

    @ParameterizedTest
    @DevicesSource
    void setDataRefusesBadSourcesAndChangesNothing(Device d) {
        Tensor p = on(d, 1f, 2f).requiresGrad(true);
        assertThrows(NullPointerException.class, () -> p.setData(null));
        ShapeMismatchException s = assertThrows(ShapeMismatchException.class, () -> p.setData(on(d, 1f, 2f, 3f)));
        assertTrue(s.getMessage().contains("source of shape [3] does not match the tensor's shape [2]"), s.getMessage());
        assertThrows(DTypeMismatchException.class, () -> p.setData(Tensor.of(new long[] {1, 2}).to(d)));
        Tensor closed = on(d, 5f, 6f);
        closed.close();
        TensorClosedException c = assertThrows(TensorClosedException.class, () -> p.setData(closed));
        assertTrue(c.getMessage().startsWith("setData: source"), c.getMessage());
        Tensor computed = p.mul(2f);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> computed.setData(on(d, 0f, 0f)));
        assertTrue(e.getMessage().contains("'mul'"), e.getMessage());
        assertArrayEquals(new float[] {1f, 2f}, p.toFloatArray(), "refused calls change nothing");
        assertArrayEquals(new float[] {2f, 4f}, computed.toFloatArray());
        Tensor gone = on(d, 1f, 2f);
        gone.close();
        TensorClosedException g = assertThrows(TensorClosedException.class, () -> gone.setData(on(d, 3f, 4f)));
        assertTrue(g.getMessage().startsWith("setData: self"), g.getMessage());
        g = assertThrows(TensorClosedException.class, () -> gone.setData(closed));
        assertTrue(g.getMessage().startsWith("setData: self"), "self is checked first: " + g.getMessage());
    }

    @ParameterizedTest
    @DevicesSource
    void setGradChecksItsArgumentAndKeepsTheCallersTensor(Device d) {
        Tensor p = on(d, 1f, 2f).requiresGrad(true);
        assertThrows(ShapeMismatchException.class, () -> p.setGrad(on(d, 1f)));
        assertThrows(DTypeMismatchException.class, () -> p.setGrad(Tensor.of(new long[] {1, 2}).to(d)));
        IllegalArgumentException self = assertThrows(IllegalArgumentException.class, () -> p.setGrad(p));
        assertTrue(self.getMessage().contains("its own gradient"), self.getMessage());
        if (!d.isCpu()) {
            assertThrows(DeviceMismatchException.class, () -> p.setGrad(Tensor.of(new float[] {1f, 2f})));
        }
        assertNull(p.grad(), "refused calls set nothing");
        Tensor g = on(d, 0.5f, -0.5f);
        p.setGrad(g);
        p.setGrad(g);
        assertSame(g, p.grad());
        assertFalse(g.isClosed(), "setting the same gradient again does not close it");
        p.mul(p).sum().backward();
        assertArrayEquals(new float[] {2.5f, 3.5f}, p.grad().toFloatArray(), "accumulated onto the given gradient");
        assertArrayEquals(new float[] {0.5f, -0.5f}, g.toFloatArray(), "into a new tensor: the caller's is unchanged");
    }

    @ParameterizedTest
    @DevicesSource
    void requiresGradIsForFloatLeavesOnly(Device d) {
        Tensor ints = Tensor.of(new long[] {1, 2}).to(d);
        assertThrows(DTypeMismatchException.class, () -> ints.requiresGrad(true));
        assertFalse(ints.requiresGrad());
        assertSame(ints, ints.requiresGrad(false), "turning it off is allowed for any dtype");
        Tensor x = on(d, 1f).requiresGrad(true);
        Tensor y = x.exp();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.requiresGrad(false));
        assertTrue(e.getMessage().contains("'exp'") && e.getMessage().contains("detach()"), e.getMessage());
        assertTrue(y.requiresGrad());
        assertFalse(y.isLeaf());
        assertTrue(x.isLeaf());
        Tensor cut = x.to(DType.INT64);
        assertFalse(cut.requiresGrad(), "a conversion to int64 cuts the graph");
        assertTrue(cut.isLeaf());
    }

    @ParameterizedTest
    @DevicesSource
    void backwardWithAGradientChecksItAndScalesTheResult(Device d) {
        Random rng = new Random(3);
        Nd xs = Nd.randn(rng, 2, 3);
        Nd gs = Nd.randn(rng, 2, 3);
        Tensor x = xs.tensor(d).requiresGrad(true);
        Tensor y = x.mul(x);
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                () -> y.backward(Tensor.ones(d, 3, 2), false));
        assertTrue(e.getMessage().contains("gradient of shape [3, 2] does not match the tensor's shape [2, 3]"),
                e.getMessage());
        assertNull(x.grad(), "a refused backward computes nothing");
        Tensor seed = gs.tensor(d);
        y.backward(seed, false);
        double[] ref = new double[6];
        for (int i = 0; i < 6; i++) {
            ref[i] = 2 * xs.v[i] * gs.v[i];
        }
        Approx.assertClose("2x·g", x.grad(), new Nd(ref, 2, 3));
        seed.close();
        assertFalse(x.grad().isClosed(), "the leaf's gradient never is the caller's seed");
    }

    @ParameterizedTest
    @DevicesSource
    void backwardOfAClosedOrIntTensorIsRefused(Device d) {
        Tensor x = on(d, 1f, 2f).requiresGrad(true);
        Tensor loss = x.sum();
        loss.close();
        assertThrows(TensorClosedException.class, loss::backward);
        assertThrows(DTypeMismatchException.class, () -> Tensor.of(new long[] {1}).to(d).backward(
                Tensor.ones(d, 1), false));
        assertThrows(IllegalArgumentException.class, () -> Tensor.scalar(1f).to(d).size(0),
                "a 0-d tensor has no dimension to size");
        assertEquals(3, Tensor.zeros(d, 2, 3).size(-1));
    }
    /**
     * Moving a meta tensor to a device with data is refused as a read of meta, before the target is
     * touched: the same error whether or not CUDA can be used here.
     */
    @Test
    void aMetaTensorIsRefusedBeforeItsTargetDeviceIsTouched() {
        Tensor m = Tensor.zeros(Device.META, 2, 5);
        for (Device target : new Device[] {Device.CPU, Device.cuda(0)}) {
            MetaTensorReadException e = assertThrows(MetaTensorReadException.class, () -> m.to(target));
            assertEquals("to", e.op());
            assertTrue(e.getMessage().contains("cannot copy it to " + target) && e.getMessage().contains("[2, 5]"),
                    e.getMessage());
        }
        assertSame(m, m.to(Device.META), "already there: the same tensor");
    }
}
