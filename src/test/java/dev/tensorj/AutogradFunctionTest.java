package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.junit.DevicesSource;
import dev.tensorj.junit.Placement;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Custom autograd functions: values and gradients against the built-in ops and finite differences,
 * the graph they make, and the errors for a wrong forward, a wrong backward and misplaced inputs.
 */
class AutogradFunctionTest {
    /** exp, saving its output: d/dx e^x = e^x. */
    static final class Exp extends AutogradFunction {
        @Override
        protected Tensor forward(Context ctx, Tensor... inputs) {
            assertFalse(NoGrad.isGradEnabled(), "forward runs with grad mode off");
            Tensor y = inputs[0].exp();
            ctx.saveForBackward(y);
            return y;
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor gradOutput) {
            assertFalse(NoGrad.isGradEnabled(), "backward runs with grad mode off");
            return new Tensor[] {gradOutput.mul(ctx.savedTensors()[0])};
        }
    }

    /** {@code x·wᵀ + b} with named inputs; the bias gradient is returned as [N, out] and summed by autograd. */
    static final class MyLinear extends AutogradFunction {
        MyLinear() {
            super("MyLinear", "input", "weight", "bias");
        }

        @Override
        protected Tensor forward(Context ctx, Tensor... inputs) {
            ctx.saveForBackward(inputs[0], inputs[1]);
            return inputs[0].matmul(inputs[1].t()).add(inputs[2]);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            Tensor[] s = ctx.savedTensors();
            return new Tensor[] {
                ctx.needsInputGrad(0) ? g.matmul(s[1]) : null,
                ctx.needsInputGrad(1) ? g.t().matmul(s[0]) : null,
                ctx.needsInputGrad(2) ? g : null};
        }
    }

    /** Elementwise product, saving both inputs (broadcasting inputs get broadcast-shaped gradients). */
    static final class Mul extends AutogradFunction {
        @Override
        protected Tensor forward(Context ctx, Tensor... inputs) {
            ctx.saveForBackward(inputs[0], inputs[1]);
            return inputs[0].mul(inputs[1]);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            Tensor[] s = ctx.savedTensors();
            return new Tensor[] {g.mul(s[1]), g.mul(s[0])};
        }
    }

    /** clamp with the straight-through estimator: the gradient passes unchanged, also where clamped. */
    static final class ClampSte extends AutogradFunction {
        private final float min;
        private final float max;

        ClampSte(float min, float max) {
            this.min = min;
            this.max = max;
        }

        @Override
        protected Tensor forward(Context ctx, Tensor... inputs) {
            return inputs[0].clone().clamp_(min, max);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor gradOutput) {
            return new Tensor[] {gradOutput};
        }
    }

    /** A function whose backward is given by the test. */
    private static AutogradFunction withBackward(BiFunction<Tensor[], Tensor, Tensor[]> backward) {
        return new AutogradFunction("Custom") {
            private Tensor[] inputs;

            @Override
            protected Tensor forward(Context ctx, Tensor... in) {
                inputs = in;
                return in[0].mul(2f);
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor gradOutput) {
                return backward.apply(inputs, gradOutput);
            }
        };
    }

    // ---------------------------------------------------------------- values and gradients

    @ParameterizedTest
    @DevicesSource
    void expMatchesTheBuiltInAndFiniteDifferences(Device device) {
        Exp exp = new Exp();
        Nd a = Nd.randn(new Random(1), 3, 5);
        Tensor x = a.tensor(device).requiresGrad(true);
        Tensor y = exp.apply(x);
        assertEquals(device, y.device());
        assertEquals("ExpBackward", y.gradFnName());
        assertTrue(y.requiresGrad());
        assertArrayEquals(x.exp().toFloatArray(), y.toFloatArray(), "the same kernel as the built-in");
        Approx.assertClose("exp", y, a.map(Math::exp));
        GradCheck.check("Exp", device, 11, xs -> exp.apply(xs[0]), r -> r[0].map(Math::exp), a);
        GradCheck.check("Exp, zero-size", device, 12, xs -> exp.apply(xs[0]), r -> r[0].map(Math::exp),
                Nd.randn(new Random(2), 0, 3));
    }

