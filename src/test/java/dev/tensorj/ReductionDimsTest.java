package dev.tensorj;

import static dev.tensorj.ReductionOpsTest.assertClose;
import static dev.tensorj.ReductionOpsTest.reduce;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.junit.DevicesSource;
import dev.tensorj.junit.Placement;
import dev.tensorj.junit.RequiresCuda;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * var, std, logsumexp and norm over several dims ({@code int[] dims}, empty meaning all), against
 * double references; the single-dim forms are covered in {@link ReductionOpsTest}.
 */
class ReductionDimsTest {
    private static final double INF = Double.POSITIVE_INFINITY;
    private static final double[] PS = {0, 1, 2, 3, 0.5, -1, INF, -INF};
    private static final int[][] DIM_SETS = {{0, 2}, {-1, 0}, {1}, {}, {2, 1, 0}, {-2, -1}};

    /** PyTorch's vector_norm in double: p = 0 counts the nonzeros (NaN included), else pnorm. */
    static double vectorNorm(double[] v, double p) {
        if (p == 0) {
            return Arrays.stream(v).filter(x -> x != 0).count();
        }
        return ReductionOpsTest.pnorm(v, p);
    }

    /** Whether {@code dims} is valid for {@code rank} (in range, no repeats). */
    private static boolean valid(int[] dims, int rank) {
        int r = Math.max(rank, 1);
        return Arrays.stream(dims).allMatch(d -> d >= -r && d < r)
                && Arrays.stream(dims).map(d -> d < 0 ? d + r : d).distinct().count() == dims.length;
    }

    /** Whether one of the dims reduced (all for an empty array) has size 0. */
    private static boolean reducesEmpty(int[] s, int[] dims) {
        if (dims.length == 0) {
            return Arrays.stream(s).anyMatch(n -> n == 0);
        }
        return Arrays.stream(dims).anyMatch(d -> s[d < 0 ? d + s.length : d] == 0);
    }

    // ------------------------------------------------------------------ values

