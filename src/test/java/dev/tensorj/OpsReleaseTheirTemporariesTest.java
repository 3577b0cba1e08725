package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tensorj.junit.DevicesSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Ops free the tensors they make for themselves (dtype conversions, broadcast conditions, scalar
 * operands, the statistics a backward would read, a rule's masks) as soon as nothing reads them, on
 * every device, instead of leaving them to the garbage collector: device memory is the scarce
 * resource, and a GPU's is not freed by a collection that the JVM's own heap does not need. Measured
 * with {@link LeakReport}: once the caller has closed what the op handed out (its output, the leaves
 * and their gradients), no storage made on the device during the call is still live (the host copies
 * that move test inputs to the device are not counted).
 */
class OpsReleaseTheirTemporariesTest {
    /** What one call hands out, to be closed by the caller: outputs, leaves, gradients. */
    private interface Call {
        List<Tensor> run(Device device);
    }

    @AfterEach
    void disableTracking() {
        LeakReport.setEnabled(false);
    }

    /** Runs {@code call} once to warm up, then again while tracking, and checks nothing else stays live. */
    private static void assertReleases(String what, Device device, Call call) {
        closeAll(call.run(device)); // class loading, first-use caches
        LeakReport.setEnabled(true);
        long before = LeakReport.liveCount(device);
        List<Tensor> handedOut = call.run(device);
        closeAll(handedOut);
        long after = LeakReport.liveCount(device);
        LeakReport.setEnabled(false);
        assertEquals(before, after, what + " on " + device + ": " + (after - before)
                + " storage(s) made by the op are still live after its results were closed");
    }

    private static void closeAll(List<Tensor> ts) {
        for (Tensor t : ts) {
            if (t != null) {
                t.close();
            }
        }
    }

    private static Tensor randn(Device device, long seed, int... shape) {
        return Nd.randn(new Random(seed), shape).tensor(device);
    }

    /** {@code f} applied to leaves that require grad, then {@code sum().backward()}: all handed out. */
    private static Call backward(Function<Tensor[], Tensor> f, int[]... shapes) {
        return device -> {
            List<Tensor> out = new ArrayList<>();
            Tensor[] leaves = new Tensor[shapes.length];
            for (int i = 0; i < shapes.length; i++) {
                leaves[i] = randn(device, 10 + i, shapes[i]).requiresGrad(true);
                out.add(leaves[i]);
            }
            Tensor y = f.apply(leaves);
            Tensor s = y.sum();
            s.backward();
            out.add(y);
            out.add(s);
            for (Tensor leaf : leaves) {
                out.add(leaf.grad());
            }
            return out;
        };
    }

    @ParameterizedTest
    @DevicesSource
    void comparisonsFreeTheirConvertedOperandsAndScalars(Device device) {
        assertReleases("float32 < int64 (the int64 operand converted)", device, d -> {
            Tensor a = randn(d, 1, 2, 3);
            Tensor b = Tensor.of(new long[] {0, 1, -1}).to(d);
            return List.of(a, b, a.lt(b));
        });
        assertReleases("int64 <= float32 (the int64 operand converted)", device, d -> {
            Tensor a = Tensor.of(new long[] {0, 1, -1}).to(d);
            Tensor b = randn(d, 1, 2, 3);
            return List.of(a, b, a.le(b));
        });
        assertReleases("int64 == 0.5 (compared in float32)", device, d -> {
            Tensor a = Tensor.of(new long[] {0, 1, -1}).to(d);
            return List.of(a, a.eq(0.5f));
        });
        assertReleases("float32 > 0.25 (a 0-d operand)", device, d -> {
            Tensor a = randn(d, 2, 4);
            return List.of(a, a.gt(0.25f));
        });
        assertReleases("logical_and, logical_or of float32 tensors (converted to bool)", device, d -> {
            Tensor a = randn(d, 3, 2, 3);
            Tensor b = randn(d, 4, 3);
            return List.of(a, b, a.logicalAnd(b), a.logicalOr(b));
        });
        assertReleases("logical_not of a float32 tensor", device, d -> {
            Tensor a = randn(d, 5, 4);
            return List.of(a, a.logicalNot());
        });
        assertReleases("isinf", device, d -> {
            Tensor a = Tensor.of(new float[] {1f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN}).to(d);
            return List.of(a, a.isinf());
        });
    }

    @ParameterizedTest
    @DevicesSource
    void whereAndMaskedFillFreeTheBroadcastConditionAndTheFill(Device device) {
        assertReleases("where with a condition broadcast to the output", device, d -> {
            Tensor a = randn(d, 6, 2, 3);
            Tensor b = randn(d, 7, 2, 3);
            Tensor r = randn(d, 8, 3);
            Tensor cond = r.gt(0f);
            return List.of(a, b, r, cond, Functional.where(cond, a, b));
        });
        assertReleases("masked_fill", device, d -> {
            Tensor a = randn(d, 9, 2, 3);
            Tensor r = randn(d, 10, 3);
            Tensor mask = r.gt(0f);
            return List.of(a, r, mask, a.maskedFill(mask, -1f));
        });
        assertReleases("where's backward", device, d -> {
            Tensor a = randn(d, 11, 2, 3).requiresGrad(true);
            Tensor b = randn(d, 12, 3).requiresGrad(true);
            Tensor r = randn(d, 13, 2, 1);
            Tensor cond = r.gt(0f);
            Tensor y = Functional.where(cond, a, b);
            Tensor s = y.sum();
            s.backward();
            return List.of(a, b, r, cond, y, s, a.grad(), b.grad());
        });
    }

    @ParameterizedTest
    @DevicesSource
    void clampWithTensorBoundsFreesItsRuleMasks(Device device) {
        assertReleases("clamp(min, max) backward", device,
                backward(t -> t[0].clamp(t[1], t[2]), new int[] {2, 3}, new int[] {3}, new int[] {2, 1}));
        assertReleases("clamp(min, null) backward", device,
                backward(t -> t[0].clamp(t[1], null), new int[] {2, 3}, new int[] {3}));
        assertReleases("clamp(null, max) backward", device,
                backward(t -> t[0].clamp(null, t[1]), new int[] {2, 3}, new int[] {3}));
    }

    @ParameterizedTest
    @DevicesSource
    void mixedDtypeArithmeticFreesTheConvertedOperand(Device device) {
        assertReleases("float32 * int64 outside the graph", device, d -> {
            Tensor a = randn(d, 11, 2, 3);
            Tensor b = Tensor.of(new long[] {2, -1, 3}).to(d);
            return List.of(a, b, a.mul(b));
        });
        // In the graph the converted operand is the rule's to read (the gradient is the int64 values),
        // and freed once the rule has run.
        assertReleases("float32 * int64 backward", device, d -> {
            Tensor a = randn(d, 11, 2, 3).requiresGrad(true);
            Tensor b = Tensor.of(new long[] {2, -1, 3}).to(d);
            Tensor y = a.mul(b);
            Tensor s = y.sum();
            s.backward();
            return List.of(a, b, y, s, a.grad());
        });
        Tensor a = randn(device, 11, 2, 3).requiresGrad(true);
        a.mul(Tensor.of(new long[] {2, -1, 3}).to(device)).sum().backward();
        Approx.assertClose("d(a * int64)/da", a.grad(), new Nd(new double[] {2, -1, 3, 2, -1, 3}, 2, 3));
    }

    @ParameterizedTest
    @DevicesSource
    void lossesFreeWhatOnlyTheirBackwardWouldRead(Device device) {
        assertReleases("mse_loss outside the graph", device, d -> {
            Tensor a = randn(d, 12, 4, 3);
            Tensor b = randn(d, 13, 4, 3);
            return List.of(a, b, Functional.mseLoss(a, b));
        });
        for (String reduction : new String[] {"none", "mean", "sum"}) {
            assertReleases("cross_entropy (" + reduction + ") outside the graph", device, d -> {
                Tensor x = randn(d, 14, 4, 5);
                Tensor target = Tensor.of(new long[] {0, 4, 2, 1}).to(d);
                return List.of(x, target, Functional.crossEntropy(x, target, null, -100, reduction, 0f));
            });
        }
    }

    @ParameterizedTest
    @DevicesSource
    void reductionsAndLinearFreeTheirTemporaries(Device device) {
        assertReleases("layer_norm outside the graph", device, d -> {
            Tensor x = randn(d, 15, 3, 4);
            return List.of(x, Functional.layerNorm(x, new int[] {4}));
        });
        assertReleases("layer_norm backward to the weight only", device, d -> {
            Tensor x = randn(d, 16, 3, 4);
            Tensor w = randn(d, 17, 4).requiresGrad(true);
            Tensor y = Functional.layerNorm(x, new int[] {4}, w, null, 1e-5);
            Tensor s = y.sum();
            s.backward();
            return List.of(x, w, y, s, w.grad());
        });
        assertReleases("argmax", device, d -> {
            Tensor x = randn(d, 18, 3, 4);
            return List.of(x, x.argmax(1, false));
        });
        assertReleases("sum's backward (an expand)", device, backward(t -> t[0].sum(0, false), new int[] {3, 4}));
        assertReleases("fused linear + relu backward", device,
                backward(t -> Functional.linearRelu(t[0], t[1], t[2]), new int[] {3, 4}, new int[] {2, 4}, new int[] {2}));
    }

    @ParameterizedTest
    @DevicesSource
    void unaryRulesFreeTheirTemporaries(Device device) {
        assertReleases("sin backward", device, backward(t -> t[0].sin(), new int[] {2, 3}));
        assertReleases("cos backward", device, backward(t -> t[0].cos(), new int[] {2, 3}));
        assertReleases("abs backward", device, backward(t -> t[0].abs(), new int[] {2, 3}));
        assertReleases("expm1 backward", device, backward(t -> t[0].expm1(), new int[] {2, 3}));
        assertReleases("log1p backward", device, backwardOnPositive(Tensor::log1p));
        assertReleases("sqrt backward", device, backwardOnPositive(Tensor::sqrt));
        assertReleases("rsqrt backward", device, backwardOnPositive(Tensor::rsqrt));
        assertReleases("reciprocal backward", device, backwardOnPositive(Tensor::reciprocal));
    }

    /** As {@link #backward}, on one leaf of positive values (away from the poles of log1p, sqrt, rsqrt, 1/x). */
    private static Call backwardOnPositive(Function<Tensor, Tensor> f) {
        return device -> {
            Tensor leaf = Tensor.of(new float[] {0.5f, 1.5f, 2.5f, 0.75f, 1.25f, 3f}, 2, 3).to(device).requiresGrad(true);
            Tensor y = f.apply(leaf);
            Tensor s = y.sum();
            s.backward();
            return java.util.Arrays.asList(leaf, y, s, leaf.grad());
        };
    }

    @ParameterizedTest
    @DevicesSource
    void normsFreeTheirIntermediatesOutsideTheGraph(Device device) {
        for (double p : new double[] {0, 1, 2, 3, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            assertReleases("norm(p=" + p + ") outside the graph", device, d -> {
                Tensor x = randn(d, 19, 3, 4);
                return List.of(x, x.norm(p, 1, false));
            });
        }
        for (double p : new double[] {2, Double.POSITIVE_INFINITY}) {
            assertReleases("norm(p=" + p + ") backward", device, backward(t -> t[0].norm(p, 1, false), new int[] {3, 4}));
        }
    }
}
