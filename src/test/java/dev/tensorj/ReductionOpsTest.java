package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.junit.DevicesSource;
import dev.tensorj.junit.Placement;
import dev.tensorj.junit.RequiresCuda;
import java.util.Arrays;
import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Reductions of issue 13: sum/mean over several dims, max/min with indices, amax/amin,
 * argmax/argmin, var/std, logsumexp and norm, against double references computed here.
 */
class ReductionOpsTest {
    private static final double NAN = Double.NaN;
    private static final double INF = Double.POSITIVE_INFINITY;

    // ------------------------------------------------------------------ references

    /** The sorted, normalised dims ({@code {}} means all). */
    private static int[] norm(int[] dims, int rank) {
        if (dims.length == 0) {
            return java.util.stream.IntStream.range(0, rank).toArray();
        }
        return Arrays.stream(dims).map(d -> d < 0 ? d + Math.max(rank, 1) : d).filter(d -> rank > 0).sorted().toArray();
    }

    /** f of the values gathered along {@code dims} (in row-major order) for every output position. */
    static Nd reduce(Nd a, int[] dims, boolean keep, ToDoubleFunction<double[]> f) {
        int rank = a.shape.length;
        int[] ds = norm(dims, rank);
        boolean[] red = new boolean[rank];
        for (int d : ds) {
            red[d] = true;
        }
        int[] keptShape = a.shape.clone();
        for (int d : ds) {
            keptShape[d] = 1;
        }
        int outN = Nd.numel(keptShape);
        int redN = 1;
        for (int d : ds) {
            redN *= a.shape[d];
        }
        double[][] groups = new double[outN][redN];
        int[] fill = new int[outN];
        long[] kStrides = Nd.strides(keptShape);
        int[] idx = new int[rank];
        for (int flat = 0; flat < a.numel(); flat++) {
            int rem = flat;
            for (int d = rank - 1; d >= 0; d--) {
                idx[d] = rem % a.shape[d];
                rem /= a.shape[d];
            }
            int o = 0;
            for (int d = 0; d < rank; d++) {
                o += (red[d] ? 0 : idx[d]) * kStrides[d];
            }
            groups[o][fill[o]++] = a.v[flat];
        }
        double[] out = new double[outN];
        for (int o = 0; o < outN; o++) {
            out[o] = f.applyAsDouble(groups[o]);
        }
        int[] shape = keep ? keptShape : Arrays.stream(java.util.stream.IntStream.range(0, rank).toArray())
                .filter(d -> !red[d]).map(d -> a.shape[d]).toArray();
        return new Nd(out, shape);
    }

    static double sum(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s;
    }

    static double sumAbs(double[] v) {
        return sum(Arrays.stream(v).map(Math::abs).toArray());
    }

    /** PyTorch's max/min index: the first NaN, else the first extreme. */
    static int argExtreme(double[] v, boolean max) {
        int at = 0;
        for (int i = 0; i < v.length; i++) {
            if (Double.isNaN(v[i])) {
                return i;
            }
            if (max ? v[i] > v[at] : v[i] < v[at]) {
                at = i;
            }
        }
        return at;
    }

    static double var(double[] v, boolean unbiased) {
        double mean = sum(v) / v.length;
        double ss = 0;
        for (double x : v) {
            ss += (x - mean) * (x - mean);
        }
        return ss / Math.max(0, v.length - (unbiased ? 1 : 0));
    }