    @ParameterizedTest
    @DevicesSource
    void valuesOverSeveralDims(Device device) {
        Random rng = new Random(231);
        for (int[] s : new int[][] {{3, 4, 5}, {2, 1, 3}, {2, 0, 3}, {4, 6}, {7}}) {
            Nd offset = Nd.randn(rng, s).map(v -> (float) (100 + v)); // a one-pass variance would cancel
            Nd wide = Nd.randn(rng, s).map(v -> (float) (v * 50)); // exp overflows float without the shift
            Nd special = ReductionOpsTest.special(rng, s); // ties, zeros, NaN, ±Inf
            for (int[] dims : DIM_SETS) {
                if (!valid(dims, s.length)) {
                    continue;
                }
                for (boolean keep : new boolean[] {false, true}) {
                    String what = Arrays.toString(s) + " dims " + Arrays.toString(dims) + " keep " + keep;
                    for (Nd a : new Nd[] {offset, special}) {
                        Tensor x = a.tensor(device);
                        for (boolean unbiased : new boolean[] {true, false}) {
                            Nd v = reduce(a, dims, keep, g -> ReductionOpsTest.var(g, unbiased));
                            assertClose("var " + what + " unbiased " + unbiased, x.var(dims, unbiased, keep), v,
                                    v.map(q -> 20 * q));
                            Nd sd = v.map(Math::sqrt);
                            assertClose("std " + what + " unbiased " + unbiased, x.std(dims, unbiased, keep), sd,
                                    sd.map(q -> 10 * q));
                        }
                    }
                    for (Nd a : new Nd[] {wide, special}) {
                        Nd ref = reduce(a, dims, keep, ReductionOpsTest::logsumexp);
                        assertClose("logsumexp " + what, a.tensor(device).logsumexp(dims, keep), ref,
                                ref.map(q -> 1 + Math.abs(q)));
                    }
                    for (Nd a : new Nd[] {offset.map(q -> q - 100), special}) {
                        for (double p : PS) {
                            if (Double.isInfinite(p) && reducesEmpty(s, dims)) {
                                continue; // no identity: an error, checked below
                            }
                            Nd ref = reduce(a, dims, keep, g -> vectorNorm(g, p));
                            assertClose("norm p " + p + " " + what, a.tensor(device).norm(p, dims, keep), ref,
                                    ref.map(q -> 10 * Math.abs(q)));
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @DevicesSource
    void sizeOneEmptyAndZeroDimensionalGroups(Device device) {
        Tensor x = Tensor.randn(device, 2, 1, 3);
        float[] one = x.var(new int[] {1}, true, false).toFloatArray();
        assertEquals(6, one.length);
        for (float v : one) {
            assertTrue(Float.isNaN(v), "var of one element, unbiased: NaN, as PyTorch");
        }
        assertArrayEquals(new float[6], x.var(new int[] {-2}, false, true).toFloatArray());
        Tensor empty = Tensor.zeros(device, 2, 0, 3);
        Tensor lse = empty.logsumexp(new int[] {1, 2}, false);
        assertArrayEquals(new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}, lse.toFloatArray(),
                "logsumexp of nothing: -inf, as PyTorch");
        assertEquals(Float.NEGATIVE_INFINITY, empty.logsumexp(new int[0], true).item());
        assertArrayEquals(new int[] {1, 1, 1}, empty.logsumexp(new int[0], true).shape());
        assertTrue(Float.isNaN(empty.var(new int[] {1}, false, false).toFloatArray()[0]), "var of nothing: NaN");
        assertArrayEquals(new float[6], empty.norm(2, new int[] {1}, false).toFloatArray());
        assertArrayEquals(new float[6], empty.norm(0, new int[] {1}, false).toFloatArray());
        assertArrayEquals(new int[] {0}, empty.std(new int[] {0, 2}, true, false).shape());

        Tensor scalar = Tensor.scalar(2.5f).to(device);
        assertEquals(0f, scalar.var(new int[] {0}, false, false).item());
        assertTrue(Float.isNaN(scalar.std(new int[0], true, false).item()));
        assertEquals(2.5f, scalar.logsumexp(new int[] {-1}, true).item(), 1e-6f);
        assertEquals(1f, scalar.norm(0, new int[0], false).item());
        assertEquals(0, scalar.norm(3, new int[] {0}, true).dim());
    }

    @ParameterizedTest
    @DevicesSource
    void singleDimFormsAndDefaults(Device device) {
        Tensor x = Nd.randn(new Random(232), 4, 5).tensor(device);
        assertArrayEquals(x.var(1, true, false).toFloatArray(), x.var(1).toFloatArray(), "var(dim): unbiased");
        assertArrayEquals(x.std(-2, true, false).toFloatArray(), x.std(-2).toFloatArray(), "std(dim): unbiased");
        assertArrayEquals(new int[] {4}, x.var(1).shape(), "var(dim): keepdim false");
        assertArrayEquals(x.var(0, false, true).toFloatArray(), x.var(new int[] {0}, false, true).toFloatArray());
        assertArrayEquals(x.logsumexp(1, false).toFloatArray(), x.logsumexp(new int[] {-1}, false).toFloatArray());
        assertArrayEquals(x.norm(3, 0, true).toFloatArray(), x.norm(3, new int[] {0}, true).toFloatArray());
        assertArrayEquals(x.norm().toFloatArray(), x.norm(2, new int[0], false).toFloatArray());
        assertArrayEquals(x.std().toFloatArray(), x.std(new int[] {0, 1}, true, false).toFloatArray());
    }

    // ------------------------------------------------------------------ gradients

    @ParameterizedTest
    @DevicesSource
    void gradientsMatchFiniteDifferences(Device device) {
        Random rng = new Random(233);
        Nd a = Nd.randn(rng, 3, 4, 5); // continuous values: no ties
        Nd away = Nd.randnAwayFromZero(rng, 0.1, 3, 4, 5);
        int[][] dimSets = {{0, 2}, {}, {-1, 1}};
        for (int[] ds : dimSets) {
            for (boolean keep : new boolean[] {false, true}) {
                String what = " dims " + Arrays.toString(ds) + " keep " + keep;
                GradCheck.check("var" + what, device, 1, xs -> xs[0].var(ds, true, keep),
                        in -> reduce(in[0], ds, keep, v -> ReductionOpsTest.var(v, true)), a);
                GradCheck.check("std" + what, device, 2, xs -> xs[0].std(ds, false, keep),
                        in -> reduce(in[0], ds, keep, v -> Math.sqrt(ReductionOpsTest.var(v, false))), a);
                GradCheck.check("logsumexp" + what, device, 3, xs -> xs[0].logsumexp(ds, keep),
                        in -> reduce(in[0], ds, keep, ReductionOpsTest::logsumexp), a);
                for (double p : PS) {
                    GradCheck.check("norm p " + p + what, device, 4, xs -> xs[0].norm(p, ds, keep),
                            in -> reduce(in[0], ds, keep, v -> vectorNorm(v, p)), away);
                }
            }
        }
    }

    @ParameterizedTest
    @DevicesSource
    void stdOfAConstantGroupHasGradientZero(Device device) {
        // row 0 is constant: std 0, and PyTorch's std_backward gives 0 there (the chain rule, 0 · inf = NaN)
        Tensor x = Tensor.of(new float[] {2, 2, 2, 1, 2, 4}, 2, 3).to(device).requiresGrad(true);
        x.std(new int[] {1}, true, false).sum().backward();
        float[] g = x.grad().toFloatArray();
        assertArrayEquals(new float[] {0, 0, 0}, Arrays.copyOf(g, 3));
        // row 1: d std / dx_i = (x_i - mean) / ((N - 1) std), mean 7/3, std = sqrt(7/3)
        double sd = Math.sqrt(7.0 / 3);
        assertEquals((1 - 7.0 / 3) / (2 * sd), g[3], 1e-6);
        assertEquals((4 - 7.0 / 3) / (2 * sd), g[5], 1e-6);
        Tensor y = Tensor.of(new float[] {0, 3, 0, -1}, 4).to(device).requiresGrad(true);
        Tensor count = y.norm(0, new int[0], false);
        assertEquals(2f, count.item());
        count.backward();
        assertArrayEquals(new float[4], y.grad().toFloatArray(), "norm p = 0: gradient 0, as PyTorch");
    }

    // ------------------------------------------------------------------ meta, errors, agreement

    @Test
    void metaShapes() {
        Tensor x = Tensor.zeros(Device.META, 2, 3, 4);
        assertArrayEquals(new int[] {3}, x.var(new int[] {0, -1}, true, false).shape());
        assertArrayEquals(new int[] {1, 3, 1}, x.std(new int[] {2, 0}, false, true).shape());
        assertArrayEquals(new int[0], x.logsumexp(new int[0], false).shape());
        assertArrayEquals(new int[] {1, 1, 1}, x.logsumexp(new int[0], true).shape());
        for (double p : PS) {
            Tensor n = x.norm(p, new int[] {1, 2}, false);
            assertArrayEquals(new int[] {2}, n.shape(), "norm p " + p);
            assertEquals(Device.META, n.device());
            assertEquals(DType.FLOAT32, n.dtype());
        }
        assertArrayEquals(new int[] {3, 4}, x.var(0).shape());
        assertArrayEquals(new int[] {2, 4}, x.std(1).shape());
    }

    @ParameterizedTest
    @DevicesSource
    void typedErrorsBeforeAnyAllocation(Device device) {
        Tensor x = Tensor.randn(device, 2, 3);
        Map<String, Function<int[], Tensor>> ops = new LinkedHashMap<>();
        ops.put("var", ds -> x.var(ds, true, false));
        ops.put("std", ds -> x.std(ds, false, true));
        ops.put("logsumexp", ds -> x.logsumexp(ds, false));
        for (double p : PS) {
            ops.put("norm " + p, ds -> x.norm(p, ds, false));
        }
        for (var op : ops.entrySet()) {
            String name = op.getKey().split(" ")[0];
            expectError(device, name, "appears multiple times", () -> op.getValue().apply(new int[] {1, -1}));
            expectError(device, name, "out of range", () -> op.getValue().apply(new int[] {0, 2}));
            expectError(device, name, "out of range", () -> op.getValue().apply(new int[] {-3}));
        }
        Tensor empty = Tensor.zeros(device, 2, 0);
        for (double p : new double[] {INF, -INF}) {
            expectError(device, "norm", "size 0", () -> empty.norm(p, new int[] {1}, false));
            expectError(device, "norm", "size 0", () -> empty.norm(p, new int[0], false));
        }
        expectError(device, "norm", "NaN", () -> x.norm(Double.NaN, new int[] {0}, false));
        Tensor ints = Tensor.of(new long[] {1, 2, 3}, 3).to(device);
        Map<String, Runnable> onInts = new LinkedHashMap<>();
        onInts.put("var", () -> ints.var(new int[] {0}, true, false));
        onInts.put("std", () -> ints.std(0));
        onInts.put("logsumexp", () -> ints.logsumexp(new int[0], false));
        onInts.put("norm", () -> ints.norm(0, new int[] {0}, false));
        for (var op : onInts.entrySet()) {
            DTypeMismatchException e = assertThrows(DTypeMismatchException.class, op.getValue()::run);
            assertTrue(e.getMessage().startsWith(op.getKey()) && e.getMessage().toLowerCase().contains("int64"),
                    e.getMessage());
        }
    }

    private static void expectError(Device device, String op, String words, Runnable call) {
        IllegalArgumentException[] e = new IllegalArgumentException[1];
        Placement p = Placement.of(() -> e[0] = assertThrows(IllegalArgumentException.class, call::run, op));
        assertTrue(e[0].getMessage().startsWith(op + ":") && e[0].getMessage().contains(words), e[0].getMessage());
        assertEquals(0, p.on(device).allocations(), op + ": allocated before the error");
    }

    @Test
    @RequiresCuda
    void cpuAndCudaAgree() {
        Nd a = ReductionOpsTest.special(new Random(234), 17, 29, 3);
        Tensor c = a.tensor(Device.CPU);
        Tensor g = a.tensor(Device.cuda(0));
        for (int[] ds : new int[][] {{0, 2}, {}, {1}, {-1, 0}}) {
            Map<String, Function<Tensor, Tensor>> ops = new LinkedHashMap<>();
            ops.put("var", t -> t.var(ds, true, false));
            ops.put("std", t -> t.std(ds, false, true));
            ops.put("logsumexp", t -> t.logsumexp(ds, false));
            for (double p : PS) {
                ops.put("norm " + p, t -> t.norm(p, ds, true));
            }
            for (var op : ops.entrySet()) {
                Tensor onCpu = op.getValue().apply(c);
                Nd ref = new Nd(toDoubles(onCpu.toFloatArray()), onCpu.shape());
                assertClose(op.getKey() + " dims " + Arrays.toString(ds), op.getValue().apply(g), ref,
                        ref.map(q -> 10 * Math.abs(q)));
            }
        }
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
