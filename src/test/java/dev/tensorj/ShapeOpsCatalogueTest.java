package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

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
    @MethodSource("dev.tensorj.TestDevices#devices")
    void shapesAndValuesMatchReferenceForEveryDtype(Device device) {
        TestDevices.assumeAvailable(device);
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
    @MethodSource("dev.tensorj.TestDevices#devices")
    void viewsShareMemoryWithTheirBase(Device device) {
        TestDevices.assumeAvailable(device);
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
    @MethodSource("dev.tensorj.TestDevices#devices")
    void gradientsReshapeBack(Device device) {
        TestDevices.assumeAvailable(device);
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
    void cudaMatchesCpu() {
        TestDevices.requireCuda();
        Tensor cpu = Tensor.randn(3, 1, 4);
        Tensor cuda = cpu.to(Device.cuda(0));
        for (Case c : cases(cpu.shape())) {
            Tensor a = c.op.apply(cpu);
            Tensor b = c.op.apply(cuda).to(Device.CPU);
            assertArrayEquals(a.shape(), b.shape(), c.name);
            assertArrayEquals(a.toFloatArray(), b.toFloatArray(), c.name);
        }
    }
}