    @ParameterizedTest
    @DevicesSource
    void linearMatchesTheBuiltInOnBothDevices(Device device) {
        Random rng = new Random(3);
        Nd x = Nd.randn(rng, 4, 3);
        Nd w = Nd.randn(rng, 2, 3);
        Nd b = Nd.randn(rng, 2);
        MyLinear lin = new MyLinear();
        GradCheck.check("MyLinear", device, 13, t -> lin.apply(t[0], t[1], t[2]), r -> RefOps.linear(r[0], r[1], r[2]),
                x, w, b);

        // The same inputs through the built-in linear, on this device and on the CPU.
        Tensor[] mine = {x.tensor(device).requiresGrad(true), w.tensor(device).requiresGrad(true),
            b.tensor(device).requiresGrad(true)};
        Tensor[] builtIn = {x.tensor(Device.CPU).requiresGrad(true), w.tensor(Device.CPU).requiresGrad(true),
            b.tensor(Device.CPU).requiresGrad(true)};
        Tensor up = Nd.randn(rng, 4, 2).tensor(Device.CPU);
        Tensor y = lin.apply(mine);
        assertEquals("MyLinearBackward", y.gradFnName());
        y.mul(up.to(device)).sum().backward();
        Tensor ref = Functional.linear(builtIn[0], builtIn[1], builtIn[2]);
        ref.mul(up).sum().backward();
        assertClose(ref.toFloatArray(), y.toFloatArray());
        for (int i = 0; i < 3; i++) {
            assertEquals(device, mine[i].grad().device());
            assertClose(builtIn[i].grad().toFloatArray(), mine[i].grad().toFloatArray());
        }
    }

