package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.junit.DevicesSource;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Which gradients of a user's {@link AutogradFunction} are copied: a tensor its backward made becomes
 * the leaf's gradient as it is (no copy, as in PyTorch), while an input, a saved tensor, or a tensor
 * that requires grad returned as a gradient is copied, so that the leaf never shares a tensor with
 * the user. Also: functions with no inputs, their names, and the context's index check.
 */
class AutogradFunctionOwnershipTest {

    /** A function of one or two inputs whose forward is {@code 3·x} (plus the second input) and whose backward is given. */
    private static AutogradFunction withBackward(BiFunction<AutogradFunction.Context, Tensor, Tensor[]> backward) {
        return withBackward(true, backward);
    }

    /** As above; {@code save}: whether forward saves its inputs. */
    private static AutogradFunction withBackward(boolean save,
            BiFunction<AutogradFunction.Context, Tensor, Tensor[]> backward) {
        return new AutogradFunction("Custom") {
            @Override
            protected Tensor forward(Context ctx, Tensor... in) {
                if (save) {
                    ctx.saveForBackward(in);
                }
                Tensor y = in[0].mul(3f);
                return in.length == 1 ? y : y.add(in[1]);
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor g) {
                return backward.apply(ctx, g);
            }
        };
    }

    @ParameterizedTest
    @DevicesSource
    void aGradientTheBackwardMadeBecomesTheLeafsGradientAsItIs(Device d) {
        Tensor[] made = new Tensor[1];
        Tensor x = Tensor.of(new float[] {1f, -2f}).to(d).requiresGrad(true);
        withBackward((ctx, g) -> new Tensor[] {made[0] = g.mul(3f)}).apply(x).sum().backward();
        assertSame(made[0], x.grad(), "a tensor backward made is not copied");
        assertArrayEquals(new float[] {3f, 3f}, x.grad().toFloatArray());
    }

    @ParameterizedTest
    @DevicesSource
    void anInputReturnedAsAGradientIsCopied(Device d) {
        Tensor x = Tensor.of(new float[] {1f, -2f}).to(d).requiresGrad(true);
        Tensor c = Tensor.of(new float[] {0.5f, 4f}).to(d);
        // Not the true gradient (3): c itself, not saved, so that only its being an input calls for the copy.
        withBackward(false, (ctx, g) -> new Tensor[] {c, null}).apply(x, c).sum().backward();
        assertNotSame(c, x.grad());
        assertArrayEquals(new float[] {0.5f, 4f}, x.grad().toFloatArray());
        c.close();
        assertFalse(x.grad().isClosed(), "the leaf owns its gradient");
    }

    @ParameterizedTest
    @DevicesSource
    void aGradientThatRequiresGradIsCopied(Device d) {
        Tensor w = Tensor.of(new float[] {2f, 7f}).to(d).requiresGrad(true);
        Tensor x = Tensor.of(new float[] {1f, -2f}).to(d).requiresGrad(true);
        withBackward(false, (ctx, g) -> new Tensor[] {w}).apply(x).sum().backward();
        assertNotSame(w, x.grad(), "a leaf's gradient never is another leaf");
        assertArrayEquals(new float[] {2f, 7f}, x.grad().toFloatArray());
        assertFalse(x.grad().requiresGrad());
        assertNull(w.grad());
    }

    @ParameterizedTest
    @DevicesSource
    void theGradientOfTheOutputPassedOnIsTheLeafsOwn(Device d) {
        Tensor x = Tensor.of(new float[] {1f, -2f}).to(d).requiresGrad(true);
        Tensor seed = Tensor.of(new float[] {0.25f, -8f}).to(d);
        withBackward((ctx, g) -> new Tensor[] {g}).apply(x).backward(seed, false);
        assertNotSame(seed, x.grad());
        seed.close();
        assertArrayEquals(new float[] {0.25f, -8f}, x.grad().toFloatArray(), "the caller's seed, copied");
    }

    @Test
    void aFunctionOfNoInputsRunsItsForwardOutsideTheGraph() {
        AutogradFunction constant = new AutogradFunction() {
            @Override
            protected Tensor forward(Context ctx, Tensor... in) {
                assertEquals(0, in.length);
                return Tensor.of(new float[] {1f, 2f});
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor g) {
                throw new AssertionError("never called");
            }
        };
        Tensor y = constant.apply();
        assertArrayEquals(new float[] {1f, 2f}, y.toFloatArray());
        assertFalse(y.requiresGrad());
        assertEquals("AutogradFunction", constant.name(), "an anonymous class has no simple name");
        assertEquals("AutogradFunction", constant.toString());
    }

