package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.backend.CompareOp;
import dev.tensorj.junit.DevicesSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Comparisons, logical ops, isnan/isinf, where and masked_fill against Java references (exact:
 * bools and selected floats), on every device; cpu and cuda thus give identical results.
 */
class ComparisonTest {
    /** Shape pairs: broadcasting, 0-d, size-1 and zero-size dims, and a rank-10 plan (host loop on cuda). */
    static final List<int[][]> CASES = List.of(
            new int[][] {{3, 4}, {4}},
            new int[][] {{3, 1}, {1, 4}},
            new int[][] {{2, 3, 4}, {3, 1}},
            new int[][] {{}, {2, 3}},
            new int[][] {{2, 3}, {}},
            new int[][] {{5, 7}, {5, 7}},
            new int[][] {{0, 3}, {3}},
            new int[][] {{2, 0}, {2, 1}},
            new int[][] {{1, 1}, {1}},
            new int[][] {{2, 1, 2, 1, 2, 1, 2, 1, 2, 1}, {1, 2, 1, 2, 1, 2, 1, 2, 1, 2}});

    private static final float[] SPECIAL = {0f, -0f, 1f, -1f, 2.5f, Float.NaN, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, 3f, -3f};

    private static final String[] NAMES = {"eq", "ne", "lt", "le", "gt", "ge"};
    private static final CompareOp[] OPS = {CompareOp.EQ, CompareOp.NE, CompareOp.LT, CompareOp.LE, CompareOp.GT,
            CompareOp.GE};

    private static Tensor apply(String name, Tensor a, Tensor b) {
        switch (name) {
            case "eq": return a.eq(b);
            case "ne": return a.ne(b);
            case "lt": return a.lt(b);
            case "le": return a.le(b);
            case "gt": return a.gt(b);
            case "ge": return a.ge(b);
            case "logical_and": return a.logicalAnd(b);
            case "logical_or": return a.logicalOr(b);
            default: throw new AssertionError(name);
        }
    }

    private static Tensor apply(String name, Tensor a, float s) {
        switch (name) {
            case "eq": return a.eq(s);
            case "ne": return a.ne(s);
            case "lt": return a.lt(s);
            case "le": return a.le(s);
            case "gt": return a.gt(s);
            case "ge": return a.ge(s);
            default: throw new AssertionError(name);
        }
    }

    // ------------------------------------------------------------- reference helpers

    private static int[] broadcast(int[] a, int[] b) {
        return RefOps.broadcastShape(a, b);
    }

    /** The row-major offset in an operand of {@code shape} of output element {@code i} of {@code out}. */
    private static int source(int i, int[] out, int[] shape) {
        int off = 0;
        int stride = 1;
        int rem = i;
        for (int d = out.length - 1; d >= 0; d--) {
            int idx = rem % out[d];
            rem /= out[d];
            int sd = d - (out.length - shape.length);
            if (sd >= 0) {
                if (shape[sd] != 1) {
                    off += idx * stride;
                }
                stride *= shape[sd];
            }
        }
        return off;
    }