    private static void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5 * (1 + Math.abs(expected[i])), "element " + i);
        }
    }

    @ParameterizedTest
    @DevicesSource
    void broadcastInputsGetGradientsSummedToTheirShape(Device device) {
        Random rng = new Random(4);
        Mul mul = new Mul();
        GradCheck.check("Mul [3,1]·[4]", device, 14, t -> mul.apply(t[0], t[1]), r -> RefOps.mul(r[0], r[1]),
                Nd.randn(rng, 3, 1), Nd.randn(rng, 4));
        GradCheck.check("Mul [2,3]·[]", device, 15, t -> mul.apply(t[0], t[1]), r -> RefOps.mul(r[0], r[1]),
                Nd.randn(rng, 2, 3), Nd.randn(rng));
    }

    @ParameterizedTest
    @DevicesSource
    void clampWithStraightThroughEstimator(Device device) {
        Nd a = Nd.randn(new Random(5), 4, 6).map(v -> 3 * v);
        Tensor x = a.tensor(device).requiresGrad(true);
        Tensor y = new ClampSte(-1f, 1.5f).apply(x);
        Approx.assertClose("clamp", y, a.map(v -> Math.min(Math.max(v, -1), 1.5)));
        Nd w = Nd.randn(new Random(6), 4, 6);
        y.mul(w.tensor(device)).sum().backward();
        // Straight through: ∂/∂x Σ w·ste(x) = w everywhere, clamped elements included.
        Approx.assertClose("ste gradient", x.grad(), w);
        long clamped = java.util.Arrays.stream(a.v).filter(v -> v < -1 || v > 1.5).count();
        assertTrue(clamped > 0 && clamped < a.numel(), "the inputs must reach both regions");
    }

    @ParameterizedTest
    @DevicesSource
    void aLeafUsedTwiceAccumulatesBothGradients(Device device) {
        Mul mul = new Mul();
        Exp exp = new Exp();
        // x·x + e^x through two custom functions, x reaching Mul twice: 2x + e^x.
        GradCheck.check("x·x + exp(x)", device, 16, t -> mul.apply(t[0], t[0]).add(exp.apply(t[0])),
                r -> RefOps.add(RefOps.mul(r[0], r[0]), r[0].map(Math::exp)), Nd.randn(new Random(7), 5));

        // And across two backward calls, onto the leaf's existing gradient: 2·e^x.
        Nd a = Nd.randn(new Random(8), 3);
        Tensor x = a.tensor(device).requiresGrad(true);
        exp.apply(x).sum().backward();
        exp.apply(x).sum().backward();
        Approx.assertClose("accumulated", x.grad(), a.map(v -> 2 * Math.exp(v)));
    }

    @ParameterizedTest
    @DevicesSource
    void onlyInputsThatRequireGradGetOne(Device device) {
        boolean[][] seen = new boolean[1][];
        AutogradFunction f = new AutogradFunction("Pair") {
            @Override
            protected Tensor forward(Context ctx, Tensor... in) {
                seen[0] = new boolean[] {ctx.needsInputGrad(0), ctx.needsInputGrad(1)};
                return in[0].add(in[1]);
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor g) {
                return new Tensor[] {g.mul(3f), g.mul(5f)}; // one for each, needed or not
            }
        };
        Tensor a = Tensor.randn(device, 2, 2).requiresGrad(true);
        Tensor b = Tensor.randn(device, 2, 2);
        f.apply(a, b).sum().backward();
        assertArrayEquals(new boolean[] {true, false}, seen[0]);
        assertArrayEquals(new float[] {3, 3, 3, 3}, a.grad().toFloatArray());
        assertNull(b.grad());
        assertThrows(IndexOutOfBoundsException.class, () -> withForward(ctx -> ctx.needsInputGrad(1)).apply(a));
    }

    /** A one-input function whose forward also runs {@code probe} on its context. */
    private static AutogradFunction withForward(java.util.function.Consumer<AutogradFunction.Context> probe) {
        return new AutogradFunction("Probe") {
            @Override
            protected Tensor forward(Context ctx, Tensor... in) {
                probe.accept(ctx);
                return in[0].mul(1f);
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor g) {
                return new Tensor[] {g};
            }
        };
    }

    // ---------------------------------------------------------------- the graph

    @ParameterizedTest
    @DevicesSource
    @SuppressWarnings("try")
    void noGradAndInputsWithoutGradRecordNothing(Device device) {
        Exp exp = new Exp();
        Tensor x = Tensor.randn(device, 3).requiresGrad(true);
        try (NoGrad g = NoGrad.enter()) {
            Tensor y = exp.apply(x);
            assertFalse(y.requiresGrad());
            assertTrue(y.isLeaf());
            assertNull(y.gradFnName());
        }
        Tensor z = exp.apply(Tensor.randn(device, 3));
        assertFalse(z.requiresGrad());
        assertTrue(NoGrad.isGradEnabled(), "apply restores grad mode");
    }

    @ParameterizedTest
    @DevicesSource
    void anInputReturnedAsTheOutputStaysALeaf(Device device) {
        AutogradFunction identity = new AutogradFunction("Identity") {
            @Override
            protected Tensor forward(Context ctx, Tensor... in) {
                return in[0];
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor g) {
                return new Tensor[] {g};
            }
        };
        Tensor x = Tensor.randn(device, 2, 3).requiresGrad(true);
        Tensor y = identity.apply(x);
        assertNotSame(x, y);
        assertTrue(x.isLeaf());
        assertEquals("IdentityBackward", y.gradFnName());
        assertArrayEquals(x.toFloatArray(), y.toFloatArray());
        y.mul(2f).sum().backward();
        assertArrayEquals(new float[] {2, 2, 2, 2, 2, 2}, x.grad().toFloatArray());
    }

    @ParameterizedTest
    @DevicesSource
    void aSavedTensorReturnedAsAGradientIsCopied(Device device) {
        Tensor c = Tensor.randn(device, 4);
        AutogradFunction dot = new AutogradFunction("Dot") {
            @Override
            protected Tensor forward(Context ctx, Tensor... in) {
                ctx.saveForBackward(in[1]);
                return in[0].mul(in[1]).sum();
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor g) {
                return new Tensor[] {ctx.savedTensors()[0], null}; // correct only for g = 1, as below
            }
        };
        Tensor x = Tensor.randn(device, 4).requiresGrad(true);
        dot.apply(x, c).backward();
        assertNotSame(c, x.grad(), "the leaf must own its gradient");
        assertArrayEquals(c.toFloatArray(), x.grad().toFloatArray());
        c.close();
        assertFalse(x.grad().isClosed());
    }

    @Test
    void anIntermediateInputClosedAfterForwardDoesNotMatter() {
        Tensor x = Tensor.randn(3).requiresGrad(true);
        Tensor h = x.mul(2f);
        Tensor y = new Exp().apply(h); // Exp saves its output, not h
        float[] e = y.toFloatArray();
        h.close();
        y.sum().backward();
        float[] g = x.grad().toFloatArray();
        for (int i = 0; i < 3; i++) {
            assertEquals(2 * e[i], g[i], 1e-6 * (1 + Math.abs(g[i])));
        }
    }

    @Test
    void anInt64OutputIsOutsideTheGraph() {
        AutogradFunction argmax = new AutogradFunction("Argmax") {
            @Override
            protected Tensor forward(Context ctx, Tensor... in) {
                return in[0].argmax();
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor g) {
                throw new AssertionError("never called");
            }
        };
        Tensor y = argmax.apply(Tensor.randn(5).requiresGrad(true));
        assertEquals(DType.INT64, y.dtype());
        assertFalse(y.requiresGrad());
    }

    @Test
    void metaGivesShapesAndGradientShapes() {
        Tensor x = Tensor.randn(Device.META, 4, 3).requiresGrad(true);
        Tensor w = Tensor.randn(Device.META, 2, 3).requiresGrad(true);
        Tensor b = Tensor.randn(Device.META, 2).requiresGrad(true);
        Tensor y = new MyLinear().apply(x, w, b);
        assertEquals(Device.META, y.device());
        assertArrayEquals(new int[] {4, 2}, y.shape());
        assertEquals("MyLinearBackward", y.gradFnName());
        new Exp().apply(y).sum().backward();
        assertArrayEquals(new int[] {4, 3}, x.grad().shape());
        assertArrayEquals(new int[] {2, 3}, w.grad().shape());
        assertArrayEquals(new int[] {2}, b.grad().shape());
        assertEquals(Device.META, b.grad().device());
    }

    @ParameterizedTest
    @DevicesSource
    void aSavedTensorChangedInPlaceFailsBackward(Device device) {
        // The output Exp saved, written through the tensor apply returned.
        Tensor x = Tensor.randn(device, 3).requiresGrad(true);
        Tensor y = new Exp().apply(x);
        y.add_(1f);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().contains("'Exp'") && e.getMessage().contains("add_"), e.getMessage());

        // An input Mul saved.
        Tensor a = Tensor.randn(device, 3).requiresGrad(true);
        Tensor b = Tensor.randn(device, 3);
        Tensor z = new Mul().apply(a, b);
        b.mul_(2f);
        e = assertThrows(IllegalStateException.class, () -> z.sum().backward());
        assertTrue(e.getMessage().contains("'Mul'") && e.getMessage().contains("mul_"), e.getMessage());
        assertNull(a.grad());
    }

    // ---------------------------------------------------------------- errors

    @ParameterizedTest
    @DevicesSource
    void inputsOnTwoDevicesAreRejectedBeforeForward(Device device) {
        Device other = device.isCuda() ? Device.CPU : Device.META;
        int[] forwards = {0};
        AutogradFunction counting = new AutogradFunction("Counting", "input", "weight") {
            @Override
            protected Tensor forward(Context ctx, Tensor... in) {
                forwards[0]++;
                return in[0];
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor g) {
                return new Tensor[] {g, g};
            }
        };
        Tensor x = Tensor.randn(device, 2).requiresGrad(true);
        Tensor w = Tensor.randn(other, 2);
        DeviceMismatchException[] thrown = new DeviceMismatchException[1];
        Counters.Snapshot work = Placement.of(
                () -> thrown[0] = assertThrows(DeviceMismatchException.class, () -> counting.apply(x, w))).on(device);
        DeviceMismatchException e = thrown[0];
        assertEquals("Counting", e.op());
        assertEquals(List.of("input", "weight"), e.roles());
        assertEquals(List.of(device, other), e.devices());
        assertEquals(0, forwards[0]);
        assertEquals(0, work.ops() + work.allocations(), "work before the check: " + work);

        e = assertThrows(DeviceMismatchException.class, () -> new Mul().apply(x, w));
        assertEquals("Mul", e.op());
        assertEquals(List.of("input 0", "input 1"), e.roles());

        IllegalArgumentException count = assertThrows(IllegalArgumentException.class, () -> counting.apply(x));
        assertTrue(count.getMessage().contains("Counting: expected 2 inputs (input, weight), got 1"), count.getMessage());
    }

    @ParameterizedTest
    @DevicesSource
    void nullAndClosedInputsAreNamed(Device device) {
        Exp exp = new Exp();
        Tensor x = Tensor.randn(device, 2);
        assertEquals("Mul: input 1 is null", assertThrows(NullPointerException.class,
                () -> new Mul().apply(x, null)).getMessage());
        assertEquals("Exp: inputs is null", assertThrows(NullPointerException.class,
                () -> exp.apply((Tensor[]) null)).getMessage());
        Tensor closed = Tensor.randn(device, 2);
        closed.close();
        TensorClosedException e = assertThrows(TensorClosedException.class, () -> exp.apply(closed));
        assertEquals("Exp", e.op());
        assertEquals("Probe: tensors is null", assertThrows(NullPointerException.class,
                () -> withForward(ctx -> ctx.saveForBackward((Tensor[]) null)).apply(x)).getMessage());
        assertThrows(TensorClosedException.class, () -> withForward(ctx -> ctx.saveForBackward(closed)).apply(x));
        Tensor[][] saved = new Tensor[1][];
        withForward(ctx -> {
            ctx.saveForBackward(x, null);
            saved[0] = ctx.savedTensors();
        }).apply(x);
        assertEquals(2, saved[0].length);
        assertNull(saved[0][1], "null entries are kept, as PyTorch's None");
        assertThrows(NullPointerException.class, () -> new AutogradFunction(null) {
            @Override
            protected Tensor forward(Context ctx, Tensor... in) {
                return in[0];
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor g) {
                return new Tensor[] {g};
            }
        });
    }

    @ParameterizedTest
    @DevicesSource
    void aWrongForwardIsNamed(Device device) {
        Tensor x = Tensor.randn(device, 2).requiresGrad(true);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> forwardReturning(t -> null).apply(x));
        assertTrue(e.getMessage().startsWith("Bad: forward returned null"), e.getMessage());
        DeviceMismatchException d = assertThrows(DeviceMismatchException.class,
                () -> forwardReturning(t -> t.to(Device.META)).apply(x));
        assertEquals("Bad", d.op());
        assertEquals(List.of("input 0", "output"), d.roles());
    }

    private static AutogradFunction forwardReturning(java.util.function.UnaryOperator<Tensor> forward) {
        return new AutogradFunction("Bad") {
            @Override
            protected Tensor forward(Context ctx, Tensor... in) {
                return forward.apply(in[0]);
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor g) {
                return new Tensor[] {g};
            }
        };
    }

    @ParameterizedTest
    @DevicesSource
    void aWrongBackwardIsNamed(Device device) {
        Tensor x = Tensor.randn(device, 2, 3).requiresGrad(true);

        ShapeMismatchException shape = assertThrows(ShapeMismatchException.class,
                () -> withBackward((in, g) -> new Tensor[] {g.sum(0, false)}).apply(x).sum().backward());
        assertEquals("CustomBackward", shape.op());
        assertTrue(shape.getMessage().contains("[3]") && shape.getMessage().contains("[2, 3]"), shape.getMessage());

        IllegalStateException count = assertThrows(IllegalStateException.class,
                () -> withBackward((in, g) -> new Tensor[] {g, g}).apply(x).sum().backward());
        assertTrue(count.getMessage().contains("CustomBackward: backward returned 2 gradients, expected an array of 1"),
                count.getMessage());
        IllegalStateException none = assertThrows(IllegalStateException.class,
                () -> withBackward((in, g) -> null).apply(x).sum().backward());
        assertTrue(none.getMessage().contains("CustomBackward: backward returned null"), none.getMessage());

        DTypeMismatchException dtype = assertThrows(DTypeMismatchException.class,
                () -> withBackward((in, g) -> new Tensor[] {g.to(DType.INT64)}).apply(x).sum().backward());
        assertEquals("CustomBackward", dtype.op());
        assertEquals(List.of("gradient for input 0"), dtype.roles());

        Device other = device.isCuda() ? Device.CPU : Device.META;
        DeviceMismatchException placed = assertThrows(DeviceMismatchException.class,
                () -> withBackward((in, g) -> new Tensor[] {Tensor.zeros(other, 2, 3)}).apply(x).sum().backward());
        assertEquals("CustomBackward", placed.op());
        assertEquals(List.of("gradOutput", "gradient for input 0"), placed.roles());
        assertNull(x.grad(), "a refused gradient reaches no leaf");

        // A null gradient is no gradient, as PyTorch's None.
        Tensor y = withBackward((in, g) -> new Tensor[] {null}).apply(x);
        y.sum().backward();
        assertNull(x.grad());
        // A gradient of a broadcast shape is summed back: here [4, 2, 3] onto [2, 3].
        withBackward((in, g) -> new Tensor[] {g.unsqueeze(0).expand(4, 2, 3)}).apply(x).sum().backward();
        assertArrayEquals(new float[] {4, 4, 4, 4, 4, 4}, x.grad().toFloatArray());
        assertEquals(device, x.grad().device());
    }
}
