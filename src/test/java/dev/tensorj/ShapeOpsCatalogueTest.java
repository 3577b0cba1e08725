package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.junit.DevicesSource;
import dev.tensorj.junit.Placement;
import dev.tensorj.junit.RequiresCuda;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * The shape ops of issue 13 (unsqueeze, squeeze, flatten): shapes against a reference computed
 * here by list arithmetic, values (row-major order kept, every dtype), shared memory, gradients,
 * meta shapes, typed errors naming the op, and cpu against cuda.
 */
class ShapeOpsCatalogueTest {
    /** Shapes with size-1 and zero-size dimensions, 0-d included. */
    private static final int[][] SHAPES = {{}, {1}, {5}, {2, 3}, {1, 4, 1}, {2, 0, 3}, {3, 1, 2, 1}, {1, 1}};

    private static List<Integer> list(int[] s) {
        List<Integer> l = new ArrayList<>();
        for (int d : s) {
            l.add(d);
        }
        return l;
    }

    private static int[] array(List<Integer> l) {
        return l.stream().mapToInt(Integer::intValue).toArray();
    }

    static int[] refUnsqueeze(int[] s, int dim) {
        List<Integer> l = list(s);
        l.add(dim < 0 ? dim + s.length + 1 : dim, 1);
        return array(l);
    }

    static int[] refSqueeze(int[] s) {
        List<Integer> l = list(s);
        l.removeIf(d -> d == 1);
        return array(l);
    }

    static int[] refSqueeze(int[] s, int dim) {
        if (s.length == 0) {
            return s;
        }
        int d = dim < 0 ? dim + s.length : dim;
        List<Integer> l = list(s);
        if (l.get(d) == 1) {
            l.remove(d);
        }
        return array(l);
    }

    static int[] refFlatten(int[] s, int start, int end) {
        if (s.length == 0) {
            return new int[] {1};
        }
        int a = start < 0 ? start + s.length : start;
        int b = end < 0 ? end + s.length : end;
        List<Integer> l = new ArrayList<>(list(s).subList(0, a));
        int prod = 1;
        for (int i = a; i <= b; i++) {
            prod *= s[i];
        }
        l.add(prod);
        l.addAll(list(s).subList(b + 1, s.length));
        return array(l);
    }

    /** Every (op name, tensor op, reference shape) case valid for shape {@code s}. */
    record Case(String name, Function<Tensor, Tensor> op, int[] expected) {}

    static List<Case> cases(int[] s) {
        List<Case> cases = new ArrayList<>();
        int r = s.length;
        for (int d = -r - 1; d <= r; d++) {
            int dim = d;
            cases.add(new Case("unsqueeze(" + d + ")", x -> x.unsqueeze(dim), refUnsqueeze(s, d)));
        }
        cases.add(new Case("squeeze()", Tensor::squeeze, refSqueeze(s)));
        for (int d = -Math.max(r, 1); d < Math.max(r, 1); d++) {
            int dim = d;
            cases.add(new Case("squeeze(" + d + ")", x -> x.squeeze(dim), refSqueeze(s, d)));
        }
        cases.add(new Case("flatten()", Tensor::flatten, refFlatten(s, 0, -1)));
        for (int a = -Math.max(r, 1); a < Math.max(r, 1); a++) {
            for (int b = -Math.max(r, 1); b < Math.max(r, 1); b++) {
                int na = a < 0 ? a + Math.max(r, 1) : a;
                int nb = b < 0 ? b + Math.max(r, 1) : b;
                if (na <= nb) {
                    int start = a;
                    int end = b;
                    cases.add(new Case("flatten(" + a + ", " + b + ")", x -> x.flatten(start, end),
                            refFlatten(s, a, b)));
                }
            }
        }
        return cases;
    }

    @ParameterizedTest
    @DevicesSource
    void shapesAndValuesMatchReferenceForEveryDtype(Device device) {
        Random rng = new Random(1301);
        for (int[] s : SHAPES) {
            int n = Nd.numel(s);
            float[] f = new float[n];
            long[] l = new long[n];
            boolean[] b = new boolean[n];
            for (int i = 0; i < n; i++) {
                f[i] = (float) rng.nextGaussian();
                l[i] = rng.nextLong();
                b[i] = rng.nextBoolean();
            }
            Tensor xf = Tensor.of(f, s.length == 0 ? new int[] {1} : s).reshape(s).to(device);
            Tensor xl = Tensor.of(l, s.length == 0 ? new int[] {1} : s).reshape(s).to(device);
            Tensor xb = Tensor.of(b, s.length == 0 ? new int[] {1} : s).reshape(s).to(device);
            for (Case c : cases(s)) {
                String what = c.name + " of " + Arrays.toString(s) + " on " + device;
                Tensor yf = c.op.apply(xf);
                Tensor yl = c.op.apply(xl);
                Tensor yb = c.op.apply(xb);
                assertArrayEquals(c.expected, yf.shape(), what + ": float32 shape");
                assertArrayEquals(c.expected, yl.shape(), what + ": int64 shape");
                assertArrayEquals(c.expected, yb.shape(), what + ": bool shape");
                assertEquals(DType.FLOAT32, yf.dtype(), what);
                assertEquals(DType.INT64, yl.dtype(), what);
                assertEquals(DType.BOOL, yb.dtype(), what);
                assertEquals(device, yf.device(), what);
                assertArrayEquals(f, yf.toFloatArray(), what + ": float32 values");
                assertArrayEquals(l, yl.toLongArray(), what + ": int64 values");
                assertArrayEquals(b, yb.toBooleanArray(), what + ": bool values");
            }
        }
    }