    private static float[] randomFloats(Random rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = rng.nextInt(3) == 0 ? (float) rng.nextGaussian() : SPECIAL[rng.nextInt(SPECIAL.length)];
        }
        return v;
    }

    private static long[] randomLongs(Random rng, int n) {
        long[] special = {0, 1, -1, 3, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 53, (1L << 53) + 1};
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = rng.nextBoolean() ? special[rng.nextInt(special.length)] : rng.nextInt(7) - 3;
        }
        return v;
    }

    private static boolean[] randomBools(Random rng, int n) {
        boolean[] v = new boolean[n];
        for (int i = 0; i < n; i++) {
            v[i] = rng.nextBoolean();
        }
        return v;
    }

    private static Tensor floats(float[] v, int[] shape, Device device) {
        return (shape.length == 0 ? Tensor.scalar(v[0]) : Tensor.of(v, shape)).to(device);
    }

    private static Tensor longs(long[] v, int[] shape, Device device) {
        return Tensor.of(v, shape.length == 0 ? new int[] {1} : shape).reshape(shape).to(device);
    }

    private static Tensor bools(boolean[] v, int[] shape, Device device) {
        return Tensor.of(v, shape.length == 0 ? new int[] {1} : shape).reshape(shape).to(device);
    }

    private static void assertBools(String what, boolean[] expected, int[] shape, Tensor t) {
        assertEquals(DType.BOOL, t.dtype(), what + ": dtype");
        assertArrayEquals(shape, t.shape(), what + ": shape");
        assertFalse(t.requiresGrad(), what + ": a comparison is outside the graph");
        assertArrayEquals(expected, t.toBooleanArray(), what);
    }

    // ------------------------------------------------------------- comparisons of two tensors

    @ParameterizedTest
    @DevicesSource
    void float32ComparisonsMatchIeee(Device device) {
        Random rng = new Random(1);
        for (int[][] c : CASES) {
            int[] out = broadcast(c[0], c[1]);
            float[] a = randomFloats(rng, Nd.numel(c[0]));
            float[] b = randomFloats(rng, Nd.numel(c[1]));
            Tensor ta = floats(a, c[0], device).requiresGrad(true);
            Tensor tb = floats(b, c[1], device);
            for (int k = 0; k < OPS.length + 2; k++) {
                String name = k < OPS.length ? NAMES[k] : k == OPS.length ? "logical_and" : "logical_or";
                CompareOp op = k < OPS.length ? OPS[k] : k == OPS.length ? CompareOp.AND : CompareOp.OR;
                boolean[] want = new boolean[Nd.numel(out)];
                for (int i = 0; i < want.length; i++) {
                    float x = a[source(i, out, c[0])];
                    float y = b[source(i, out, c[1])];
                    want[i] = op.test(x, y);
                }
                assertBools(name + " " + Arrays.toString(c[0]) + " " + Arrays.toString(c[1]) + " on " + device,
                        want, out, apply(name, ta, tb));
            }
        }
    }

    @Test
    void theReferenceIsIeee() {
        // Hand-checked: the reference itself must not be the thing under test.
        assertFalse(CompareOp.EQ.test(Float.NaN, Float.NaN));
        assertTrue(CompareOp.NE.test(Float.NaN, Float.NaN));
        assertFalse(CompareOp.LE.test(Float.NaN, 1f));
        assertFalse(CompareOp.GE.test(Float.NaN, 1f));
        assertTrue(CompareOp.EQ.test(-0f, 0f));
        assertFalse(CompareOp.LT.test(-0f, 0f));
        assertTrue(CompareOp.LT.test(Float.NEGATIVE_INFINITY, -Float.MAX_VALUE));
        assertTrue(CompareOp.AND.test(Float.NaN, -1f));
        assertFalse(CompareOp.OR.test(-0f, 0f));
        assertTrue(CompareOp.LT.test(false, true));
        assertFalse(CompareOp.GT.test(false, true));
    }

    @ParameterizedTest
    @DevicesSource
    void handPickedValues(Device device) {
        Tensor a = Tensor.of(new float[] {Float.NaN, -0f, 1f, Float.POSITIVE_INFINITY, 2f}).to(device);
        Tensor b = Tensor.of(new float[] {Float.NaN, 0f, 2f, Float.POSITIVE_INFINITY, 1f}).to(device);
        assertArrayEquals(new boolean[] {false, true, false, true, false}, a.eq(b).toBooleanArray());
        assertArrayEquals(new boolean[] {true, false, true, false, true}, a.ne(b).toBooleanArray());
        assertArrayEquals(new boolean[] {false, false, true, false, false}, a.lt(b).toBooleanArray());
        assertArrayEquals(new boolean[] {false, true, true, true, false}, a.le(b).toBooleanArray());
        assertArrayEquals(new boolean[] {false, false, false, false, true}, a.gt(b).toBooleanArray());
        assertArrayEquals(new boolean[] {false, true, false, true, true}, a.ge(b).toBooleanArray());
        assertArrayEquals(new boolean[] {true, false, false, false, false}, a.isnan().toBooleanArray());
        assertArrayEquals(new boolean[] {false, false, false, true, false}, a.isinf().toBooleanArray());
        assertArrayEquals(new boolean[] {false, true, false, false, false}, a.logicalNot().toBooleanArray());
    }

    @ParameterizedTest
    @DevicesSource
    void int64AndBoolComparisons(Device device) {
        Random rng = new Random(2);
        for (int[][] c : CASES) {
            int[] out = broadcast(c[0], c[1]);
            long[] a = randomLongs(rng, Nd.numel(c[0]));
            long[] b = randomLongs(rng, Nd.numel(c[1]));
            boolean[] p = randomBools(rng, Nd.numel(c[0]));
            boolean[] q = randomBools(rng, Nd.numel(c[1]));
            for (int k = 0; k < OPS.length; k++) {
                boolean[] wantL = new boolean[Nd.numel(out)];
                boolean[] wantB = new boolean[Nd.numel(out)];
                for (int i = 0; i < wantL.length; i++) {
                    wantL[i] = OPS[k].test(a[source(i, out, c[0])], b[source(i, out, c[1])]);
                    wantB[i] = OPS[k].test(p[source(i, out, c[0])], q[source(i, out, c[1])]);
                }
                String what = NAMES[k] + " " + Arrays.toString(c[0]) + " " + Arrays.toString(c[1]) + " on " + device;
                assertBools("int64 " + what, wantL, out, apply(NAMES[k], longs(a, c[0], device), longs(b, c[1], device)));
                assertBools("bool " + what, wantB, out, apply(NAMES[k], bools(p, c[0], device), bools(q, c[1], device)));
            }
        }
    }

    @ParameterizedTest
    @DevicesSource
    void mixedDtypesPromoteAsPyTorch(Device device) {
        Tensor f = Tensor.of(new float[] {3f, 2.5f, -1f, Float.NaN}).to(device);
        Tensor l = Tensor.of(new long[] {3, 2, -1, 0}).to(device);
        Tensor b = Tensor.of(new boolean[] {true, false, true, false}).to(device);
        assertArrayEquals(new boolean[] {true, false, true, false}, f.eq(l).toBooleanArray()); // in float32
        assertArrayEquals(new boolean[] {false, true, false, false}, f.gt(l).toBooleanArray());
        assertArrayEquals(new boolean[] {false, true, false, false}, l.lt(f).toBooleanArray());
        assertArrayEquals(new boolean[] {false, false, false, false}, f.eq(b).toBooleanArray());
        assertArrayEquals(new boolean[] {true, true, false, false}, l.gt(b).toBooleanArray()); // in int64
        assertArrayEquals(new boolean[] {false, false, false, true}, b.eq(l).toBooleanArray());
    }

    // ------------------------------------------------------------- scalars

    @ParameterizedTest
    @DevicesSource
    void scalarComparisons(Device device) {
        Random rng = new Random(3);
        float[] scalars = {0f, -0f, 1f, 2.5f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 3f};
        for (int[] shape : new int[][] {{4, 5}, {}, {0}, {2, 1, 3}}) {
            float[] a = randomFloats(rng, Nd.numel(shape));
            long[] l = randomLongs(rng, Nd.numel(shape));
            boolean[] p = randomBools(rng, Nd.numel(shape));
            Tensor ta = floats(a, shape, device);
            Tensor tl = longs(l, shape, device);
            Tensor tp = bools(p, shape, device);
            for (float s : scalars) {
                for (int k = 0; k < OPS.length; k++) {
                    boolean[] wantF = new boolean[a.length];
                    boolean[] wantL = new boolean[a.length];
                    boolean[] wantB = new boolean[a.length];
                    for (int i = 0; i < a.length; i++) {
                        wantF[i] = OPS[k].test(a[i], s);
                        boolean whole = s == Math.rint(s) && Math.abs(s) < 0x1p63f;
                        wantL[i] = whole ? OPS[k].test(l[i], (long) s) : OPS[k].test((float) l[i], s);
                        wantB[i] = OPS[k].test(p[i] ? 1f : 0f, s);
                    }
                    String what = NAMES[k] + " " + s + " " + Arrays.toString(shape) + " on " + device;
                    assertBools("float32 " + what, wantF, shape, apply(NAMES[k], ta, s));
                    assertBools("int64 " + what, wantL, shape, apply(NAMES[k], tl, s));
                    assertBools("bool " + what, wantB, shape, apply(NAMES[k], tp, s));
                }
            }
        }
    }

    @ParameterizedTest
    @DevicesSource
    void int64AgainstAWholeScalarComparesExactly(Device device) {
        // 2^53 + 1 rounds to 2^53 in float32: a float32 comparison would call them equal.
        Tensor l = Tensor.of(new long[] {(1L << 53) + 1, 1L << 53, 2, 3}).to(device);
        assertArrayEquals(new boolean[] {false, true, false, false}, l.eq(0x1p53f).toBooleanArray());
        assertArrayEquals(new boolean[] {true, false, false, false}, l.gt(0x1p53f).toBooleanArray());
        assertArrayEquals(new boolean[] {false, false, true, false}, l.lt(2.5f).toBooleanArray());
    }

    // ------------------------------------------------------------- logical ops, isnan, isinf

    @ParameterizedTest
    @DevicesSource
    void logicalOpsTakeAnyDtype(Device device) {
        Tensor f = Tensor.of(new float[] {0f, -0f, Float.NaN, 2f, -1e-40f, 0f}, 2, 3).to(device);
        Tensor l = Tensor.of(new long[] {0, 5, 0}).to(device);
        Tensor b = Tensor.of(new boolean[] {true, false}, 2, 1).to(device);
        assertArrayEquals(new boolean[] {true, true, false, false, false, true}, f.logicalNot().toBooleanArray());
        assertArrayEquals(new boolean[] {true, false, true}, l.logicalNot().toBooleanArray());
        assertArrayEquals(new boolean[] {false, true}, b.logicalNot().toBooleanArray());
        assertArrayEquals(new boolean[] {false, false, false, false, true, false}, f.logicalAnd(l).toBooleanArray());
        assertArrayEquals(new boolean[] {false, true, true, true, true, false}, f.logicalOr(l).toBooleanArray());
        assertArrayEquals(new boolean[] {false, true, false, false, false, false}, l.logicalAnd(b).toBooleanArray());
        assertArrayEquals(new boolean[] {true, true, true, false, true, false}, b.logicalOr(l).toBooleanArray());
        assertArrayEquals(new int[] {2, 3}, f.logicalAnd(b).shape());
    }

    @ParameterizedTest
    @DevicesSource
    void isnanAndIsinfOnRandomValues(Device device) {
        float[] a = randomFloats(new Random(4), 300);
        boolean[] nan = new boolean[a.length];
        boolean[] inf = new boolean[a.length];
        for (int i = 0; i < a.length; i++) {
            nan[i] = Float.isNaN(a[i]);
            inf[i] = Float.isInfinite(a[i]);
        }
        Tensor t = Tensor.of(a, 3, 100).to(device);
        assertBools("isnan", nan, new int[] {3, 100}, t.isnan());
        assertBools("isinf", inf, new int[] {3, 100}, t.isinf());
        assertBools("isnan of an empty tensor", new boolean[0], new int[] {0, 2}, Tensor.zeros(device, 0, 2).isnan());
    }

    // ------------------------------------------------------------- where and masked_fill

    /** Cond, a, b shape triples broadcast together. */
    static final List<int[][]> WHERE_CASES = List.of(
            new int[][] {{3, 4}, {3, 4}, {3, 4}},
            new int[][] {{3, 1}, {4}, {}},
            new int[][] {{4}, {3, 1}, {3, 4}},
            new int[][] {{}, {2, 3}, {2, 1}},
            new int[][] {{2, 1, 4}, {3, 1}, {1, 1, 4}},
            new int[][] {{0, 3}, {3}, {1}},
            new int[][] {{2, 1, 2, 1, 2, 1, 2, 1, 2, 1}, {1, 2, 1, 2, 1, 2, 1, 2, 1, 2}, {2, 1, 2, 1, 2, 1, 2, 1, 2, 1}});

    private static boolean[] cond(Random rng, int[] shape) {
        return randomBools(rng, Nd.numel(shape));
    }

    private static Nd refWhere(boolean[] c, int[] cs, Nd a, Nd b) {
        int[] out = broadcast(broadcast(cs, a.shape), b.shape);
        double[] v = new double[Nd.numel(out)];
        for (int i = 0; i < v.length; i++) {
            v[i] = c[source(i, out, cs)] ? a.v[source(i, out, a.shape)] : b.v[source(i, out, b.shape)];
        }
        return new Nd(v, out);
    }

    @ParameterizedTest
    @DevicesSource
    void whereSelectsWithBroadcasting(Device device) {
        Random rng = new Random(5);
        for (int[][] c : WHERE_CASES) {
            boolean[] cv = cond(rng, c[0]);
            float[] av = randomFloats(rng, Nd.numel(c[1]));
            float[] bv = randomFloats(rng, Nd.numel(c[2]));
            Nd a = new Nd(toDoubles(av), c[1]);
            Nd b = new Nd(toDoubles(bv), c[2]);
            Nd want = refWhere(cv, c[0], a, b);
            Tensor got = Functional.where(bools(cv, c[0], device), floats(av, c[1], device), floats(bv, c[2], device));
            String what = "where " + Arrays.deepToString(c) + " on " + device;
            assertEquals(DType.FLOAT32, got.dtype(), what);
            assertArrayEquals(want.shape, got.shape(), what);
            float[] g = got.toFloatArray();
            for (int i = 0; i < g.length; i++) { // bit for bit: NaN and -0 are selected, not computed
                assertEquals(Float.floatToRawIntBits((float) want.v[i]), Float.floatToRawIntBits(g[i]),
                        what + " element " + i);
            }
            Tensor method = floats(av, c[1], device).where(bools(cv, c[0], device), floats(bv, c[2], device));
            assertArrayEquals(g, method.toFloatArray(), what + ": Tensor.where");
        }
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    @ParameterizedTest
    @DevicesSource
    void whereGradientsMatchFiniteDifferences(Device device) {
        Random rng = new Random(6);
        for (int[][] c : WHERE_CASES) {
            if (Nd.numel(broadcast(broadcast(c[0], c[1]), c[2])) > 200) {
                continue; // finite differences of the rank-10 case cost too much
            }
            boolean[] cv = cond(rng, c[0]);
            Tensor condition = bools(cv, c[0], device);
            GradCheck.check("where " + Arrays.deepToString(c) + " on " + device, device, 7,
                    xs -> Functional.where(condition, xs[0], xs[1]), xs -> refWhere(cv, c[0], xs[0], xs[1]),
                    Nd.randn(rng, c[1]), Nd.randn(rng, c[2]));
        }
    }

    @ParameterizedTest
    @DevicesSource
    void whereGradientsByHand(Device device) {
        Tensor cond = Tensor.of(new boolean[] {true, false, true, false, false, true}, 2, 3).to(device);
        Tensor a = Tensor.of(new float[] {1f, 2f, 3f}).to(device).requiresGrad(true); // broadcast over rows
        Tensor b = Tensor.of(new float[] {10f, 20f, 30f, 40f, 50f, 60f}, 2, 3).to(device).requiresGrad(true);
        Tensor y = Functional.where(cond, a, b);
        assertArrayEquals(new float[] {1f, 20f, 3f, 40f, 50f, 3f}, y.toFloatArray());
        assertEquals("whereBackward", y.gradFnName());
        // Upstream gradient includes an infinity: the select must not turn it into NaN elsewhere.
        y.backward(Tensor.of(new float[] {1f, 2f, 3f, Float.POSITIVE_INFINITY, 5f, 6f}, 2, 3).to(device), false);
        assertArrayEquals(new float[] {1f, 0f, 9f}, a.grad().toFloatArray());
        assertArrayEquals(new float[] {0f, 2f, 0f, Float.POSITIVE_INFINITY, 5f, 0f}, b.grad().toFloatArray());
    }

    @ParameterizedTest
    @DevicesSource
    void maskedFillValuesAndGradient(Device device) {
        Tensor x = Tensor.of(new float[] {1f, Float.NaN, 3f, -4f, 5f, 6f}, 2, 3).to(device).requiresGrad(true);
        Tensor mask = Tensor.of(new boolean[] {false, true, true}).to(device);
        Tensor y = x.maskedFill(mask, Float.NEGATIVE_INFINITY);
        assertArrayEquals(new float[] {1f, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, -4f,
                Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}, y.toFloatArray());
        y.mul(Tensor.of(new float[] {1f, 2f, 3f, 4f, 5f, 6f}, 2, 3).to(device)).sum().backward();
        assertArrayEquals(new float[] {1f, 0f, 0f, 4f, 0f, 0f}, x.grad().toFloatArray());

        Random rng = new Random(8);
        boolean[] mv = cond(rng, new int[] {4, 1});
        Tensor m = bools(mv, new int[] {4, 1}, device);
        GradCheck.check("masked_fill on " + device, device, 9, xs -> xs[0].maskedFill(m, 2.5f),
                xs -> refWhere(mv, new int[] {4, 1}, new Nd(new double[] {2.5}), xs[0]), Nd.randn(rng, 4, 3));
    }

    @ParameterizedTest
    @DevicesSource
    void clampGradientSelectsWithWhere(Device device) {
        // clamp_'s gradient is where(min <= x <= max, g, 0): infinite bounds include infinite x
        // (the old -x + min mask gave NaN there and dropped the gradient), NaN x gets none.
        Tensor x = Tensor.of(new float[] {Float.NEGATIVE_INFINITY, -2f, 0.5f, 3f, Float.NaN, 1f}).to(device)
                .requiresGrad(true);
        Tensor y = x.mul(1f);
        y.clamp_(Float.NEGATIVE_INFINITY, 1f);
        y.backward(Tensor.of(new float[] {1f, 2f, 3f, Float.POSITIVE_INFINITY, 5f, 6f}).to(device), false);
        assertArrayEquals(new float[] {1f, 2f, 3f, 0f, 0f, 6f}, x.grad().toFloatArray());
    }

    // ------------------------------------------------------------- meta, errors, the kernel table

    @Test
    void metaGivesShapesAndDtypes() {
        Tensor f = Tensor.zeros(Device.META, 2, 1, 4);
        Tensor l = Tensor.zeros(Device.META, DType.INT64, 3, 1);
        Tensor b = Tensor.zeros(Device.META, DType.BOOL, 3, 4);
        for (Tensor t : new Tensor[] {f.eq(l), f.lt(2f), l.ge(b), f.logicalAnd(b), b.logicalOr(l)}) {
            assertEquals(DType.BOOL, t.dtype());
            assertTrue(t.device().isMeta());
        }
        assertArrayEquals(new int[] {2, 3, 4}, f.eq(l).shape());
        assertArrayEquals(new int[] {2, 1, 4}, f.isnan().shape());
        assertArrayEquals(new int[] {3, 1}, l.logicalNot().shape());
        Tensor w = Functional.where(b, f, Tensor.zeros(Device.META));
        assertEquals(DType.FLOAT32, w.dtype());
        assertArrayEquals(new int[] {2, 3, 4}, w.shape());
        Tensor x = Tensor.zeros(Device.META, 3, 4).requiresGrad(true);
        Tensor m = x.maskedFill(b, 1f);
        assertArrayEquals(new int[] {3, 4}, m.shape());
        m.sum().backward();
        assertArrayEquals(new int[] {3, 4}, x.grad().shape());
    }

    @Test
    void dtypeErrorsNameTheOpAndRole() {
        Tensor f = Tensor.zeros(2);
        Tensor l = Tensor.of(new long[] {1, 2});
        Tensor b = Tensor.of(new boolean[] {true, false});
        DTypeMismatchException e = assertThrows(DTypeMismatchException.class, () -> l.isnan());
        assertEquals("isnan", e.op());
        assertEquals(List.of("input"), e.roles());
        e = assertThrows(DTypeMismatchException.class, () -> b.isinf());
        assertEquals("isinf", e.op());
        e = assertThrows(DTypeMismatchException.class, () -> Functional.where(f, f, f));
        assertEquals("where", e.op());
        assertEquals(List.of("condition"), e.roles());
        e = assertThrows(DTypeMismatchException.class, () -> Functional.where(b, l, f));
        assertEquals(List.of("input"), e.roles());
        e = assertThrows(DTypeMismatchException.class, () -> f.where(b, l));
        assertEquals(List.of("other"), e.roles());
        e = assertThrows(DTypeMismatchException.class, () -> f.maskedFill(f, 1f));
        assertEquals("masked_fill", e.op());
        assertEquals(List.of("mask"), e.roles());
        e = assertThrows(DTypeMismatchException.class, () -> l.maskedFill(b, 1f));
        assertEquals(List.of("input"), e.roles());
    }

    @Test
    void deviceShapeAndNullErrors() {
        Tensor cpu = Tensor.zeros(2);
        Tensor meta = Tensor.zeros(Device.META, 2);
        Tensor mask = Tensor.zeros(DType.BOOL, 2);
        DeviceMismatchException d = assertThrows(DeviceMismatchException.class, () -> cpu.lt(meta));
        assertEquals("lt", d.op());
        assertEquals(List.of("input", "other"), d.roles());
        d = assertThrows(DeviceMismatchException.class, () -> Functional.where(mask, cpu, meta));
        assertEquals(List.of("condition", "input", "other"), d.roles());
        d = assertThrows(DeviceMismatchException.class, () -> meta.maskedFill(mask, 0f));
        assertEquals("masked_fill", d.op());
        ShapeMismatchException s = assertThrows(ShapeMismatchException.class, () -> cpu.eq(Tensor.zeros(3)));
        assertEquals("eq", s.op());
        s = assertThrows(ShapeMismatchException.class, () -> cpu.maskedFill(Tensor.zeros(DType.BOOL, 3, 2), 0f));
        assertEquals("masked_fill", s.op());
        NullPointerException n = assertThrows(NullPointerException.class, () -> cpu.ge((Tensor) null));
        assertEquals("ge: other is null", n.getMessage());
        Tensor closed = Tensor.zeros(2);
        closed.close();
        assertThrows(TensorClosedException.class, () -> closed.eq(1f));
    }

    @Test
    void comparisonsCutTheGraph() {
        Tensor x = Tensor.of(new float[] {1f, 2f}).requiresGrad(true);
        Tensor c = x.gt(1.5f);
        assertFalse(c.requiresGrad());
        assertNull(c.gradFnName());
    }

    @Test
    void compareOpOrdinalsAreMirroredInTheKernels() throws IOException {
        Pattern define = Pattern.compile("#define TJ_CMP_([A-Z]+) (\\d+)");
        Map<String, Integer> found = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("src/main/cuda/compare.cu"))) {
            Matcher m = define.matcher(line);
            if (m.matches()) {
                found.put(m.group(1), Integer.parseInt(m.group(2)));
            }
        }
        Map<String, Integer> expected = new LinkedHashMap<>();
        for (CompareOp op : CompareOp.values()) {
            expected.put(op.name(), op.ordinal());
        }
        assertEquals(expected, found, "src/main/cuda/compare.cu must define TJ_CMP_<NAME> as each CompareOp's ordinal");
    }

    @ParameterizedTest
    @DevicesSource
    void largeTensorsMatchTheReference(Device device) {
        Random rng = new Random(10);
        int[] as = {64, 1, 33};
        int[] bs = {7, 33};
        float[] a = randomFloats(rng, Nd.numel(as));
        float[] b = randomFloats(rng, Nd.numel(bs));
        int[] out = broadcast(as, bs);
        boolean[] want = new boolean[Nd.numel(out)];
        for (int i = 0; i < want.length; i++) {
            want[i] = a[source(i, out, as)] <= b[source(i, out, bs)];
        }
        assertBools("le large", want, out, floats(a, as, device).le(floats(b, bs, device)));
    }

}
