package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.junit.DevicesSource;
import dev.tensorj.junit.Placement;
import dev.tensorj.junit.RequiresCuda;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * index_select, gather, scatter_add and embedding on the gather and scatter-add kernels: values
 * against n-d double references on random inputs (repeated indices, negative dims, size-1 and
 * zero-size dims, indices of 0 elements), finite-difference gradients, cpu against the CUDA
 * backend on the same inputs, meta shapes and typed errors.
 */
class IndexKernelsTest {

    /** An int64 index of {@code shape} with values in [0, n), drawn with repeats. */
    record Index(long[] v, int[] shape) {
        static Index random(Random rng, int n, int... shape) {
            long[] v = new long[Nd.numel(shape)];
            for (int i = 0; i < v.length; i++) {
                v[i] = rng.nextInt(n);
            }
            return new Index(v, shape);
        }

        Tensor on(Device device) {
            return (shape.length == 0 ? Tensor.full(Device.CPU, v[0], new int[0]) : Tensor.of(v, shape)).to(device);
        }
    }

    // ------------------------------------------------------------ n-d references in double

    private static int[] unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }

    private static int ravel(int[] idx, int[] shape) {
        int flat = 0;
        for (int d = 0; d < shape.length; d++) {
            flat = flat * shape[d] + idx[d];
        }
        return flat;
    }

    static Nd refIndexSelect(Nd x, int d, long[] index) {
        int[] shape = x.shape.clone();
        shape[d] = index.length;
        double[] out = new double[Nd.numel(shape)];
        for (int t = 0; t < out.length; t++) {
            int[] at = unravel(t, shape);
            at[d] = (int) index[at[d]];
            out[t] = x.v[ravel(at, x.shape)];
        }
        return new Nd(out, shape);
    }

    static Nd refGather(Nd x, int d, Index index) {
        double[] out = new double[index.v.length];
        for (int t = 0; t < out.length; t++) {
            int[] at = unravel(t, index.shape);
            at[d] = (int) index.v[t];
            out[t] = x.v[ravel(at, x.shape)];
        }
        return new Nd(out, index.shape);
    }

    static Nd refScatterAdd(Nd self, int d, Index index, Nd src) {
        double[] out = self.v.clone();
        for (int t = 0; t < index.v.length; t++) {
            int[] at = unravel(t, index.shape);
            double v = src.v[ravel(at, src.shape)];
            at[d] = (int) index.v[t];
            out[ravel(at, self.shape)] += v;
        }
        return new Nd(out, self.shape);
    }

    // ------------------------------------------------------------ values and gradients

    @ParameterizedTest
    @DevicesSource
    void indexSelectOnRandomInputs(Device device) {
        Random rng = new Random(21);
        int[][] shapes = {{3, 5, 4}, {1, 6, 1}, {2, 0, 3}, {7}};
        for (int[] shape : shapes) {
            Nd x = Nd.randn(rng, shape);
            for (int dim = -shape.length; dim < shape.length; dim++) {
                int d = dim < 0 ? dim + shape.length : dim;
                for (int k : new int[] {0, 1, 9}) {
                    if (shape[d] == 0 && k > 0) {
                        continue; // no valid index into an empty dim
                    }
                    long[] idx = Index.random(rng, Math.max(shape[d], 1), k).v;
                    String what = "index_select " + x + " dim " + dim + " k " + k;
                    Tensor index = Tensor.of(idx, k).to(device);
                    Approx.assertClose(what, x.tensor(device).indexSelect(dim, index), refIndexSelect(x, d, idx));
                }
            }
        }
        Nd x = Nd.randn(rng, 4, 3, 2);
        long[] rows = {3, 1, 3, 3, 0}; // repeats accumulate in the backward
        GradCheck.check("index_select grad dim 0", device, 31, xs -> xs[0].indexSelect(0, Tensor.of(rows, 5).to(device)),
                xs -> refIndexSelect(xs[0], 0, rows), x);
        long[] mid = {2, 2, 0};
        GradCheck.check("index_select grad dim -2", device, 32, xs -> xs[0].indexSelect(-2, Tensor.of(mid, 3).to(device)),
                xs -> refIndexSelect(xs[0], 1, mid), x);
    }

    @ParameterizedTest
    @DevicesSource
    void gatherOnRandomInputs(Device device) {
        Random rng = new Random(22);
        Nd x = Nd.randn(rng, 4, 3, 5);
        // index larger than input along dim, smaller outside it; negative dim; zero-size and size-1 dims
        int[][][] cases = {{{2, 6, 3}, {1}}, {{4, 3, 5}, {-1}}, {{6, 1, 2}, {0}}, {{0, 2, 5}, {1}}, {{3, 3, 0}, {2}}};
        for (int[][] c : cases) {
            int dim = c[1][0];
            int d = dim < 0 ? dim + 3 : dim;
            Index index = Index.random(rng, x.shape[d], c[0]);
            Approx.assertClose("gather " + java.util.Arrays.toString(c[0]) + " dim " + dim,
                    x.tensor(device).gather(dim, index.on(device)), refGather(x, d, index));
        }
        Index index = Index.random(rng, 3, 3, 7, 4);
        GradCheck.check("gather grad", device, 33, xs -> xs[0].gather(-2, index.on(device)),
                xs -> refGather(xs[0], 1, index), x);
    }

    @ParameterizedTest
    @DevicesSource
    void scatterAddOnRandomInputs(Device device) {
        Random rng = new Random(23);
        Nd self = Nd.randn(rng, 4, 5, 3);
        // {index shape, src shape, dim}: index spanning self outside dim; smaller than self (the
        // padded path) and than src; size 1; zero elements
        int[][][] cases = {{{4, 9, 3}, {4, 9, 3}, {1}}, {{3, 7, 2}, {3, 8, 4}, {-2}}, {{6, 5, 3}, {6, 5, 3}, {0}},
                {{4, 5, 1}, {4, 5, 2}, {2}}, {{4, 0, 3}, {4, 2, 3}, {1}}, {{1, 1, 1}, {1, 1, 1}, {-1}}};
        for (int[][] c : cases) {
            int dim = c[2][0];
            int d = dim < 0 ? dim + 3 : dim;
            Index index = Index.random(rng, self.shape[d], c[0]);
            Nd src = Nd.randn(rng, c[1]);
            String what = "scatter_add index " + java.util.Arrays.toString(c[0]) + " src " + src + " dim " + dim;
            Tensor out = self.tensor(device).scatterAdd(dim, index.on(device), src.tensor(device));
            Nd ref = refScatterAdd(self, d, index, src);
            Nd abs = refScatterAdd(self.map(Math::abs), d, index, src.map(Math::abs));
            Approx.assertClose(what, out, ref, abs);
        }
        Index small = Index.random(rng, 5, 3, 6, 2);
        GradCheck.check("scatter_add grad, index smaller than both", device, 34,
                xs -> xs[0].scatterAdd(1, small.on(device), xs[1]), xs -> refScatterAdd(xs[0], 1, small, xs[1]),
                self, Nd.randn(rng, 3, 7, 3));
        Index full = Index.random(rng, 4, 8, 5, 3);
        GradCheck.check("scatter_add grad, index spanning input", device, 35,
                xs -> xs[0].scatterAdd(0, full.on(device), xs[1]), xs -> refScatterAdd(xs[0], 0, full, xs[1]),
                self, Nd.randn(rng, 8, 5, 3));
        // an empty input, larger than the index outside dim (the padded path with nothing to add)
        Tensor none = Tensor.zeros(device, 2, 3, 0).scatterAdd(1, Tensor.zeros(device, DType.INT64, 1, 3, 0),
                Tensor.zeros(device, 1, 4, 0));
        assertArrayEquals(new int[] {2, 3, 0}, none.shape());
        // 0-d: one element added at index 0
        Tensor s = Tensor.scalar(1.5f).to(device);
        assertEquals(3.75f, s.scatterAdd(0, Tensor.full(device, 0L, new int[0]), Tensor.scalar(2.25f).to(device)).item());
    }

    @ParameterizedTest
    @DevicesSource
    void embeddingOnRandomInputs(Device device) {
        Random rng = new Random(24);
        Nd w = Nd.randn(rng, 6, 4);
        for (int[] shape : new int[][] {{5}, {2, 3}, {}, {0}, {2, 0, 3}}) {
            Index index = Index.random(rng, 6, shape);
            Tensor out = Functional.embedding(index.on(device), w.tensor(device));
            int[] outShape = java.util.Arrays.copyOf(shape, shape.length + 1);
            outShape[shape.length] = 4;
            Nd ref = refIndexSelect(w, 0, index.v);
            Approx.assertClose("embedding " + java.util.Arrays.toString(shape), out, new Nd(ref.v, outShape));
        }
        Index index = new Index(new long[] {1, 4, 1, 5, 4, 4}, new int[] {2, 3});
        GradCheck.check("embedding grad", device, 36, xs -> Functional.embedding(index.on(device), xs[0]),
                xs -> new Nd(refIndexSelect(xs[0], 0, index.v).v, 2, 3, 4), w);
        // padding row 4 (given as -2): its entries pass no gradient, the others do
        Tensor weight = w.tensor(device).requiresGrad(true);
        Tensor g = Tensor.randn(2, 3, 4).to(device);
        Tensor out = Functional.embedding(index.on(device), weight, -2);
        Approx.assertClose("embedding with padding: forward reads row 4", out, new Nd(refIndexSelect(w, 0, index.v).v, 2, 3, 4));
        out.backward(g, false);
        float[] gv = g.toFloatArray();
        double[] expected = new double[24];
        for (int t = 0; t < 6; t++) {
            int row = (int) index.v[t];
            for (int c = 0; row != 4 && c < 4; c++) {
                expected[row * 4 + c] += gv[t * 4 + c];
            }
        }
        Approx.assertClose("embedding padding gradient", weight.grad(), new Nd(expected, 6, 4));
    }

    /**
     * An index smaller than the input (and src) in dims other than the gathered one reads and writes
     * them in place: rank 4 with the smaller dims before and after dim, and rank 10 with every dim
     * smaller (ten collapsed dims: beyond the CUDA kernel's 8, so two loop on the host).
     */
    @ParameterizedTest
    @DevicesSource
    void indexSmallerThanInputOutsideDim(Device device) {
        Random rng = new Random(26);
        Nd x = Nd.randn(rng, 4, 3, 5, 2);
        Index gi = Index.random(rng, 5, 3, 2, 6, 1);
        Approx.assertClose("gather, index smaller outside dim", x.tensor(device).gather(2, gi.on(device)), refGather(x, 2, gi));
        GradCheck.check("gather grad, index smaller outside dim", device, 37, xs -> xs[0].gather(2, gi.on(device)),
                xs -> refGather(xs[0], 2, gi), x);
        Index si = Index.random(rng, 3, 2, 7, 4, 1);
        Nd src = Nd.randn(rng, 3, 8, 5, 2);
        Tensor out = x.tensor(device).scatterAdd(1, si.on(device), src.tensor(device));
        Approx.assertClose("scatter_add, index smaller outside dim", out, refScatterAdd(x, 1, si, src),
                refScatterAdd(x.map(Math::abs), 1, si, src.map(Math::abs)));
        GradCheck.check("scatter_add grad, index smaller outside dim", device, 38,
                xs -> xs[0].scatterAdd(1, si.on(device), xs[1]), xs -> refScatterAdd(xs[0], 1, si, xs[1]), x, src);
        int[] big = {3, 3, 3, 3, 3, 3, 3, 3, 3, 3};
        int[] small = {2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
        Nd wide = Nd.randn(rng, big);
        Index wi = Index.random(rng, 3, small);
        Approx.assertClose("gather of rank 10", wide.tensor(device).gather(4, wi.on(device)), refGather(wide, 4, wi));
        Nd wsrc = Nd.randn(rng, small);
        Approx.assertClose("scatter_add of rank 10", wide.tensor(device).scatterAdd(0, wi.on(device), wsrc.tensor(device)),
                refScatterAdd(wide, 0, wi, wsrc), refScatterAdd(wide.map(Math::abs), 0, wi, wsrc.map(Math::abs)));
    }

    /**
     * scatter_add's src gradient is dispatched like every backward rule (the gradient checked, the op
     * counted): its backward counts as many ops as index_select's, each one gather-like kernel.
     */
    @ParameterizedTest
    @DevicesSource
    void scatterAddBackwardIsDispatched(Device device) {
        Tensor index = Tensor.of(new long[] {2, 0, 2}, 1, 3).to(device);
        Tensor src = Tensor.randn(1, 3).to(device).requiresGrad(true);
        Tensor scattered = Tensor.randn(2, 4).to(device).scatterAdd(1, index, src);
        Tensor input = Tensor.randn(2, 4).to(device).requiresGrad(true);
        Tensor selected = input.indexSelect(1, Tensor.of(new long[] {2, 0, 2}, 3).to(device));
        long scatterOps = Placement.of(() -> scattered.backward(Tensor.randn(2, 4).to(device), false)).on(device).ops();
        long selectOps = Placement.of(() -> selected.backward(Tensor.randn(2, 3).to(device), false)).on(device).ops();
        assertEquals(selectOps, scatterOps, "ops in scatter_add's backward against index_select's");
        assertTrue(scatterOps > 0);
    }

    /** Arguments rejected before the op is counted: no op, no allocation. */
    @ParameterizedTest
    @DevicesSource(meta = true)
    void rejectedArgumentsCountNothing(Device device) {
        Tensor x = Tensor.randn(3, 4).to(device);
        Tensor i1 = Tensor.of(new long[] {0, 1}, 2).to(device);
        Tensor i2 = Tensor.of(new long[] {0, 1, 2, 0}, 2, 2).to(device);
        Tensor i3 = Tensor.zeros(device, DType.INT64, 4, 1);
        Tensor i4 = Tensor.zeros(device, DType.INT64, 2, 5);
        Executable[] bad = {() -> x.indexSelect(2, i1), () -> x.indexSelect(0, i2), () -> x.gather(-3, i2),
            () -> x.gather(0, i1), () -> x.gather(0, i4),
            () -> x.repeat(2), () -> x.repeat(1, -1), () -> x.scatterAdd(1, i3, x)};
        for (int b = 0; b < bad.length; b++) {
            Executable call = bad[b];
            RuntimeException[] e = new RuntimeException[1];
            Counters.Snapshot work = Placement.of(() -> e[0] = assertThrows(RuntimeException.class, call)).on(device);
            assertTrue(e[0] instanceof ShapeMismatchException || e[0] instanceof IllegalArgumentException, e[0].toString());
            assertEquals(0, work.ops() + work.allocations(), "call " + b + " (" + e[0].getMessage() + "): " + work);
        }
    }

    /** The CUDA backend against the cpu on the same random inputs (gathers bit for bit). */
    @Test
    @RequiresCuda
    void cudaMatchesCpu() {
        Device cuda = Device.cuda(0);
        Random rng = new Random(25);
        Tensor x = Tensor.randn(5, 300, 3);
        Tensor rows = Tensor.of(Index.random(rng, 300, 1000).v, 1000);
        assertArrayEquals(x.indexSelect(1, rows).toFloatArray(), x.to(cuda).indexSelect(1, rows.to(cuda)).toFloatArray());
        Index gi = Index.random(rng, 300, 4, 700, 2);
        assertArrayEquals(x.gather(1, gi.on(Device.CPU)).toFloatArray(), x.to(cuda).gather(1, gi.on(cuda)).toFloatArray());
        // many repeats per element: sums agree to rounding (the GPU's order of additions is not fixed)
        Tensor src = Tensor.randn(4, 700, 2);
        float[] c = x.scatterAdd(1, gi.on(Device.CPU), src).toFloatArray();
        float[] g = x.to(cuda).scatterAdd(1, gi.on(cuda), src.to(cuda)).toFloatArray();
        assertEquals(c.length, g.length);
        for (int i = 0; i < c.length; i++) {
            assertEquals(c[i], g[i], 1e-5 * (1 + Math.abs(c[i])), "scatter_add element " + i);
        }
        // an index smaller than the input (and src) outside dim: values and gradients agree
        Tensor big = Tensor.randn(6, 40, 5);
        Index si = Index.random(rng, 40, 4, 90, 3);
        Tensor bigSrc = Tensor.randn(5, 95, 4);
        Tensor[] cpu = {big.detach().requiresGrad(true), bigSrc.detach().requiresGrad(true)};
        Tensor[] gpu = {big.to(cuda).requiresGrad(true), bigSrc.to(cuda).requiresGrad(true)};
        Tensor seedG = Tensor.randn(4, 90, 3);
        Tensor seedS = Tensor.randn(6, 40, 5);
        cpu[0].gather(1, si.on(Device.CPU)).backward(seedG, false);
        gpu[0].gather(1, si.on(cuda)).backward(seedG.to(cuda), false);
        assertArrayEquals(big.gather(1, si.on(Device.CPU)).toFloatArray(),
                big.to(cuda).gather(1, si.on(cuda)).toFloatArray(), "gather, index smaller outside dim");
        Tensor sc = cpu[0].detach().scatterAdd(1, si.on(Device.CPU), cpu[1]);
        Tensor sg = gpu[0].detach().scatterAdd(1, si.on(cuda), gpu[1]);
        close("scatter_add, index smaller outside dim", sc.toFloatArray(), sg.toFloatArray());
        sc.backward(seedS, false);
        sg.backward(seedS.to(cuda), false);
        close("gather gradient, index smaller outside dim", cpu[0].grad().toFloatArray(), gpu[0].grad().toFloatArray());
        assertArrayEquals(cpu[1].grad().toFloatArray(), gpu[1].grad().toFloatArray(), "scatter_add src gradient");
        Tensor w = Tensor.randn(300, 3).requiresGrad(true);
        Tensor wc = w.detach().to(cuda).requiresGrad(true);
        Tensor seed = Tensor.randn(1000, 3);
        Functional.embedding(rows, w).backward(seed, false);
        Functional.embedding(rows.to(cuda), wc).backward(seed.to(cuda), false);
        float[] gc = w.grad().toFloatArray();
        float[] gg = wc.grad().toFloatArray();
        for (int i = 0; i < gc.length; i++) {
            assertEquals(gc[i], gg[i], 1e-5 * (1 + Math.abs(gc[i])), "embedding gradient element " + i);
        }
    }

    private static void close(String what, float[] c, float[] g) {
        assertEquals(c.length, g.length, what);
        for (int i = 0; i < c.length; i++) {
            assertEquals(c[i], g[i], 1e-5 * (1 + Math.abs(c[i])), what + " element " + i);
        }
    }

    @Test
    void metaShapesAndGradients() {
        Tensor x = Tensor.randn(Device.META, 4, 6, 3).requiresGrad(true);
        Tensor rows = Tensor.zeros(Device.META, DType.INT64, 10);
        assertArrayEquals(new int[] {4, 10, 3}, x.indexSelect(1, rows).shape());
        Tensor index = Tensor.zeros(Device.META, DType.INT64, 2, 9, 3);
        assertArrayEquals(new int[] {2, 9, 3}, x.gather(-2, index).shape());
        Tensor src = Tensor.randn(Device.META, 3, 9, 3).requiresGrad(true);
        Tensor out = x.scatterAdd(1, index, src);
        assertArrayEquals(new int[] {4, 6, 3}, out.shape());
        out.sum().backward();
        assertArrayEquals(new int[] {4, 6, 3}, x.grad().shape());
        assertArrayEquals(new int[] {3, 9, 3}, src.grad().shape());
        Tensor w = Tensor.randn(Device.META, 50_000, 128).requiresGrad(true);
        Tensor e = Functional.embedding(Tensor.zeros(Device.META, DType.INT64, 8, 16), w, 0);
        assertArrayEquals(new int[] {8, 16, 128}, e.shape());
        e.sum().backward();
        assertArrayEquals(new int[] {50_000, 128}, w.grad().shape());
    }

    // ------------------------------------------------------------ typed errors

    /** {@code call} throws {@code type} naming {@code op}, and allocates nothing on {@code device} first. */
    private static <T extends TensorjException> T rejects(Class<T> type, String op, Device device, Executable call) {
        List<T> e = new ArrayList<>(1);
        Placement p = Placement.of(() -> e.add(assertThrows(type, call)));
        assertEquals(op, e.get(0).op());
        assertEquals(0, p.on(device).allocations(), op + ": allocated before the error");
        return e.get(0);
    }

    @ParameterizedTest
    @DevicesSource(meta = true)
    void badArgumentsAreTypedErrors(Device device) {
        Tensor x = Tensor.randn(3, 4).to(device);
        Tensor src = Tensor.randn(3, 4).to(device);
        Tensor ok = Tensor.of(new long[] {0, 1, 2, 1}, 2, 2).to(device);
        Tensor floats = Tensor.of(new float[] {0f, 1f, 2f, 1f}, 2, 2).to(device);
        rejects(DTypeMismatchException.class, "scatter_add", device, () -> x.scatterAdd(1, floats, src));
        rejects(DTypeMismatchException.class, "scatter_add", device, () -> x.scatterAdd(1, ok, ok));
        rejects(DTypeMismatchException.class, "embedding", device, () -> Functional.embedding(floats, x));
        rejects(DTypeMismatchException.class, "embedding", device, () -> Functional.embedding(ok, ok));
        // wrong rank
        Tensor oneD = Tensor.of(new long[] {0, 1}, 2).to(device);
        Tensor wide = Tensor.zeros(device, DType.INT64, 2, 5);
        Tensor wideSrc = Tensor.randn(2, 6).to(device);
        Tensor smallSrc = Tensor.randn(1, 2).to(device);
        Tensor w3 = Tensor.randn(2, 3, 4).to(device);
        rejects(ShapeMismatchException.class, "scatter_add", device, () -> x.scatterAdd(1, oneD, src));
        rejects(ShapeMismatchException.class, "scatter_add", device, () -> x.scatterAdd(0, wide, wideSrc));
        rejects(ShapeMismatchException.class, "scatter_add", device, () -> x.scatterAdd(0, ok, smallSrc));
        rejects(ShapeMismatchException.class, "embedding", device, () -> Functional.embedding(ok, w3));
        rejects(ShapeMismatchException.class, "index_select", device, () -> x.indexSelect(0, ok));
        assertThrows(IllegalArgumentException.class, () -> x.scatterAdd(2, ok, src));
        assertThrows(IllegalArgumentException.class, () -> Functional.embedding(ok, x, 3));
        // mixed devices
        Device other = device.type() == Device.Type.META ? Device.CPU : Device.META;
        Tensor srcElsewhere = Tensor.randn(3, 4).to(other);
        Tensor okElsewhere = Tensor.of(new long[] {0, 1, 2, 1}, 2, 2).to(other);
        DeviceMismatchException dm = rejects(DeviceMismatchException.class, "scatter_add", device,
                () -> x.scatterAdd(1, ok, srcElsewhere));
        assertTrue(dm.getMessage().contains("src"), dm.getMessage());
        rejects(DeviceMismatchException.class, "embedding", device, () -> Functional.embedding(okElsewhere, x));
        if (device.type() == Device.Type.META) {
            return; // no index values to check
        }
        Tensor tooBig = Tensor.of(new long[] {0, 4, 1, 2}, 2, 2).to(device);
        IndexOutOfRangeException e = rejects(IndexOutOfRangeException.class, "scatter_add", device,
                () -> x.scatterAdd(0, tooBig, src));
        assertTrue(e.getMessage().contains(" 4 ") && e.getMessage().contains("[0, 3)"), e.getMessage());
        Tensor negative = Tensor.of(new long[] {0, -1}, 2).to(device);
        e = rejects(IndexOutOfRangeException.class, "embedding", device, () -> Functional.embedding(negative, x));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        e = rejects(IndexOutOfRangeException.class, "embedding", device, () -> Functional.embedding(tooBig, x));
        assertTrue(e.getMessage().contains("[0, 3)"), e.getMessage());
        // nothing changed, and the device still works
        assertNull(x.grad());
        assertEquals(12, x.scatterAdd(1, ok, src).numel());
        assertEquals(16, Functional.embedding(ok, x).numel());
    }
}