    @ParameterizedTest
    @DevicesSource
    void viewsShareMemoryWithTheirBase(Device device) {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 1, 3).to(device);
        Tensor u = x.unsqueeze(0);
        Tensor s = x.squeeze();
        Tensor s1 = x.squeeze(1);
        Tensor f = x.flatten();
        Tensor f12 = x.flatten(1, 2);
        x.mul_(10f);
        float[] expected = {10, 20, 30, 40, 50, 60};
        for (Tensor v : new Tensor[] {u, s, s1, f, f12}) {
            assertArrayEquals(expected, v.toFloatArray(), "a view sees its base's in-place change");
        }
        f.add_(1f); // and the base sees a view's
        assertArrayEquals(new float[] {11, 21, 31, 41, 51, 61}, x.toFloatArray());
    }

    @ParameterizedTest
    @DevicesSource
    void gradientsReshapeBack(Device device) {
        long seed = 1310;
        for (int[] s : new int[][] {{}, {3}, {2, 1, 3}, {1, 4, 1}, {2, 3, 2}}) {
            for (Case c : cases(s)) {
                Nd a = Nd.randn(new Random(seed), s);
                int[] expected = c.expected;
                // squared, so that a wrong gradient's values (not just its shape) show
                GradCheck.check(c.name + " of " + Arrays.toString(s), device, seed++,
                        xs -> c.op.apply(xs[0]).mul(c.op.apply(xs[0])),
                        xs -> RefOps.mul(RefOps.reshape(xs[0], expected), RefOps.reshape(xs[0], expected)), a);
            }
        }
    }

    @Test
    void chainedViewsGradientReachesTheLeaf() {
        Nd a = Nd.randn(new Random(1320), 2, 3);
        GradCheck.check("unsqueeze.flatten.squeeze", Device.CPU, 1321,
                xs -> xs[0].unsqueeze(1).flatten(0, 1).unsqueeze(-1).squeeze().mul(xs[0].flatten().reshape(2, 3)),
                xs -> RefOps.mul(xs[0], xs[0]), a);
    }

    @Test
    void metaTensorsGetShapes() {
        for (int[] s : SHAPES) {
            Tensor x = Tensor.zeros(Device.META, s);
            for (Case c : cases(s)) {
                Tensor y = c.op.apply(x);
                assertArrayEquals(c.expected, y.shape(), c.name + " of " + Arrays.toString(s) + " on meta");
                assertEquals(Device.META, y.device());
            }
        }
    }

    @Test
    void badDimensionsAreTypedAndNameTheOp() {
        Tensor x = Tensor.zeros(2, 1, 3);
        assertThrowsNaming(IllegalArgumentException.class, "unsqueeze: ", "[2, 1, 3]", () -> x.unsqueeze(4));
        assertThrowsNaming(IllegalArgumentException.class, "unsqueeze: ", "-5", () -> x.unsqueeze(-5));
        assertThrowsNaming(IllegalArgumentException.class, "squeeze: ", "3", () -> x.squeeze(3));
        assertThrowsNaming(IllegalArgumentException.class, "squeeze: ", "-4", () -> x.squeeze(-4));
        assertThrowsNaming(IllegalArgumentException.class, "flatten: ", "3", () -> x.flatten(0, 3));
        assertThrowsNaming(IllegalArgumentException.class, "flatten: ", "comes after", () -> x.flatten(2, 1));
        assertThrowsNaming(IllegalArgumentException.class, "flatten: ", "comes after", () -> x.flatten(-1, 0));
        Tensor scalar = Tensor.scalar(3f);
        assertThrowsNaming(IllegalArgumentException.class, "unsqueeze: ", "2", () -> scalar.unsqueeze(2));
        assertThrowsNaming(IllegalArgumentException.class, "squeeze: ", "1", () -> scalar.squeeze(1));
        assertArrayEquals(new int[] {1}, scalar.unsqueeze(-1).shape());
        Tensor closed = Tensor.zeros(2);
        closed.close();
        assertThrows(TensorClosedException.class, closed::flatten);
        assertThrows(TensorClosedException.class, () -> closed.unsqueeze(0));
    }

    private static <T extends Throwable> void assertThrowsNaming(Class<T> type, String prefix, String detail,
            org.junit.jupiter.api.function.Executable call) {
        T e = assertThrows(type, call);
        assertTrue(e.getMessage().startsWith(prefix), () -> "message names the op: " + e.getMessage());
        assertTrue(e.getMessage().contains(detail), () -> "message names " + detail + ": " + e.getMessage());
    }

    @Test
    @RequiresCuda
    void cudaMatchesCpu() {
        Tensor cpu = Tensor.randn(3, 1, 4);
        Tensor cuda = cpu.to(Device.cuda(0));
        for (Case c : cases(cpu.shape())) {
            Tensor a = c.op.apply(cpu);
            Tensor b = c.op.apply(cuda).to(Device.CPU);
            assertArrayEquals(a.shape(), b.shape(), c.name);
            assertArrayEquals(a.toFloatArray(), b.toFloatArray(), c.name);
        }
    }

    // ---------------------------------------------------------------- copying ops: permute ... chunk

    /** A copying op and its reference: the output shape and, per output element, the input element it reads. */
    record Copy(String name, Function<Tensor, Tensor> op, int[] shape, java.util.function.IntUnaryOperator source) {}

    static int[] unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }

    static int ravel(int[] idx, int[] shape) {
        int flat = 0;
        for (int d = 0; d < shape.length; d++) {
            flat = flat * shape[d] + idx[d];
        }
        return flat;
    }

    /** Python's range(start, end, step) over a dimension of {@code size}, bounds as a slice's. */
    static List<Integer> sliceIndices(int size, int start, int end, int step) {
        int a = start < 0 ? Math.max(0, start + size) : Math.min(start, size);
        int b = end < 0 ? Math.max(0, end + size) : Math.min(end, size);
        List<Integer> l = new ArrayList<>();
        for (int i = a; i < b; i += step) {
            l.add(i);
        }
        return l;
    }

    static List<Copy> copies(int[] s) {
        List<Copy> c = new ArrayList<>();
        int r = s.length;
        // every permutation of up to 3 dimensions, a few of 4
        for (int[] p : permutations(r)) {
            int[] out = new int[r];
            for (int i = 0; i < r; i++) {
                out[i] = s[p[i]];
            }
            int[] dims = p.clone();
            if (r > 0) {
                dims[0] = p[0] - r; // a negative dimension too
            }
            c.add(new Copy("permute" + Arrays.toString(dims), x -> x.permute(dims), out, o -> {
                int[] oi = unravel(o, out);
                int[] ii = new int[r];
                for (int i = 0; i < r; i++) {
                    ii[p[i]] = oi[i];
                }
                return ravel(ii, s);
            }));
        }
        for (int a = 0; a < Math.max(r, 1); a++) {
            for (int b = 0; b < Math.max(r, 1); b++) {
                int d0 = a;
                int d1 = b - Math.max(r, 1);
                int[] out = s.clone();
                if (r > 0) {
                    out[a] = s[b];
                    out[b] = s[a];
                }
                c.add(new Copy("transpose(" + d0 + ", " + d1 + ")", x -> x.transpose(d0, d1), out, o -> {
                    int[] ii = unravel(o, out);
                    if (r > 0) {
                        int t = ii[d0];
                        ii[d0] = ii[d1 + r];
                        ii[d1 + r] = t;
                    }
                    return ravel(ii, s);
                }));
            }
        }
        // expand: stretch each size-1 dimension to 3 (or 0), keep the others with -1, add a leading 2
        for (int stretch : new int[] {3, 0}) {
            int[] sizes = new int[r + 1];
            int[] out = new int[r + 1];
            sizes[0] = 2;
            out[0] = 2;
            for (int i = 0; i < r; i++) {
                sizes[i + 1] = s[i] == 1 ? stretch : -1;
                out[i + 1] = s[i] == 1 ? stretch : s[i];
            }
            c.add(new Copy("expand" + Arrays.toString(sizes), x -> x.expand(sizes), out, o -> {
                int[] oi = unravel(o, out);
                int[] ii = new int[r];
                for (int i = 0; i < r; i++) {
                    ii[i] = s[i] == 1 ? 0 : oi[i + 1];
                }
                return ravel(ii, s);
            }));
        }
        for (int d = 0; d < r; d++) {
            int dim = d;
            int size = s[d];
            for (int start = -size; start <= size; start++) {
                for (int len = 0; len <= size - (start < 0 ? start + size : start); len++) {
                    int st = start;
                    int ln = len;
                    int[] out = s.clone();
                    out[d] = len;
                    int from = start < 0 ? start + size : start;
                    c.add(new Copy("narrow(" + d + ", " + start + ", " + len + ")", x -> x.narrow(dim, st, ln), out,
                            o -> {
                                int[] ii = unravel(o, out);
                                ii[dim] += from;
                                return ravel(ii, s);
                            }));
                }
            }
            for (int index = -size; index < size; index++) {
                int ix = index;
                int[] out = new int[r - 1];
                for (int i = 0, j = 0; i < r; i++) {
                    if (i != d) {
                        out[j++] = s[i];
                    }
                }
                int at = index < 0 ? index + size : index;
                c.add(new Copy("select(" + (d - r) + ", " + index + ")", x -> x.select(dim - r, ix), out, o -> {
                    int[] oi = unravel(o, out);
                    int[] ii = new int[r];
                    for (int i = 0, j = 0; i < r; i++) {
                        ii[i] = i == dim ? at : oi[j++];
                    }
                    return ravel(ii, s);
                }));
            }
            for (int[] sl : new int[][] {{0, size, 1}, {1, size, 2}, {-2, Integer.MAX_VALUE, 1}, {-100, 100, 3},
                    {2, 1, 1}, {0, -1, 2}, {size, size + 5, 1}}) {
                List<Integer> picked = sliceIndices(size, sl[0], sl[1], sl[2]);
                int[] out = s.clone();
                out[d] = picked.size();
                c.add(new Copy("slice(" + d + ", " + sl[0] + ", " + sl[1] + ", " + sl[2] + ")",
                        x -> x.slice(dim, sl[0], sl[1], sl[2]), out, o -> {
                            int[] ii = unravel(o, out);
                            ii[dim] = picked.get(ii[dim]);
                            return ravel(ii, s);
                        }));
            }
        }
        return c;
    }

    static List<int[]> permutations(int r) {
        List<int[]> all = new ArrayList<>();
        permute(new int[r], new boolean[r], 0, all);
        return r <= 3 ? all : all.subList(0, 24).stream().filter(p -> p[0] + p[1] != 1).toList();
    }

    private static void permute(int[] p, boolean[] used, int at, List<int[]> all) {
        if (at == p.length) {
            all.add(p.clone());
            return;
        }
        for (int i = 0; i < p.length; i++) {
            if (!used[i]) {
                used[i] = true;
                p[at] = i;
                permute(p, used, at + 1, all);
                used[i] = false;
            }
        }
    }

    private static final int[][] COPY_SHAPES = {{}, {4}, {2, 3}, {1, 3}, {3, 0, 2}, {2, 1, 3, 2}};

    @ParameterizedTest
    @DevicesSource
    void copiesMatchIndexReferenceForEveryDtype(Device device) {
        Random rng = new Random(1330);
        for (int[] s : COPY_SHAPES) {
            int n = Nd.numel(s);
            float[] f = new float[n];
            long[] l = new long[n];
            boolean[] b = new boolean[n];
            for (int i = 0; i < n; i++) {
                f[i] = (float) rng.nextGaussian();
                l[i] = rng.nextLong();
                b[i] = rng.nextBoolean();
            }
            int[] flat = {n};
            Tensor xf = Tensor.of(f, flat).reshape(s).to(device);
            Tensor xl = Tensor.of(l, flat).reshape(s).to(device);
            Tensor xb = Tensor.of(b, flat).reshape(s).to(device);
            for (Copy c : copies(s)) {
                String what = c.name + " of " + Arrays.toString(s) + " on " + device;
                int m = Nd.numel(c.shape);
                float[] ef = new float[m];
                long[] el = new long[m];
                boolean[] eb = new boolean[m];
                for (int o = 0; o < m; o++) {
                    int src = c.source.applyAsInt(o);
                    ef[o] = f[src];
                    el[o] = l[src];
                    eb[o] = b[src];
                }
                Tensor yf = c.op.apply(xf);
                Tensor yl = c.op.apply(xl);
                Tensor yb = c.op.apply(xb);
                assertArrayEquals(c.shape, yf.shape(), what + ": shape");
                assertArrayEquals(c.shape, yl.shape(), what + ": int64 shape");
                assertArrayEquals(c.shape, yb.shape(), what + ": bool shape");
                assertEquals(DType.INT64, yl.dtype(), what);
                assertEquals(DType.BOOL, yb.dtype(), what);
                assertArrayEquals(ef, yf.toFloatArray(), what + ": float32 values");
                assertArrayEquals(el, yl.toLongArray(), what + ": int64 values");
                assertArrayEquals(eb, yb.toBooleanArray(), what + ": bool values");
            }
        }
    }

    @ParameterizedTest
    @DevicesSource
    void copiesOfManyDimensionsLoopOnTheHost(Device device) {
        // 10 dimensions, none mergeable after the permutation: beyond the kernel's 8
        int[] s = {2, 1, 3, 2, 2, 1, 2, 3, 2, 2};
        int[] p = {9, 0, 8, 2, 7, 3, 6, 4, 5, 1};
        Nd a = Nd.randn(new Random(1331), s);
        Tensor y = a.tensor(device).permute(p);
        int[] out = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = s[p[i]];
        }
        float[] expected = new float[a.numel()];
        for (int o = 0; o < expected.length; o++) {
            int[] oi = unravel(o, out);
            int[] ii = new int[s.length];
            for (int i = 0; i < s.length; i++) {
                ii[p[i]] = oi[i];
            }
            expected[o] = (float) a.v[ravel(ii, s)];
        }
        assertArrayEquals(out, y.shape());
        assertArrayEquals(expected, y.toFloatArray());
    }

    @ParameterizedTest
    @DevicesSource
    void copyGradientsMatchFiniteDifferences(Device device) {
        long seed = 1340;
        for (int[] s : new int[][] {{}, {4}, {2, 3}, {1, 3}, {2, 1, 3}}) {
            for (Copy c : copies(s)) {
                Nd a = Nd.randn(new Random(seed), s);
                int m = Nd.numel(c.shape);
                GradCheck.RefFn ref = xs -> {
                    double[] v = new double[m];
                    for (int o = 0; o < m; o++) {
                        v[o] = xs[0].v[c.source.applyAsInt(o)];
                    }
                    Nd y = new Nd(v, c.shape);
                    return RefOps.mul(y, y);
                };
                GradCheck.check(c.name + " of " + Arrays.toString(s), device, seed++,
                        xs -> c.op.apply(xs[0]).square(), ref, a);
            }
        }
    }

    @ParameterizedTest
    @DevicesSource
    void sliceGradientIsZeroOutsideTheSlice(Device device) {
        Tensor x = Tensor.of(new float[] {1, -2, 3, 4, -5, 6}, 2, 3).to(device).requiresGrad(true);
        Tensor y = x.square().slice(1, 0, 3, 2).sum();
        y.backward(true);
        // 2x in the sliced columns; outside, square's rule gives 2x·0 (-0 for negative x, as in PyTorch)
        assertArrayEquals(new float[] {2, -0f, 6, 8, -0f, 12}, x.grad().toFloatArray(), "2x in the sliced columns");
    }

    @ParameterizedTest
    @DevicesSource
    void catAndStackMatchReference(Device device) {
        Random rng = new Random(1350);
        int[][] parts = {{2, 3, 4}, {2, 0, 4}, {2, 1, 4}, {2, 5, 4}};
        for (int dim : new int[] {1, -2}) {
            List<Nd> nds = new ArrayList<>();
            List<Tensor> ts = new ArrayList<>();
            List<Tensor> longs = new ArrayList<>();
            for (int[] p : parts) {
                Nd a = Nd.randn(rng, p);
                nds.add(a);
                ts.add(a.tensor(device));
                long[] lv = new long[a.numel()];
                for (int i = 0; i < lv.length; i++) {
                    lv[i] = Double.doubleToLongBits(a.v[i]);
                }
                longs.add(Tensor.of(lv, p).to(device));
            }
            Nd expected = refCat(nds, 1);
            Tensor y = Tensor.cat(ts, dim);
            assertArrayEquals(expected.shape, y.shape());
            Approx.assertClose("cat dim " + dim, y, expected);
            long[] yl = Tensor.cat(longs, dim).toLongArray();
            for (int i = 0; i < yl.length; i++) {
                assertEquals(Double.doubleToLongBits(expected.v[i]), yl[i], "int64 cat element " + i);
            }
            GradCheck.check("cat", device, 1351, xs -> Tensor.cat(List.of(xs), dim).square(),
                    xs -> { Nd c = refCat(List.of(xs), 1); return RefOps.mul(c, c); }, nds.toArray(new Nd[0]));
        }
        // stack: every position of the new dimension, boolean too
        for (int dim = -3; dim <= 2; dim++) {
            int d = dim < 0 ? dim + 3 : dim;
            Nd a = Nd.randn(rng, 2, 3);
            Nd b = Nd.randn(rng, 2, 3);
            Nd c = Nd.randn(rng, 2, 3);
            Nd expected = refCat(List.of(unsq(a, d), unsq(b, d), unsq(c, d)), d);
            int st = dim;
            Approx.assertClose("stack dim " + dim, Tensor.stack(List.of(a.tensor(device), b.tensor(device),
                    c.tensor(device)), dim), expected);
            GradCheck.check("stack dim " + dim, device, 1352 + dim, xs -> Tensor.stack(List.of(xs), st).square(),
                    xs -> { Nd r = refCat(List.of(unsq(xs[0], d), unsq(xs[1], d), unsq(xs[2], d)), d);
                        return RefOps.mul(r, r); }, a, b, c);
            Tensor bools = Tensor.stack(List.of(a.tensor(device).gt(0f), b.tensor(device).gt(0f)), dim);
            Nd ref = refCat(List.of(unsq(a, d), unsq(b, d)), d);
            boolean[] got = bools.toBooleanArray();
            for (int i = 0; i < got.length; i++) {
                assertEquals(ref.v[i] > 0, got[i], "bool stack dim " + dim + " element " + i);
            }
        }
        Tensor s0 = Tensor.stack(List.of(Tensor.scalar(1f).to(device), Tensor.scalar(2f).to(device)), 0);
        assertArrayEquals(new float[] {1, 2}, s0.toFloatArray());
    }

    private static Nd unsq(Nd a, int d) {
        return RefOps.reshape(a, refUnsqueeze(a.shape, d));
    }

    /** Concatenation by output index: which part, and where in it. */
    static Nd refCat(List<Nd> parts, int d) {
        int[] shape = parts.get(0).shape.clone();
        shape[d] = parts.stream().mapToInt(p -> p.shape[d]).sum();
        double[] v = new double[Nd.numel(shape)];
        for (int o = 0; o < v.length; o++) {
            int[] idx = unravel(o, shape);
            int k = 0;
            while (idx[d] >= parts.get(k).shape[d]) {
                idx[d] -= parts.get(k).shape[d];
                k++;
            }
            v[o] = parts.get(k).v[ravel(idx, parts.get(k).shape)];
        }
        return new Nd(v, shape);
    }

    @ParameterizedTest
    @DevicesSource
    void splitAndChunkMatchPyTorch(Device device) {
        Nd a = Nd.randn(new Random(1360), 3, 7);
        Tensor x = a.tensor(device);
        int[][] expectSplit = {{3, 3, 1}, {7}, {1, 1, 1, 1, 1, 1, 1}, {7}};
        int[] sizes = {3, 7, 1, 9};
        for (int k = 0; k < sizes.length; k++) {
            List<Tensor> parts = x.split(sizes[k], -1);
            assertArrayEquals(expectSplit[k], parts.stream().mapToInt(p -> p.size(1)).toArray(), "split " + sizes[k]);
            int at = 0;
            for (Tensor p : parts) {
                Approx.assertClose("split part", p, refNarrow(a, 1, at, p.size(1)));
                at += p.size(1);
            }
        }
        // torch.arange(7).chunk(n): sizes ceil(7/n) each, the last smaller; fewer pieces than asked for 6
        int[][] expectChunk = {{7}, {4, 3}, {3, 3, 1}, {2, 2, 2, 1}, {2, 2, 2, 1}, {2, 2, 2, 1}, {1, 1, 1, 1, 1, 1, 1}};
        for (int n = 1; n <= 7; n++) {
            assertArrayEquals(expectChunk[n - 1], x.chunk(n, 1).stream().mapToInt(p -> p.size(1)).toArray(),
                    "chunk " + n);
        }
        assertEquals(3, x.chunk(5, 0).size());
        assertEquals(3, Tensor.zeros(device, 0, 2).chunk(3, 0).size(), "chunk of an empty dimension: n empty pieces");
        assertEquals(1, Tensor.zeros(device, 0, 2).split(0, 0).size());
        assertEquals(1, Tensor.zeros(device, 0, 2).split(2, 0).size());
        GradCheck.check("split and recombine", device, 1361, xs -> {
            List<Tensor> p = xs[0].split(3, 1);
            return Tensor.cat(List.of(p.get(2), p.get(0).mul(p.get(1))), 1);
        }, xs -> {
            Nd p0 = refNarrow(xs[0], 1, 0, 3);
            Nd p1 = refNarrow(xs[0], 1, 3, 3);
            return refCat(List.of(refNarrow(xs[0], 1, 6, 1), RefOps.mul(p0, p1)), 1);
        }, a);
    }

    /** torch.split(x, [2, 0, 4, 1], dim=1): pieces of those sizes (an empty one included), with gradients. */
    @ParameterizedTest
    @DevicesSource
    void splitBySectionsMatchesPyTorch(Device device) {
        Nd a = Nd.randn(new Random(1362), 3, 7);
        Tensor x = a.tensor(device);
        int[] sections = {2, 0, 4, 1};
        List<Tensor> parts = x.split(sections, 1);
        assertArrayEquals(sections, parts.stream().mapToInt(p -> p.size(1)).toArray());
        int at = 0;
        for (Tensor p : parts) {
            Approx.assertClose("split part", p, refNarrow(a, 1, at, p.size(1)));
            at += p.size(1);
        }
        for (int[] bad : new int[][] {{2, 4}, {8, -1}, {}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.split(bad, 1));
            assertTrue(e.getMessage().startsWith("split: sections ") && e.getMessage().contains("sum to the size of dimension 1"),
                    e.getMessage());
        }
        GradCheck.check("split by sections", device, 1363, xs -> {
            List<Tensor> p = xs[0].split(new int[] {5, 2}, -1);
            return p.get(1).mul(p.get(0).narrow(1, 3, 2));
        }, xs -> RefOps.mul(refNarrow(xs[0], 1, 5, 2), refNarrow(xs[0], 1, 3, 2)), a);
    }

    static Nd refNarrow(Nd a, int d, int start, int len) {
        int[] shape = a.shape.clone();
        shape[d] = len;
        double[] v = new double[Nd.numel(shape)];
        for (int o = 0; o < v.length; o++) {
            int[] idx = unravel(o, shape);
            idx[d] += start;
            v[o] = a.v[ravel(idx, a.shape)];
        }
        return new Nd(v, shape);
    }

    @Test
    void metaCopiesGetShapes() {
        for (int[] s : COPY_SHAPES) {
            Tensor x = Tensor.zeros(Device.META, s);
            for (Copy c : copies(s)) {
                Tensor y = c.op.apply(x);
                assertArrayEquals(c.shape, y.shape(), c.name + " of " + Arrays.toString(s) + " on meta");
                assertEquals(Device.META, y.device());
            }
        }
        Tensor m = Tensor.zeros(Device.META, 2, 3);
        assertArrayEquals(new int[] {2, 6}, Tensor.cat(List.of(m, m), 1).shape());
        assertArrayEquals(new int[] {2, 2, 3}, Tensor.stack(List.of(m, m), 1).shape());
        assertEquals(2, m.chunk(2, 1).size());
    }

    @Test
    void copyErrorsAreTypedNameTheOpAndComeBeforeAnyWork() {
        Tensor x = Tensor.zeros(2, 3, 4);
        Tensor y = Tensor.zeros(2, 5, 4);
        Tensor ints = Tensor.zeros(DType.INT64, 2, 3, 4);
        Tensor scalar = Tensor.scalar(1f);
        List<Tensor> withNull = new ArrayList<>(List.of(x));
        withNull.add(null);
        Counters.Snapshot work = Placement.of(() -> {
            assertThrowsNaming(ShapeMismatchException.class, "permute: ", "[2, 3, 4]", () -> x.permute(0, 1));
            assertThrowsNaming(IllegalArgumentException.class, "permute: ", "repeats", () -> x.permute(0, 1, -3));
            assertThrowsNaming(IllegalArgumentException.class, "permute: ", "3", () -> x.permute(0, 1, 3));
            assertThrowsNaming(IllegalArgumentException.class, "transpose: ", "3", () -> x.transpose(0, 3));
            assertThrowsNaming(ShapeMismatchException.class, "expand: ", "[2, 3, 4]", () -> x.expand(2, 5, 4));
            assertThrowsNaming(ShapeMismatchException.class, "expand: ", "fewer", () -> x.expand(3, 4));
            assertThrowsNaming(IllegalArgumentException.class, "expand: ", "-1", () -> x.expand(-1, 2, 3, 4));
            assertThrowsNaming(IllegalArgumentException.class, "narrow: ", "size 3", () -> x.narrow(1, 2, 2));
            assertThrowsNaming(IllegalArgumentException.class, "narrow: ", "-4", () -> x.narrow(1, -4, 1));
            assertThrowsNaming(IllegalArgumentException.class, "select: ", "index 4", () -> x.select(-1, 4));
            assertThrowsNaming(IllegalArgumentException.class, "select: ", "index -5", () -> x.select(2, -5));
            assertThrowsNaming(IllegalArgumentException.class, "slice: ", "step", () -> x.slice(0, 0, 2, 0));
            assertThrowsNaming(IllegalArgumentException.class, "select: ", "0-d", () -> scalar.select(0, 0));
            assertThrowsNaming(ShapeMismatchException.class, "cat: ", "tensors[1]", () -> Tensor.cat(List.of(x, y), 0));
            assertThrowsNaming(ShapeMismatchException.class, "stack: ", "[2, 5, 4]", () -> Tensor.stack(List.of(x, y), 0));
            assertThrowsNaming(DTypeMismatchException.class, "cat: ", "tensors[1]",
                    () -> Tensor.cat(List.of(x, ints), 0));
            assertThrowsNaming(IllegalArgumentException.class, "cat: ", "non-empty", () -> Tensor.cat(List.of(), 0));
            assertThrowsNaming(IllegalArgumentException.class, "cat: ", "zero-dimensional",
                    () -> Tensor.cat(List.of(scalar), 0));
            assertThrowsNaming(IllegalArgumentException.class, "stack: ", "4", () -> Tensor.stack(List.of(x), 4));
            assertThrowsNaming(NullPointerException.class, "cat: ", "tensors[1] is null", () -> Tensor.cat(withNull, 0));
            assertThrowsNaming(IllegalArgumentException.class, "split: ", "splitSize 0", () -> x.split(0, 1));
            assertThrowsNaming(IllegalArgumentException.class, "chunk: ", "positive", () -> x.chunk(0, 1));
        }).on(Device.CPU);
        assertEquals(0, work.launches() + work.allocations(), "work before the checks: " + work);
    }

    @Test
    @RequiresCuda
    void copiesOnCudaEqualCpuBitForBit() {
        Tensor cpu = Tensor.randn(3, 1, 4, 2);
        Tensor cuda = cpu.to(Device.cuda(0));
        for (Copy c : copies(cpu.shape())) {
            Tensor a = c.op.apply(cpu);
            Tensor b = c.op.apply(cuda).to(Device.CPU);
            assertArrayEquals(a.shape(), b.shape(), c.name);
            assertArrayEquals(a.toFloatArray(), b.toFloatArray(), c.name);
        }
        assertArrayEquals(Tensor.cat(List.of(cpu, cpu.mul(2f)), 2).toFloatArray(),
                Tensor.cat(List.of(cuda, cuda.mul(2f)), 2).toFloatArray());
    }

    // ---------------------------------------------------------------- creation

    @ParameterizedTest
    @DevicesSource
    void arangeFollowsPyTorchDtypesAndCounts(Device device) {
        long[][] cases = {{0, 5, 1}, {2, 11, 3}, {10, 0, -3}, {3, 3, 1}, {-4, 4, 5}, {7, -8, -5}};
        for (long[] c : cases) {
            List<Long> ref = new ArrayList<>();
            for (long v = c[0]; c[2] > 0 ? v < c[1] : v > c[1]; v += c[2]) {
                ref.add(v);
            }
            Tensor t = Tensor.arange(device, c[0], c[1], c[2]);
            assertEquals(DType.INT64, t.dtype());
            assertEquals(device, t.device());
            assertArrayEquals(ref.stream().mapToLong(Long::longValue).toArray(), t.toLongArray(), Arrays.toString(c));
        }
        assertArrayEquals(new long[] {0, 1, 2, 3}, Tensor.arange(4).toLongArray());
        assertArrayEquals(new long[] {-2, -1}, Tensor.arange(-2, 0).toLongArray());
        // float arguments: float32, count ceil((end - start)/step) in double, as torch.arange(0, 1, 0.1)
        Tensor f = Tensor.arange(device, 0f, 1f, 0.1f);
        assertEquals(DType.FLOAT32, f.dtype());
        float[] fv = f.toFloatArray();
        assertEquals(10, fv.length);
        for (int i = 0; i < fv.length; i++) {
            assertEquals((float) (i * (double) 0.1f), fv[i], "arange(0, 1, 0.1)[" + i + "]");
        }
        assertArrayEquals(new float[] {0f, 1f}, Tensor.arange(1.5f).toFloatArray());
        assertArrayEquals(new float[] {2.5f, 2f, 1.5f}, Tensor.arange(2.5f, 1f, -0.5f).toFloatArray());
        assertArrayEquals(new float[] {-1f, 0f}, Tensor.arange(-1f, 0.5f).toFloatArray());
        assertArrayEquals(new int[] {7}, Tensor.arange(Device.META, 0, 7, 1).shape());
        assertArrayEquals(new int[] {3}, Tensor.arange(Device.META, 0f, 3f, 1f).shape());
    }

    @ParameterizedTest
    @DevicesSource
    void eyeAndLinspaceMatchReference(Device device) {
        for (int[] rc : new int[][] {{3, 3}, {2, 4}, {4, 2}, {0, 3}, {1, 1}}) {
            Tensor e = Tensor.eye(device, rc[0], rc[1]);
            float[] ref = new float[rc[0] * rc[1]];
            for (int r = 0; r < rc[0]; r++) {
                for (int c = 0; c < rc[1]; c++) {
                    ref[r * rc[1] + c] = r == c ? 1f : 0f;
                }
            }
            assertArrayEquals(rc, e.shape());
            assertArrayEquals(ref, e.toFloatArray(), "eye " + Arrays.toString(rc));
        }
        assertArrayEquals(Tensor.eye(device, 3, 3).toFloatArray(), Tensor.eye(device, 3).toFloatArray());
        float[][] cases = {{0f, 1f, 5f}, {-3f, 7f, 11f}, {2f, -2f, 6f}, {1f, 9f, 1f}, {0f, 1f, 0f}, {0.1f, 0.7f, 13f}};
        for (float[] c : cases) {
            int steps = (int) c[2];
            float[] got = Tensor.linspace(device, c[0], c[1], steps).toFloatArray();
            assertEquals(steps, got.length);
            for (int i = 0; i < steps; i++) {
                double ref = steps == 1 ? c[0] : c[0] + (c[1] - (double) c[0]) * i / (steps - 1);
                assertEquals(ref, got[i], 1e-6 * (1 + Math.abs(ref)), "linspace " + Arrays.toString(c) + " [" + i + "]");
            }
            if (steps > 1) {
                assertEquals(c[0], got[0], "linspace starts exactly at start");
                assertEquals(c[1], got[steps - 1], "linspace ends exactly at end");
            }
        }
        assertArrayEquals(new int[] {4, 5}, Tensor.eye(Device.META, 4, 5).shape());
        assertArrayEquals(new int[] {9}, Tensor.linspace(Device.META, 0f, 1f, 9).shape());
    }

    @ParameterizedTest
    @DevicesSource
    void likeOpsKeepShapeDtypeAndDevice(Device device) {
        Tensor f = Tensor.randn(device, 2, 0, 3);
        Tensor f2 = Tensor.randn(device, 3, 2);
        Tensor l = Tensor.of(new long[] {5, -6, 7}).to(device);
        Tensor b = Tensor.of(new boolean[] {true, false}).to(device);
        assertArrayEquals(new int[] {2, 0, 3}, Tensor.zerosLike(f).shape());
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0}, Tensor.zerosLike(f2).toFloatArray());
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, Tensor.onesLike(f2).toFloatArray());
        assertArrayEquals(new float[] {2.5f, 2.5f, 2.5f, 2.5f, 2.5f, 2.5f}, Tensor.fullLike(f2, 2.5f).toFloatArray());
        assertArrayEquals(new long[] {0, 0, 0}, Tensor.zerosLike(l).toLongArray());
        assertArrayEquals(new long[] {1, 1, 1}, Tensor.onesLike(l).toLongArray());
        assertArrayEquals(new long[] {-2, -2, -2}, Tensor.fullLike(l, -2.7f).toLongArray(), "truncated toward zero");
        assertArrayEquals(new boolean[] {false, false}, Tensor.zerosLike(b).toBooleanArray());
        assertArrayEquals(new boolean[] {true, true}, Tensor.fullLike(b, 0.5f).toBooleanArray());
        for (Tensor t : new Tensor[] {Tensor.zerosLike(l), Tensor.onesLike(b), Tensor.randnLike(f2), Tensor.randLike(f2)}) {
            assertEquals(device, t.device());
        }
        assertEquals(DType.INT64, Tensor.onesLike(l).dtype());
        assertEquals(DType.BOOL, Tensor.onesLike(b).dtype());
        Tensor.manualSeed(1370);
        float[] r1 = Tensor.randLike(f2).toFloatArray();
        Tensor.manualSeed(1370);
        assertArrayEquals(Tensor.rand(device, 3, 2).toFloatArray(), r1, "rand_like draws as rand");
        for (float v : r1) {
            assertTrue(v >= 0f && v < 1f, "rand_like in [0, 1): " + v);
        }
        assertArrayEquals(new int[] {3, 2}, Tensor.randnLike(f2).shape());
        assertThrowsNaming(DTypeMismatchException.class, "randn_like: ", "int64", () -> Tensor.randnLike(l));
        assertThrowsNaming(DTypeMismatchException.class, "rand_like: ", "bool", () -> Tensor.randLike(b));
        Tensor m = Tensor.zeros(Device.META, 4, 1);
        assertEquals(Device.META, Tensor.randnLike(m).device());
        assertArrayEquals(new int[] {4, 1}, Tensor.onesLike(m).shape());
    }

    @Test
    void creationErrorsAreTypedAndNameTheOp() {
        assertThrowsNaming(IllegalArgumentException.class, "arange: ", "nonzero", () -> Tensor.arange(0, 5, 0));
        assertThrowsNaming(IllegalArgumentException.class, "arange: ", "sign", () -> Tensor.arange(5, 0, 1));
        assertThrowsNaming(IllegalArgumentException.class, "arange: ", "sign", () -> Tensor.arange(0f, 1f, -0.5f));
        assertThrowsNaming(IllegalArgumentException.class, "arange: ", "finite", () -> Tensor.arange(Float.NaN));
        assertThrowsNaming(IllegalArgumentException.class, "arange: ", "dimension",
                () -> Tensor.arange(0, Long.MAX_VALUE, 1));
        assertThrowsNaming(IllegalArgumentException.class, "eye: ", "-1", () -> Tensor.eye(-1));
        assertThrowsNaming(IllegalArgumentException.class, "linspace: ", "-2", () -> Tensor.linspace(0f, 1f, -2));
        Tensor closed = Tensor.zeros(2);
        closed.close();
        assertThrows(TensorClosedException.class, () -> Tensor.zerosLike(closed));
    }

    @ParameterizedTest
    @DevicesSource
    void aTensorUsedTwiceGetsBothGradients(Device device) {
        Nd a = Nd.randn(new Random(1380), 2, 3);
        GradCheck.check("cat(x, x.t-like permute)", device, 1381,
                xs -> Tensor.cat(List.of(xs[0], xs[0].mul(xs[0])), 0).permute(1, 0),
                xs -> {
                    Nd c = refCat(List.of(xs[0], RefOps.mul(xs[0], xs[0])), 0);
                    double[] v = new double[c.numel()];
                    for (int o = 0; o < v.length; o++) {
                        int[] idx = unravel(o, new int[] {3, 4});
                        v[o] = c.v[idx[1] * 3 + idx[0]];
                    }
                    return new Nd(v, 3, 4);
                }, a);
        Tensor x = Tensor.of(new float[] {1, 2, 3}).to(device).requiresGrad(true);
        Tensor.stack(List.of(x, x, x.expand(2, 3).select(0, 1)), 1).sum().backward();
        assertArrayEquals(new float[] {3, 3, 3}, x.grad().toFloatArray(), "three uses, each with gradient 1");
    }
}