    static final class Twice extends AutogradFunction {
        @Override
        protected Tensor forward(Context ctx, Tensor... in) {
            return in[0].mul(2f);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[] {g.mul(2f)};
        }
    }

    @Test
    void aFunctionIsNamedAfterItsClassOrItsGivenName() {
        assertEquals("Twice", new Twice().name());
        assertEquals("Twice", new Twice().toString());
        assertEquals("TwiceBackward", new Twice().apply(Tensor.of(new float[] {1f}).requiresGrad(true)).gradFnName());
        AutogradFunction named = withBackward((ctx, g) -> new Tensor[] {g});
        assertEquals("Custom", named.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AutogradFunction("") {
            @Override
            protected Tensor forward(Context ctx, Tensor... in) {
                return in[0];
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor g) {
                return new Tensor[] {g};
            }
        });
        assertEquals("AutogradFunction: name is empty", e.getMessage());
        NullPointerException n = assertThrows(NullPointerException.class, () -> new AutogradFunction("F", "a", null) {
            @Override
            protected Tensor forward(Context ctx, Tensor... in) {
                return in[0];
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor g) {
                return new Tensor[] {g};
            }
        });
        assertTrue(n.getMessage().contains("inputNames[1]"), n.getMessage());
    }

    @Test
    void needsInputGradChecksTheIndexAndSaysWhichInputsNeedOne() {
        Tensor x = Tensor.of(new float[] {1f}).requiresGrad(true);
        Tensor c = Tensor.of(new float[] {2f});
        boolean[][] seen = new boolean[1][];
        new AutogradFunction("Probe") {
            @Override
            protected Tensor forward(Context ctx, Tensor... in) {
                seen[0] = new boolean[] {ctx.needsInputGrad(0), ctx.needsInputGrad(1)};
                assertThrows(IndexOutOfBoundsException.class, () -> ctx.needsInputGrad(2));
                assertThrows(IndexOutOfBoundsException.class, () -> ctx.needsInputGrad(-1));
                return in[0].add(in[1]);
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor g) {
                return new Tensor[] {g, g};
            }
        }.apply(x, c);
        assertArrayEquals(new boolean[] {true, false}, seen[0]);
    }
    @ParameterizedTest
    @DevicesSource
    void aGradientOfTheInputsRankButAnotherSizeIsRefused(Device d) {
        Tensor x = Tensor.of(new float[] {1f, 2f, 3f, 4f, 5f, 6f}, 2, 3).to(d).requiresGrad(true);
        Tensor y = withBackward(false, (ctx, g) -> new Tensor[] {Tensor.zeros(d, 2, 4)}).apply(x);
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> y.sum().backward());
        assertEquals("CustomBackward", e.op());
        assertTrue(e.getMessage().contains("gradient of shape [2, 4] for input 0 of shape [2, 3]"), e.getMessage());
        assertNull(x.grad());
    }

    @ParameterizedTest
    @DevicesSource
    void aNullSavedEntryStaysNullAndTheOthersAreVersionChecked(Device d) {
        Tensor x = Tensor.of(new float[] {1f, -2f}).to(d).requiresGrad(true);
        Tensor c = Tensor.of(new float[] {4f, 5f}).to(d);
        AutogradFunction mul = new AutogradFunction("MulByConst") {
            @Override
            protected Tensor forward(Context ctx, Tensor... in) {
                ctx.saveForBackward(null, in[1]);
                return in[0].mul(in[1]);
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor g) {
                Tensor[] saved = ctx.savedTensors();
                assertNull(saved[0], "kept as null, as PyTorch's None");
                return new Tensor[] {g.mul(saved[1]), null};
            }
        };
        mul.apply(x, c).sum().backward(true);
        assertArrayEquals(new float[] {4f, 5f}, x.grad().toFloatArray());
        Tensor again = mul.apply(x, c);
        c.mul_(2f);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> again.sum().backward());
        assertTrue(e.getMessage().contains("'MulByConst'") && e.getMessage().contains("'mul_'"), e.getMessage());
    }
}