    static double logsumexp(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            m = Double.isNaN(x) || Double.isNaN(m) ? NAN : Math.max(m, x);
        }
        if (Double.isInfinite(m)) {
            m = 0;
        }
        double s = 0;
        for (double x : v) {
            s += Math.exp(x - m);
        }
        return Math.log(s) + m;
    }

    static double pnorm(double[] v, double p) {
        if (Double.isInfinite(p)) {
            double r = p > 0 ? 0 : INF;
            for (double x : v) {
                r = p > 0 ? Math.max(r, Math.abs(x)) : Math.min(r, Math.abs(x));
            }
            return r;
        }
        double s = 0;
        for (double x : v) {
            s += Math.pow(Math.abs(x), p);
        }
        return Math.pow(s, 1 / p);
    }

    /** Values drawn from a few integers (many ties), with NaN and ±Inf sprinkled in. */
    static Nd special(Random rng, int... shape) {
        Nd a = Nd.randn(rng, shape);
        double[] pool = {-2, -1, 0, 1, 2, 3, INF, -INF, NAN};
        for (int i = 0; i < a.v.length; i++) {
            int k = rng.nextInt(30);
            a.v[i] = k < pool.length ? pool[k] : k < 20 ? Math.floor(a.v[i] * 2) : a.v[i];
        }
        return a;
    }

    static void assertClose(String what, Tensor actual, Nd ref) {
        assertClose(what, actual, ref, null);
    }

    /** {@link Approx#assertClose} that also accepts equal infinities (and NaN only where expected). */
    static void assertClose(String what, Tensor actual, Nd ref, Nd scale) {
        assertArrayEquals(ref.shape, actual.shape(), what + ": shape");
        float[] x = actual.toFloatArray();
        for (int i = 0; i < x.length; i++) {
            double r = ref.v[i];
            double sc = scale == null ? 0 : scale.v[i];
            boolean ok = Double.isNaN(r) ? Float.isNaN(x[i])
                    : Double.isInfinite(r) ? x[i] == r
                    : Math.abs(x[i] - r) <= Approx.RTOL * (Math.abs(r) + (Double.isFinite(sc) ? sc : 0));
            assertTrue(ok, () -> what + ": element of shape " + Arrays.toString(ref.shape) + " is " + Arrays.toString(x)
                    + ", expected " + Arrays.toString(ref.v));
        }
    }

    static void assertLongs(String what, long[] expected, Tensor t) {
        assertEquals(DType.INT64, t.dtype(), what + ": dtype");
        assertArrayEquals(expected, t.toLongArray(), what);
    }

    static void assertBitsClose(String what, Nd ref, Tensor t) {
        assertClose(what, t, ref, ref.map(Math::abs));
    }

    // ------------------------------------------------------------------ values

    @ParameterizedTest
    @DevicesSource
    void sumAndMeanOverSeveralDims(Device device) {
        Random rng = new Random(131);
        int[][] shapes = {{3, 4, 5}, {2, 1, 3, 2}, {2, 0, 3}, {4}};
        int[][] dimSets = {{0, 2}, {-1, 0}, {1}, {}, {2, 1, 0}};
        for (int[] s : shapes) {
            Nd a = Nd.randn(rng, s);
            Tensor x = a.tensor(device);
            for (int[] dims : dimSets) {
                if (Arrays.stream(dims).anyMatch(d -> d >= s.length || d < -s.length)
                        || Arrays.stream(dims).map(d -> d < 0 ? d + s.length : d).distinct().count() < dims.length) {
                    continue;
                }
                for (boolean keep : new boolean[] {false, true}) {
                    String what = Arrays.toString(s) + " dims " + Arrays.toString(dims) + " keep " + keep;
                    Nd scale = reduce(a, dims, keep, ReductionOpsTest::sumAbs);
                    assertClose("sum " + what, x.sum(dims, keep), reduce(a, dims, keep, ReductionOpsTest::sum), scale);
                    assertClose("mean " + what, x.mean(dims, keep),
                            reduce(a, dims, keep, v -> sum(v) / v.length), reduce(a, dims, keep, v -> sumAbs(v) / v.length));
                }
            }
        }
        Tensor scalar = Tensor.scalar(2.5f).to(device);
        assertEquals(2.5f, scalar.sum(new int[] {0}, false).item());
        assertEquals(0, scalar.mean(new int[] {-1}, true).dim());
    }

    @ParameterizedTest
    @DevicesSource
    void maxAndMinWithIndicesFollowPyTorch(Device device) {
        Random rng = new Random(132);
        for (int[] s : new int[][] {{4, 7}, {3, 1, 5}, {6}, {2, 9, 3}, {0, 3}}) {
            Nd a = special(rng, s);
            Tensor x = a.tensor(device);
            for (int dim = -s.length; dim < s.length; dim++) {
                if (s[dim < 0 ? dim + s.length : dim] == 0) {
                    continue;
                }
                for (boolean keep : new boolean[] {false, true}) {
                    for (boolean max : new boolean[] {true, false}) {
                        String what = (max ? "max " : "min ") + Arrays.toString(s) + " dim " + dim + " keep " + keep;
                        Tensor.ValuesIndices r = max ? x.max(dim, keep) : x.min(dim, keep);
                        int[] dims = {dim};
                        Nd idx = reduce(a, dims, keep, v -> argExtreme(v, max));
                        Nd val = reduce(a, dims, keep, v -> v[argExtreme(v, max)]);
                        assertClose(what + " values", r.values(), val);
                        assertLongs(what + " indices", Arrays.stream(idx.v).mapToLong(v -> (long) v).toArray(), r.indices());
                        Tensor am = max ? x.argmax(dim, keep) : x.argmin(dim, keep);
                        assertLongs(what + " arg", Arrays.stream(idx.v).mapToLong(v -> (long) v).toArray(), am);
                        assertArrayEquals(idx.shape, am.shape(), what + " arg shape");
                    }
                }
            }
        }
        // an explicit row: NaN wins (first NaN), ties give the first index
        Tensor row = Tensor.of(new float[] {1, 3, 3, -1, -1, 0}, 2, 3).to(device);
        assertLongs("ties max", new long[] {1, 2}, row.max(1, false).indices());
        assertLongs("ties min", new long[] {0, 0}, row.min(1, false).indices());
        Tensor nan = Tensor.of(new float[] {1, Float.NaN, 5, Float.NaN}, 4).to(device);
        assertTrue(Float.isNaN(nan.max(0, false).values().item()));
        assertEquals(1L, nan.max(0, false).indices().longItem());
        assertEquals(1L, nan.argmin().longItem());
        Tensor scalar = Tensor.scalar(-4f).to(device);
        assertEquals(-4f, scalar.max(0, false).values().item());
        assertEquals(0L, scalar.argmax(-1, true).longItem());
    }

    @ParameterizedTest
    @DevicesSource
    void amaxAminAndWholeTensorExtremes(Device device) {
        Random rng = new Random(133);
        for (int[] s : new int[][] {{3, 4, 5}, {5, 1}, {7}}) {
            Nd a = special(rng, s);
            Nd clean = Nd.randn(rng, s);
            for (Nd in : new Nd[] {a, clean}) {
                Tensor x = in.tensor(device);
                int[][] dimSets = s.length > 1 ? new int[][] {{0}, {-1}, {0, s.length - 1}, {}} : new int[][] {{0}, {-1}, {}};
                for (int[] dims : dimSets) {
                    for (boolean keep : new boolean[] {false, true}) {
                        String what = Arrays.toString(s) + " dims " + Arrays.toString(dims) + " keep " + keep;
                        assertClose("amax " + what, x.amax(dims, keep), reduce(in, dims, keep, v -> v[argExtreme(v, true)]));
                        assertClose("amin " + what, x.amin(dims, keep), reduce(in, dims, keep, v -> v[argExtreme(v, false)]));
                    }
                }
                Nd all = reduce(in, new int[0], false, v -> v[argExtreme(v, true)]);
                assertClose("max() " + Arrays.toString(s), x.max(), all);
                assertClose("min() " + Arrays.toString(s), x.min(), reduce(in, new int[0], false, v -> v[argExtreme(v, false)]));
                double[] flat = in.v;
                assertEquals(argExtreme(flat, true), x.argmax().longItem(), "argmax() " + Arrays.toString(s));
                assertEquals(argExtreme(flat, false), x.argmin().longItem(), "argmin() " + Arrays.toString(s));
                assertEquals(0, x.argmax().dim());
            }
        }
    }

    @ParameterizedTest
    @DevicesSource
    void varianceAndStandardDeviation(Device device) {
        Random rng = new Random(134);
        for (int[] s : new int[][] {{4, 6}, {3, 1, 5}, {9}, {2, 0}}) {
            Nd a = Nd.randn(rng, s).map(v -> (float) (100 + v)); // an offset: a one-pass formula would cancel
            Tensor x = a.tensor(device);
            for (int dim = 0; dim < s.length; dim++) {
                for (boolean unbiased : new boolean[] {true, false}) {
                    for (boolean keep : new boolean[] {false, true}) {
                        String what = Arrays.toString(s) + " dim " + dim + " unbiased " + unbiased + " keep " + keep;
                        Nd v = reduce(a, new int[] {dim}, keep, g -> var(g, unbiased));
                        assertClose("var " + what, x.var(dim, unbiased, keep), v, v.map(q -> 20 * q));
                        Nd sd = v.map(Math::sqrt);
                        assertClose("std " + what, x.std(dim, unbiased, keep), sd, sd.map(q -> 10 * q));
                    }
                }
            }
            Nd all = reduce(a, new int[0], false, g -> var(g, true));
            assertClose("var() " + Arrays.toString(s), x.var(), all, all.map(q -> 20 * q));
            assertClose("std() " + Arrays.toString(s), x.std(), all.map(Math::sqrt), all.map(q -> 10 * Math.sqrt(q)));
        }
        Tensor one = Tensor.of(new float[] {3, 4}, 2, 1).to(device);
        assertTrue(Float.isNaN(one.var(1, true, false).toFloatArray()[0]), "N = 1 unbiased is NaN");
        assertEquals(0f, one.var(1, false, false).toFloatArray()[1]);
        assertEquals(0.5f, one.var(0, true, false).item(), 1e-6f);
    }

    @ParameterizedTest
    @DevicesSource
    void logsumexpIsStable(Device device) {
        Random rng = new Random(135);
        for (int[] s : new int[][] {{4, 6}, {3, 1, 5}, {8}, {2, 0}}) {
            Nd a = Nd.randn(rng, s).map(v -> (float) (v * 50)); // exp overflows float without the shift
            Tensor x = a.tensor(device);
            for (int dim = -s.length; dim < s.length; dim++) {
                for (boolean keep : new boolean[] {false, true}) {
                    Nd ref = reduce(a, new int[] {dim}, keep, ReductionOpsTest::logsumexp);
                    assertClose("logsumexp " + Arrays.toString(s) + " dim " + dim + " keep " + keep,
                            x.logsumexp(dim, keep), ref, ref.map(q -> 1 + Math.abs(q)));
                }
            }
        }
        Nd rows = new Nd(new double[] {-INF, -INF, -INF, 1, INF, 2, 1, NAN, 3, 1000, 1000, -INF}, 4, 3);
        Tensor lse = rows.tensor(device).logsumexp(1, false);
        float[] got = lse.toFloatArray();
        assertEquals(Float.NEGATIVE_INFINITY, got[0]);
        assertEquals(Float.POSITIVE_INFINITY, got[1]);
        assertTrue(Float.isNaN(got[2]));
        assertEquals(1000 + Math.log(2), got[3], 1e-3);
    }

    @ParameterizedTest
    @DevicesSource
    void norms(Device device) {
        Random rng = new Random(136);
        for (int[] s : new int[][] {{4, 6}, {3, 1, 5}, {8}}) {
            Nd a = Nd.randn(rng, s);
            Tensor x = a.tensor(device);
            Nd all = reduce(a, new int[0], false, v -> pnorm(v, 2));
            assertClose("norm() " + Arrays.toString(s), x.norm(), all);
            for (double p : new double[] {1, 2, 3, INF, -INF}) {
                for (int dim = 0; dim < s.length; dim++) {
                    for (boolean keep : new boolean[] {false, true}) {
                        assertClose("norm p " + p + " " + Arrays.toString(s) + " dim " + dim + " keep " + keep,
                                x.norm(p, dim, keep), reduce(a, new int[] {dim}, keep, v -> pnorm(v, p)));
                    }
                }
            }
        }
        assertEquals(0f, Tensor.zeros(device, 3).norm().item());
        assertEquals(2f, Tensor.of(new float[] {0, -2, Float.NaN, 0}, 4).to(device).norm(0, 0, false).item(),
                "p = 0 counts the nonzeros (NaN is nonzero), as PyTorch");
        assertThrows(IllegalArgumentException.class, () -> Tensor.ones(device, 3).norm(Double.NaN, 0, false));
    }

    // ------------------------------------------------------------------ gradients

    @ParameterizedTest
    @DevicesSource
    void gradientsMatchFiniteDifferences(Device device) {
        Random rng = new Random(137);
        Nd a = Nd.randn(rng, 3, 4, 5); // continuous values: no ties
        int[] d02 = {0, 2};
        GradCheck.check("sum dims", device, 1, xs -> xs[0].sum(d02, false), in -> reduce(in[0], d02, false, ReductionOpsTest::sum), a);
        GradCheck.check("mean dims keep", device, 2, xs -> xs[0].mean(new int[] {-1, 1}, true),
                in -> reduce(in[0], new int[] {-1, 1}, true, v -> sum(v) / v.length), a);
        for (int dim : new int[] {0, 1, -1}) {
            int[] ds = {dim};
            GradCheck.check("max dim " + dim, device, 3, xs -> xs[0].max(dim, false).values(),
                    in -> reduce(in[0], ds, false, v -> v[argExtreme(v, true)]), a);
            GradCheck.check("min dim " + dim + " keep", device, 4, xs -> xs[0].min(dim, true).values(),
                    in -> reduce(in[0], ds, true, v -> v[argExtreme(v, false)]), a);
            GradCheck.check("var dim " + dim, device, 5, xs -> xs[0].var(dim, true, false),
                    in -> reduce(in[0], ds, false, v -> var(v, true)), a);
            GradCheck.check("std dim " + dim, device, 6, xs -> xs[0].std(dim, false, true),
                    in -> reduce(in[0], ds, true, v -> Math.sqrt(var(v, false))), a);
            GradCheck.check("logsumexp dim " + dim, device, 7, xs -> xs[0].logsumexp(dim, false),
                    in -> reduce(in[0], ds, false, ReductionOpsTest::logsumexp), a);
            for (double p : new double[] {1, 2, 3, INF}) {
                GradCheck.check("norm p " + p + " dim " + dim, device, 8, xs -> xs[0].norm(p, dim, false),
                        in -> reduce(in[0], ds, false, v -> pnorm(v, p)), Nd.randnAwayFromZero(rng, 0.1, 3, 4, 5));
            }
        }
        GradCheck.check("amax dims", device, 9, xs -> xs[0].amax(d02, true), in -> reduce(in[0], d02, true, v -> v[argExtreme(v, true)]), a);
        GradCheck.check("amin dims", device, 10, xs -> xs[0].amin(new int[] {1}, false),
                in -> reduce(in[0], new int[] {1}, false, v -> v[argExtreme(v, false)]), a);
        GradCheck.check("max()", device, 11, xs -> xs[0].max(), in -> reduce(in[0], new int[0], false, v -> v[argExtreme(v, true)]), a);
        GradCheck.check("min()", device, 12, xs -> xs[0].min(), in -> reduce(in[0], new int[0], false, v -> v[argExtreme(v, false)]), a);
        GradCheck.check("var()", device, 13, xs -> xs[0].var(), in -> reduce(in[0], new int[0], false, v -> var(v, true)), a);
        GradCheck.check("norm()", device, 14, xs -> xs[0].norm(), in -> reduce(in[0], new int[0], false, v -> pnorm(v, 2)), a);
    }

    @ParameterizedTest
    @DevicesSource
    void tiedGradients(Device device) {
        Tensor x = Tensor.of(new float[] {1, 3, 3, 2, 3, 0}, 2, 3).to(device).requiresGrad(true);
        x.max(1, false).values().mul(Tensor.of(new float[] {2, 5}, 2).to(device)).sum().backward();
        assertArrayEquals(new float[] {0, 2, 0, 0, 5, 0}, x.grad().toFloatArray(), "max(dim): the selected index only");
        Tensor y = Tensor.of(new float[] {1, 3, 3, 2, 3, 0}, 2, 3).to(device).requiresGrad(true);
        y.amax(new int[0], false).mul(6f).backward();
        assertArrayEquals(new float[] {0, 2, 2, 0, 2, 0}, y.grad().toFloatArray(), "amax: shared evenly among ties");
        Tensor z = Tensor.zeros(device, 4).requiresGrad(true);
        z.norm().backward();
        assertArrayEquals(new float[] {0, 0, 0, 0}, z.grad().toFloatArray(), "norm at zero: gradient 0");
    }

    // ------------------------------------------------------------------ meta, errors, agreement

    @Test
    void metaShapesAndDTypes() {
        Tensor x = Tensor.zeros(Device.META, 2, 3, 4);
        assertArrayEquals(new int[] {3}, x.sum(new int[] {0, -1}, false).shape());
        assertArrayEquals(new int[] {1, 3, 1}, x.mean(new int[] {2, 0}, true).shape());
        Tensor.ValuesIndices r = x.max(1, false);
        assertArrayEquals(new int[] {2, 4}, r.values().shape());
        assertEquals(DType.FLOAT32, r.values().dtype());
        assertEquals(DType.INT64, r.indices().dtype());
        assertEquals(DType.INT64, x.argmin(2, true).dtype());
        assertArrayEquals(new int[] {2, 1, 4}, x.argmin(1, true).shape());
        assertArrayEquals(new int[0], x.argmax().shape());
        assertArrayEquals(new int[] {2, 1, 1}, x.amin(new int[] {1, 2}, true).shape());
        assertArrayEquals(new int[0], x.max().shape());
        assertArrayEquals(new int[] {2, 4}, x.var(1, true, false).shape());
        assertArrayEquals(new int[] {2, 3, 1}, x.std(2, false, true).shape());
        assertArrayEquals(new int[] {2, 3}, x.logsumexp(-1, false).shape());
        assertArrayEquals(new int[] {3, 4}, x.norm(Double.POSITIVE_INFINITY, 0, false).shape());
        assertArrayEquals(new int[0], x.norm().shape());
    }

    @ParameterizedTest
    @DevicesSource
    void typedErrors(Device device) {
        Tensor x = Tensor.ones(device, 2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.sum(new int[] {1, -1}, false));
        assertTrue(e.getMessage().startsWith("sum:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.amax(new int[] {2}, false));
        assertTrue(e.getMessage().startsWith("amax:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.max(3, false));
        assertTrue(e.getMessage().startsWith("max:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.argmin(-3, false));
        assertTrue(e.getMessage().startsWith("argmin:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.var(2, true, false));
        assertTrue(e.getMessage().startsWith("var:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.std(-3, true, false));
        assertTrue(e.getMessage().startsWith("std:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.norm(2, 5, false));
        assertTrue(e.getMessage().startsWith("norm:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.logsumexp(-3, false));
        assertTrue(e.getMessage().startsWith("logsumexp:"), e.getMessage());
        Tensor empty = Tensor.zeros(device, 0, 3);
        e = assertThrows(IllegalArgumentException.class, () -> empty.max(0, false));
        assertTrue(e.getMessage().startsWith("max:"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> empty.argmax());
        assertThrows(IllegalArgumentException.class, () -> empty.amin(new int[0], false));
        assertArrayEquals(new int[] {0}, empty.max(1, false).values().shape());
        Tensor ints = Tensor.of(new long[] {1, 2, 3}, 3).to(device);
        for (Runnable op : new Runnable[] {() -> ints.max(0, false), () -> ints.amax(new int[] {0}, false),
                () -> ints.argmax(), () -> ints.var(), () -> ints.logsumexp(0, false), () -> ints.norm(),
                () -> ints.sum(new int[] {0}, false), () -> ints.mean(new int[] {0}, false)}) {
            assertThrows(DTypeMismatchException.class, op::run);
        }
    }

    @Test
    @RequiresCuda
    void cpuAndCudaAgree() {
        Nd a = special(new Random(138), 37, 29, 3);
        Tensor c = a.tensor(Device.CPU);
        Tensor g = a.tensor(Device.cuda(0));
        for (int dim = 0; dim < 3; dim++) {
            for (boolean max : new boolean[] {true, false}) {
                Tensor.ValuesIndices rc = max ? c.max(dim, false) : c.min(dim, false);
                Tensor.ValuesIndices rg = max ? g.max(dim, false) : g.min(dim, false);
                assertArrayEquals(rc.values().toFloatArray(), rg.values().toFloatArray(), "values dim " + dim);
                assertArrayEquals(rc.indices().toLongArray(), rg.indices().toLongArray(), "indices dim " + dim);
            }
            assertArrayEquals(c.var(dim, true, false).toFloatArray(), g.var(dim, true, false).toFloatArray(), 1e-5f);
        }
    }

    /**
     * Issue 13 item 4, "reductions over the last dim without transposing": every dim is reduced in
     * place as {@code [outer, len, inner]} (sumAxis, extremeAxis), so the last dim costs what the
     * first does. A transposing copy would add a launch and an allocation.
     */
    @ParameterizedTest
    @DevicesSource
    void everyDimIsReducedWithoutATransposingCopy(Device device) {
        Tensor x = Tensor.randn(device, 4, 5, 6);
        java.util.Map<String, java.util.function.IntFunction<Tensor>> ops = new java.util.LinkedHashMap<>();
        ops.put("sum", d -> x.sum(d, false));
        ops.put("mean", d -> x.mean(d, false));
        ops.put("amax", d -> x.amax(new int[] {d}, false));
        ops.put("logsumexp", d -> x.logsumexp(d, false));
        ops.put("var", d -> x.var(d, true, false));
        for (var op : ops.entrySet()) {
            Counters.Snapshot first = work(device, op.getValue(), 0);
            for (int d : new int[] {1, 2, -1}) {
                Counters.Snapshot other = work(device, op.getValue(), d);
                assertEquals(first.launches(), other.launches(), op.getKey() + " over dim " + d + ": " + other);
                assertEquals(first.allocations(), other.allocations(), op.getKey() + " over dim " + d + ": " + other);
            }
        }
        assertEquals(1, work(device, ops.get("sum"), -1).launches(), "a sum over the last dim is one kernel");
        assertEquals(1, work(device, ops.get("amax"), -1).launches(), "an amax over the last dim is one kernel");
    }

    private static Counters.Snapshot work(Device device, java.util.function.IntFunction<Tensor> op, int dim) {
        return Placement.of(() -> op.apply(dim).close()).on(device);
    }
}
