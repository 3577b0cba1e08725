package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tensorj.data.CsvReader;
import dev.tensorj.data.DataLoader;
import dev.tensorj.data.Dataset;
import dev.tensorj.data.Subset;
import dev.tensorj.data.TensorDataset;
import dev.tensorj.junit.DevicesSource;
import dev.tensorj.junit.Placement;
import dev.tensorj.train.Progress;
import dev.tensorj.nn.ClipGrad;
import dev.tensorj.nn.Dropout;
import dev.tensorj.nn.Linear;
import dev.tensorj.nn.MSELoss;
import dev.tensorj.nn.ReLU;
import dev.tensorj.optim.Checkpoint;
import dev.tensorj.optim.ParamGroup;
import dev.tensorj.optim.SGD;
import java.io.StringReader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;

/** Corners where tensorj once disagreed with PyTorch, each checked against PyTorch's rule. */
class PyTorchParityTest {
    private static final float NAN = Float.NaN;
    private static final float INF = Float.POSITIVE_INFINITY;


    private static Tensor on(Device d, float[] v, int... shape) {
        return Tensor.of(v, shape).to(d);
    }

    private static Tensor leaf(Device d, long seed, int... shape) {
        return Nd.randn(new Random(seed), shape).tensor(d).requiresGrad(true);
    }

    // ------------------------------------------------------------ 1. each leaf owns its gradient

    @ParameterizedTest
    @DevicesSource
    void closingTheGradientGivenToBackwardLeavesTheLeafsGradientIntact(Device device) {
        Nd gv = Nd.randn(new Random(101), 2, 3);
        // A leaf as the root, a pass-through (scalar add) and a view (reshape) before the leaf.
        List<java.util.function.UnaryOperator<Tensor>> graphs = List.of(
                p -> p, p -> p.add(0.5f), p -> p.reshape(3, 2).reshape(2, 3));
        for (var graph : graphs) {
            Tensor p = leaf(device, 102, 2, 3);
            float[] before = p.toFloatArray();
            SGD sgd = new SGD(List.of(p), 0.5f);
            try (Tensor g = gv.tensor(device)) {
                graph.apply(p).backward(g, false);
            }
            assertFalse(p.grad().isClosed(), "closing the caller's gradient closed the leaf's");
            assertArrayEquals(gv.floats(), p.grad().toFloatArray());
            sgd.step(); // p -= 0.5·g
            float[] after = p.toFloatArray();
            for (int i = 0; i < after.length; i++) {
                assertEquals(before[i] - 0.5f * (float) gv.v[i], after[i], "element " + i);
            }
        }
    }

    @ParameterizedTest
    @DevicesSource
    void twoLeavesNeverShareOneGradientTensor(Device device) {
        Nd w = Nd.randn(new Random(103), 4);
        Tensor a = leaf(device, 104, 4);
        Tensor b = leaf(device, 105, 4);
        Tensor c = leaf(device, 106, 4);
        // d(a + b)/da = d(a + b)/db = w, one tensor object in the add rule; c gets it through sub.
        a.add(b).sub(c.neg()).mul(w.tensor(device)).sum().backward();
        assertNotSame(a.grad(), b.grad());
        assertNotSame(b.grad(), c.grad());
        assertNotSame(a.grad(), c.grad());
        a.grad().close();
        assertArrayEquals(w.floats(), b.grad().toFloatArray());
        b.grad().close();
        assertArrayEquals(w.floats(), c.grad().toFloatArray());
    }

    @ParameterizedTest
    @DevicesSource
    void aSharedGradientIsCopiedOnceAndAFreshOneNever(Device device) {
        Tensor w = Nd.randn(new Random(107), 5).tensor(device);
        long both = backwardAllocations(device, leaf(device, 108, 5), leaf(device, 109, 5), w);
        long one = backwardAllocations(device, leaf(device, 108, 5), Nd.randn(new Random(109), 5).tensor(device), w);
        // add's rule hands one tensor to both leaves: the first stores a copy, the last the tensor itself.
        assertEquals(1, both - one, "allocations of backward with both leaves minus with one");
    }

    private static long backwardAllocations(Device device, Tensor a, Tensor b, Tensor w) {
        Tensor loss = a.add(b).mul(w).sum();
        return Placement.of(loss::backward).on(device).allocations();
    }

    // ------------------------------------------------------------ 2. pow(0)'s gradient

    @ParameterizedTest
    @DevicesSource
    void powZeroHasAZeroGradientEverywhere(Device device) {
        // PyTorch's pow_backward: zeros where the exponent is 0 (not 0·x^-1, which is NaN at x = ±0).
        Nd x = new Nd(new double[] {0, -0.0, 1.5, -2.25, 3e-20, -7}, 6);
        GradCheck.check("pow 0", device, 110, t -> t[0].pow(0f), r -> RefOps.pow(r[0], 0), x);
        for (float e : new float[] {0f, -0f}) {
            Tensor p = on(device, new float[] {0f, -0f, NAN, INF, -3f}).requiresGrad(true);
            Tensor y = p.pow(e);
            assertArrayEquals(new float[] {1f, 1f, 1f, 1f, 1f}, y.toFloatArray(), "x^" + e + " is 1 for every x");
            y.backward(on(device, new float[] {2f, -1f, INF, NAN, 0.5f}), false);
            assertArrayEquals(new float[] {0f, 0f, 0f, 0f, 0f}, p.grad().toFloatArray(), "d(x^" + e + ")/dx");
        }
    }

    // ------------------------------------------------------------ 3. pow with NaN and infinite exponents

    @ParameterizedTest
    @DevicesSource
    void powFollowsCsPowForNanAndInfiniteExponents(Device device) {
        float[] x = {1f, -1f, 0.5f, -0.5f, 2f, -2f, 0f, -0f, NAN, INF, -INF};
        // C99 Annex F (what torch.pow computes): pow(1, y) = 1 for any y, pow(-1, ±inf) = 1,
        // pow(x, ±0) = 1 for any x; otherwise NaN exponents give NaN and |x| < 1 vs > 1 picks 0 or inf.
        Map<Float, float[]> expected = Map.of(
                NAN, new float[] {1f, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN},
                INF, new float[] {1f, 1f, 0f, 0f, INF, INF, 0f, 0f, NAN, INF, INF},
                -INF, new float[] {1f, 1f, INF, INF, 0f, 0f, INF, INF, NAN, 0f, 0f},
                0f, new float[] {1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f},
                -0f, new float[] {1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f});
        Tensor t = on(device, x);
        for (var e : expected.entrySet()) {
            float[] got = t.pow(e.getKey()).toFloatArray();
            for (int i = 0; i < x.length; i++) {
                float want = e.getValue()[i];
                assertTrue(Float.isNaN(want) ? Float.isNaN(got[i]) : Float.compare(want, got[i]) == 0,
                        "pow(" + x[i] + ", " + e.getKey() + ") is " + got[i] + ", C gives " + want);
            }
        }
    }

    // ------------------------------------------------------------ 4. relu's gradient at NaN

    @ParameterizedTest
    @DevicesSource
    void reluPassesTheGradientWhereTheInputIsNan(Device device) {
        // threshold_backward: input <= 0 ? 0 : grad. NaN is not <= 0, so its gradient passes.
        float negNan = Float.intBitsToFloat(0xFFC00000);
        float payloadNan = Float.intBitsToFloat(0x7F800001);
        float[] x = {NAN, negNan, payloadNan, 0f, -0f, -1f, -INF, INF, Float.MIN_VALUE, -Float.MIN_VALUE, 3f};
        float[] up = {1.5f, -2f, 4f, 5f, NAN, INF, -6f, 7f, -INF, 8f, 0.25f};
        float[] want = {1.5f, -2f, 4f, 0f, 0f, 0f, 0f, 7f, -INF, 0f, 0.25f};
        // Repeated past the kernels' vector widths and split thresholds, so every loop and tail runs.
        int reps = 70_000 / x.length + 1;
        float[] xs = new float[x.length * reps];
        float[] ups = new float[xs.length];
        float[] wants = new float[xs.length];
        for (int r = 0; r < reps; r++) {
            System.arraycopy(x, 0, xs, r * x.length, x.length);
            System.arraycopy(up, 0, ups, r * x.length, x.length);
            System.arraycopy(want, 0, wants, r * x.length, x.length);
        }
        for (int n : new int[] {x.length, xs.length}) {
            Tensor in = on(device, Arrays.copyOf(xs, n)).requiresGrad(true);
            Tensor y = in.relu();
            y.backward(on(device, Arrays.copyOf(ups, n)), false);
            assertArrayEquals(Arrays.copyOf(wants, n), in.grad().toFloatArray(), "relu gradient, " + n + " elements");
            assertTrue(Float.isNaN(y.toFloatArray()[0]), "relu(NaN) stays NaN");
        }
    }

    // ------------------------------------------------------------ 5. linear with zero in-features

    @Test
    void aLinearLayerMayHaveNoFeaturesAsInPyTorch() {
        // nn.Linear(0, 3): weight [3, 0], bias initialised to 0 (PyTorch's bound is 0 without fan-in).
        Linear empty = new Linear(0, 3);
        assertArrayEquals(new int[] {3, 0}, empty.weight().shape());
        assertArrayEquals(new float[] {0f, 0f, 0f}, empty.bias().toFloatArray());
        assertArrayEquals(new float[6], empty.forward(Tensor.zeros(2, 0)).toFloatArray());
        assertArrayEquals(new int[] {0, 4}, new Linear(4, 0).weight().shape());
        assertThrows(IllegalArgumentException.class, () -> new Linear(-1, 3));
    }

    @ParameterizedTest
    @DevicesSource
    void linearWithZeroInFeaturesIsTheBiasBroadcast(Device device) {
        Nd b = Nd.randn(new Random(111), 4);
        Nd w = Nd.zeros(4, 0);
        for (int[] xs : new int[][] {{2, 3, 0}, {0}, {5, 0}, {2, 0, 0}}) {
            int[] out = xs.clone();
            out[out.length - 1] = 4;
            Nd x = Nd.zeros(xs);
            String what = "linear " + Arrays.toString(xs);
            // y = 0 + b for every row; dy/db sums the upstream gradient over the rows.
            GradCheck.check(what, device, 112, t -> Functional.linear(t[0], t[1], t[2]),
                    r -> RefOps.add(Nd.zeros(out), r[2]), x, w, b);
            Tensor y = Functional.linear(x.tensor(device), w.tensor(device), null);
            assertArrayEquals(out, y.shape(), what + " without bias");
            assertArrayEquals(new float[(int) y.numel()], y.toFloatArray(), what + " without bias is zeros");
        }
        Tensor m = Functional.linear(Tensor.zeros(Device.META, 2, 3, 0), Tensor.zeros(Device.META, 4, 0),
                Tensor.zeros(Device.META, 4));
        assertArrayEquals(new int[] {2, 3, 4}, m.shape());
    }

    // ------------------------------------------------------------ 6. clear errors for sizes and dims

    @Test
    void sizeOfAZeroDimensionalTensorNamesSize() {
        for (int d : new int[] {0, -1, 1}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.scalar(2f).size(d));
            assertTrue(e.getMessage().startsWith("size: ") && e.getMessage().contains("no dimensions"), e.getMessage());
        }
    }

    @Test
    void tooLargeRandomTensorsAreAHostArrayLimitError() {
        for (Executable call : List.<Executable>of(() -> Tensor.randn(100_000, 100_000),
                () -> Tensor.rand(100_000, 100_000), () -> new Linear(100_000, 100_000))) {
            HostArrayLimitException e = assertThrows(HostArrayLimitException.class, call);
            assertTrue(e.op().equals("randn") || e.op().equals("rand"), e.getMessage());
            assertEquals(10_000_000_000L, e.numel());
        }
    }

    @ParameterizedTest
    @DevicesSource(meta = true)
    void reshapeToAnOverflowingShapeNamesReshape(Device device) {
        Tensor empty = Tensor.zeros(device, 0);
        // 65536^4 = 2^64 wraps to 0 elements in a long, the count of an empty tensor.
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                () -> empty.reshape(65_536, 65_536, 65_536, 65_536));
        assertEquals("reshape", e.op(), e.getMessage());
        if (device.isMeta()) {
            // 2^33 elements: the inferred dimension would be 2^32, past an int.
            Tensor big = Tensor.zeros(Device.META, 65_536, 65_536, 2);
            for (int[] s : new int[][] {{-1}, {-1, 2}, {2, -1}}) {
                ShapeMismatchException e2 = assertThrows(ShapeMismatchException.class, () -> big.reshape(s));
                assertEquals("reshape", e2.op(), e2.getMessage());
                assertTrue(e2.getMessage().contains("" + Integer.MAX_VALUE), e2.getMessage());
            }
            assertArrayEquals(new int[] {2, 65_536, 65_536}, big.reshape(2, -1, 65_536).shape());
        }
    }

    @ParameterizedTest
    @DevicesSource(meta = true)
    void meanErrorsNameMean(Device device) {
        Tensor x = Tensor.randn(device, 2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.mean(5, false));
        assertTrue(e.getMessage().startsWith("mean: "), e.getMessage());
        x.close();
        for (Executable call : List.<Executable>of(() -> x.mean(1, false), x::mean)) {
            TensorClosedException c = assertThrows(TensorClosedException.class, call);
            assertEquals("mean", c.op(), c.getMessage());
        }
    }

    // ------------------------------------------------------------ 7. reading a meta tensor

    @Test
    void readingAMetaTensorIsATypedErrorBeforeAnyWork() {
        Tensor small = Tensor.randn(Device.META, 3);
        Map<String, Executable> reads = new TreeMap<>();
        reads.put("toFloatArray", small::toFloatArray);
        reads.put("item", () -> small.sum().item());
        reads.put("to", () -> small.to(Device.CPU));
        // A host array is never allocated for data that does not exist (1 GiB here, 8 GiB past the int range).
        reads.put("toFloatArray ", () -> Tensor.zeros(Device.META, 1 << 28).toFloatArray());
        reads.put("toFloatArray  ", () -> Tensor.zeros(Device.META, 3, 715_827_883).toFloatArray());
        reads.put("to ", () -> Tensor.zeros(Device.META, 3, 715_827_883).to(Device.CPU));
        for (var r : reads.entrySet()) {
            MetaTensorReadException e = assertThrows(MetaTensorReadException.class, r.getValue(), r.getKey());
            assertEquals(r.getKey().trim(), e.op());
            assertTrue(e.getMessage().startsWith(e.op() + ": ") && e.getMessage().contains("meta"), e.getMessage());
        }
    }

    @Test
    void backwardThroughToMetaIsATypedErrorBeforeAnyGradient() {
        Tensor x = leaf(Device.CPU, 113, 2, 3);
        Tensor w = Tensor.randn(Device.META, 2, 3).requiresGrad(true);
        Tensor loss = x.to(Device.META).mul(w).sum();
        MetaTensorReadException[] e = new MetaTensorReadException[1];
        Placement p = Placement.of(() -> e[0] = assertThrows(MetaTensorReadException.class, loss::backward));
        assertEquals("backward", e[0].op());
        assertTrue(e[0].getMessage().contains("to(meta)"), e[0].getMessage());
        assertNull(x.grad());
        assertNull(w.grad(), "nothing is computed before the check");
        assertEquals(1, p.on(Device.META).ops(), "backward's own check, no rule");
    }

    @Test
    void metaReductionsOfTwoToTheThirtyTwoElementsComputeShapes() {
        Tensor x = Tensor.zeros(Device.META, 65_536, 65_536).requiresGrad(true);
        assertArrayEquals(new int[] {}, x.sum().shape());
        assertArrayEquals(new int[] {}, x.mean().shape());
        assertArrayEquals(new int[] {65_536}, x.mean(0, false).shape());
        Tensor loss = new MSELoss().forward(x, Tensor.zeros(Device.META, 65_536, 65_536));
        assertArrayEquals(new int[] {}, loss.shape());
        loss.backward();
        assertArrayEquals(new int[] {65_536, 65_536}, x.grad().shape());
    }

    // ------------------------------------------------------------ 8. null in place of an argument

    /**
     * Every public method of Tensor, Functional, AutogradFunction and ClipGrad with a reference parameter, called with null in
     * that parameter and valid values elsewhere: a NullPointerException naming the op and the
     * argument, thrown before anything is dispatched or allocated. A new method must be added here.
     */
    @Test
    void nullArgumentsAreNamedBeforeAnyWork() throws Exception {
        Map<String, String> expected = new TreeMap<>();
        expected.put("Tensor.of(float[],int[]) 0", "of: data is null");
        expected.put("Tensor.of(float[],int[]) 1", "of: shape is null");
        for (String creator : new String[] {"zeros", "ones"}) {
            expected.put("Tensor." + creator + "(int[]) 0", "full: shape is null");
            expected.put("Tensor." + creator + "(Device,int[]) 0", "full: device is null");
            expected.put("Tensor." + creator + "(Device,int[]) 1", "full: shape is null");
        }
        expected.put("Tensor.full(Device,float,int[]) 0", "full: device is null");
        expected.put("Tensor.full(Device,float,int[]) 2", "full: shape is null");
        for (String random : new String[] {"randn", "rand"}) {
            expected.put("Tensor." + random + "(int[]) 0", random + ": shape is null");
            expected.put("Tensor." + random + "(Device,int[]) 0", random + ": device is null");
            expected.put("Tensor." + random + "(Device,int[]) 1", random + ": shape is null");
        }
        expected.put("Tensor.randint(long,long,int[]) 2", "randint: shape is null");
        expected.put("Tensor.randint(Device,long,long,int[]) 0", "randint: device is null");
        expected.put("Tensor.randint(Device,long,long,int[]) 3", "randint: shape is null");
        expected.put("Tensor.randperm(Device,int) 0", "randperm: device is null");
        expected.put("Tensor.setRngState(long[]) 0", "setRngState: state is null");
        expected.put("Tensor.to(Device) 0", "to: device is null");
        for (String op : new String[] {"add", "sub", "mul", "div", "matmul"}) {
            expected.put("Tensor." + op + "(Tensor) 0", op + ": other is null");
        }
        expected.put("Tensor.reshape(int[]) 0", "reshape: shape is null");
        expected.put("Tensor.bmm(Tensor) 0", "bmm: mat2 is null");
        for (String op : new String[] {"add_", "sub_", "mul_", "div_"}) {
            expected.put("Tensor." + op + "(Tensor) 0", op + ": other is null");
        }
        expected.put("Tensor.copy_(Tensor) 0", "copy_: src is null");
        expected.put("Tensor.add(Tensor,float) 0", "add: other is null");
        expected.put("Tensor.add_(Tensor,float) 0", "add_: other is null");
        expected.put("Tensor.checkSameDevice(String,String,Tensor,String,Tensor) 0", null); // names only
        expected.put("Tensor.checkSameDevice(String,String,Tensor,String,Tensor) 1", null);
        expected.put("Tensor.checkSameDevice(String,String,Tensor,String,Tensor) 3", null);
        expected.put("Tensor.checkSameDevice(String,String,Tensor,String,Tensor) 2", "name: name is null");
        expected.put("Tensor.checkSameDevice(String,String,Tensor,String,Tensor) 4", "name: name is null");
        for (String array : new String[] {"long[]", "int[]", "boolean[]"}) {
            expected.put("Tensor.of(" + array + ",int[]) 0", "of: data is null");
            expected.put("Tensor.of(" + array + ",int[]) 1", "of: shape is null");
        }
        for (String creator : new String[] {"zeros", "ones"}) {
            expected.put("Tensor." + creator + "(DType,int[]) 0", creator + ": dtype is null");
            expected.put("Tensor." + creator + "(DType,int[]) 1", creator + ": shape is null");
            expected.put("Tensor." + creator + "(Device,DType,int[]) 0", creator + ": device is null");
            expected.put("Tensor." + creator + "(Device,DType,int[]) 1", creator + ": dtype is null");
            expected.put("Tensor." + creator + "(Device,DType,int[]) 2", creator + ": shape is null");
        }
        for (String value : new String[] {"long", "boolean"}) {
            expected.put("Tensor.full(Device," + value + ",int[]) 0", "full: device is null");
            expected.put("Tensor.full(Device," + value + ",int[]) 2", "full: shape is null");
        }
        expected.put("Tensor.to(DType) 0", "to: dtype is null");
        expected.put("Tensor.setData(Tensor) 0", "setData: source is null");
        expected.put("Tensor.setGrad(Tensor) 0", null); // null clears the gradient, as PyTorch's t.grad = None
        expected.put("Tensor.backward(Tensor,boolean) 0", "backward: gradient is null");
        expected.put("Functional.linear(Tensor,Tensor,Tensor) 0", "linear: input is null");
        expected.put("Functional.linear(Tensor,Tensor,Tensor) 1", "linear: weight is null");
        expected.put("Functional.linear(Tensor,Tensor,Tensor) 2", null); // no bias: allowed
        expected.put("Functional.linearRelu(Tensor,Tensor,Tensor) 0", "linear: input is null");
        expected.put("Functional.linearRelu(Tensor,Tensor,Tensor) 1", "linear: weight is null");
        expected.put("Functional.linearRelu(Tensor,Tensor,Tensor) 2", null); // no bias: allowed
        expected.put("Functional.relu(Tensor) 0", "relu: input is null");
        expected.put("Tensor.gelu(String) 0", "gelu: approximate is null");
        for (String op : new String[] {"sigmoid", "tanh", "silu", "gelu"}) {
            expected.put("Functional." + op + "(Tensor) 0", op + ": input is null");
        }
        expected.put("Functional.gelu(Tensor,String) 0", "gelu: input is null");
        expected.put("Functional.gelu(Tensor,String) 1", "gelu: approximate is null");
        expected.put("Functional.mseLoss(Tensor,Tensor) 0", "mse_loss: input is null");
        expected.put("Functional.mseLoss(Tensor,Tensor) 1", "mse_loss: target is null");
        for (String op : new String[] {"eq", "ne", "lt", "le", "gt", "ge"}) {
            expected.put("Tensor." + op + "(Tensor) 0", op + ": other is null");
        }
        expected.put("Tensor.logicalAnd(Tensor) 0", "logical_and: other is null");
        expected.put("Tensor.logicalOr(Tensor) 0", "logical_or: other is null");
        expected.put("Tensor.where(Tensor,Tensor) 0", "where: condition is null");
        expected.put("Tensor.where(Tensor,Tensor) 1", "where: other is null");
        expected.put("Tensor.maskedFill(Tensor,float) 0", "masked_fill: mask is null");
        expected.put("Tensor.pow(Tensor) 0", "pow: exponent is null");
        expected.put("Tensor.pow(float,Tensor) 1", "pow: exponent is null");
        expected.put("Tensor.maximum(Tensor) 0", "maximum: other is null");
        expected.put("Tensor.minimum(Tensor) 0", "minimum: other is null");
        expected.put("Tensor.clamp(Tensor,Tensor) 0", null); // no lower bound: allowed
        expected.put("Tensor.clamp(Tensor,Tensor) 1", null); // no upper bound: allowed
        expected.put("Functional.where(Tensor,Tensor,Tensor) 0", "where: condition is null");
        expected.put("Functional.where(Tensor,Tensor,Tensor) 1", "where: input is null");
        expected.put("Functional.where(Tensor,Tensor,Tensor) 2", "where: other is null");
        for (String op : new String[] {"sum", "mean", "amax", "amin"}) {
            expected.put("Tensor." + op + "(int[],boolean) 0", op + ": dims is null");
        }
        expected.put("Tensor.var(int[],boolean,boolean) 0", "var: dims is null");
        expected.put("Tensor.std(int[],boolean,boolean) 0", "std: dims is null");
        expected.put("Tensor.logsumexp(int[],boolean) 0", "logsumexp: dims is null");
        expected.put("Tensor.norm(double,int[],boolean) 1", "norm: dims is null");

        expected.put("Tensor.permute(int[]) 0", "permute: dims is null");
        expected.put("Tensor.split(int[],int) 0", "split: sections is null");
        expected.put("Tensor.expand(int[]) 0", "expand: sizes is null");
        expected.put("Tensor.cat(List,int) 0", "cat: tensors is null");
        expected.put("Tensor.stack(List,int) 0", "stack: tensors is null");
        expected.put("Tensor.arange(Device,long,long,long) 0", "arange: device is null");
        expected.put("Tensor.arange(Device,float,float,float) 0", "arange: device is null");
        expected.put("Tensor.eye(Device,int) 0", "eye: device is null");
        expected.put("Tensor.eye(Device,int,int) 0", "eye: device is null");
        expected.put("Tensor.linspace(Device,float,float,int) 0", "linspace: device is null");
        for (String like : new String[] {"zeros", "ones", "randn", "rand"}) {
            expected.put("Tensor." + like + "Like(Tensor) 0", like + "_like: input is null");
        }
        expected.put("Tensor.fullLike(Tensor,float) 0", "full_like: input is null");

        // softmax, indexing and losses; "" = null is allowed there (the other valid() values may still be rejected)
        expected.put("Tensor.indexSelect(int,Tensor) 1", "index_select: index is null");
        expected.put("Tensor.gather(int,Tensor) 1", "gather: index is null");
        expected.put("Tensor.scatterAdd(int,Tensor,Tensor) 1", "scatter_add: index is null");
        expected.put("Tensor.scatterAdd(int,Tensor,Tensor) 2", "scatter_add: src is null");
        expected.put("Tensor.repeat(int[]) 0", "repeat: repeats is null");
        for (String sig : new String[] {"(Tensor,Tensor) ", "(Tensor,Tensor,int) "}) {
            expected.put("Functional.embedding" + sig + "0", "embedding: input is null");
            expected.put("Functional.embedding" + sig + "1", "embedding: weight is null");
        }
        expected.put("Functional.softmax(Tensor,int) 0", "softmax: input is null");
        expected.put("Functional.logSoftmax(Tensor,int) 0", "log_softmax: input is null");
        expected.put("Functional.layerNorm(Tensor,int[]) 0", "layer_norm: input is null");
        expected.put("Functional.layerNorm(Tensor,int[]) 1", "layer_norm: normalizedShape is null");
        expected.put("Functional.layerNorm(Tensor,int[],Tensor,Tensor,double) 0", "layer_norm: input is null");
        expected.put("Functional.layerNorm(Tensor,int[],Tensor,Tensor,double) 1", "layer_norm: normalizedShape is null");
        expected.put("Functional.layerNorm(Tensor,int[],Tensor,Tensor,double) 2", null); // no weight: allowed
        expected.put("Functional.layerNorm(Tensor,int[],Tensor,Tensor,double) 3", null); // no bias: allowed
        expected.put("Functional.oneHot(Tensor,int) 0", "one_hot: index is null");
        expected.put("Functional.dropout(Tensor,double) 0", "dropout: input is null");
        expected.put("Functional.dropout(Tensor,double,boolean) 0", "dropout: input is null");
        String[][] pairs = {{"l1Loss", "l1_loss"}, {"huberLoss", "huber_loss"}, {"smoothL1Loss", "smooth_l1_loss"},
                {"binaryCrossEntropy", "binary_cross_entropy"},
                {"binaryCrossEntropyWithLogits", "binary_cross_entropy_with_logits"}, {"nllLoss", "nll_loss"},
                {"crossEntropy", "cross_entropy"}};
        for (String[] p : pairs) {
            expected.put("Functional." + p[0] + "(Tensor,Tensor) 0", p[1] + ": input is null");
            expected.put("Functional." + p[0] + "(Tensor,Tensor) 1", p[1] + ": target is null");
        }
        for (String[] p : new String[][] {{"l1Loss(Tensor,Tensor,String)", "l1_loss"},
                {"mseLoss(Tensor,Tensor,String)", "mse_loss"}, {"huberLoss(Tensor,Tensor,String,float)", "huber_loss"},
                {"smoothL1Loss(Tensor,Tensor,String,float)", "smooth_l1_loss"},
                {"binaryCrossEntropy(Tensor,Tensor,String)", "binary_cross_entropy"}}) {
            expected.put("Functional." + p[0] + " 0", p[1] + ": input is null");
            expected.put("Functional." + p[0] + " 1", p[1] + ": target is null");
            expected.put("Functional." + p[0] + " 2", p[1] + ": reduction is null");
        }
        String bce = "Functional.binaryCrossEntropy(Tensor,Tensor,Tensor,String) ";
        expected.put(bce + "0", "binary_cross_entropy: input is null");
        expected.put(bce + "1", "binary_cross_entropy: target is null");
        expected.put(bce + "2", ""); // no weight (valid()'s reduction "name" is then rejected)
        expected.put(bce + "3", "binary_cross_entropy: reduction is null");
        String bcel = "Functional.binaryCrossEntropyWithLogits(Tensor,Tensor,Tensor,String,Tensor) ";
        expected.put(bcel + "0", "binary_cross_entropy_with_logits: input is null");
        expected.put(bcel + "1", "binary_cross_entropy_with_logits: target is null");
        expected.put(bcel + "2", ""); // no weight (valid()'s reduction "name" is then rejected)
        expected.put(bcel + "3", "binary_cross_entropy_with_logits: reduction is null");
        expected.put(bcel + "4", ""); // no pos_weight (valid()'s reduction "name" is then rejected)
        String nll = "Functional.nllLoss(Tensor,Tensor,Tensor,long,String) ";
        expected.put(nll + "0", "nll_loss: input is null");
        expected.put(nll + "1", "nll_loss: target is null");
        expected.put(nll + "2", ""); // no weight (a float valid() target is then rejected)
        expected.put(nll + "4", "nll_loss: reduction is null");
        String ce = "Functional.crossEntropy(Tensor,Tensor,Tensor,long,String,float) ";
        expected.put(ce + "0", "cross_entropy: input is null");
        expected.put(ce + "1", "cross_entropy: target is null");
        expected.put(ce + "2", ""); // no weight (valid()'s label smoothing 1.5 is then rejected)
        expected.put(ce + "4", "cross_entropy: reduction is null");
        expected.put("AutogradFunction.apply(Tensor[]) 0", "Twice: inputs is null");
        expected.put("ClipGrad.clipGradNorm_(List,double) 0", "clip_grad_norm_: parameters is null");
        expected.put("ClipGrad.clipGradNorm_(List,double,double,boolean) 0", "clip_grad_norm_: parameters is null");
        expected.put("ClipGrad.clipGradValue_(List,double) 0", "clip_grad_value_: parameters is null");

        List<String> seen = new ArrayList<>();
        for (Class<?> type : new Class<?>[] {Tensor.class, Functional.class, AutogradFunction.class, ClipGrad.class}) {
            for (Method m : type.getDeclaredMethods()) {
                if (!Modifier.isPublic(m.getModifiers())) {
                    continue;
                }
                Class<?>[] params = m.getParameterTypes();
                for (int i = 0; i < params.length; i++) {
                    if (params[i].isPrimitive()) {
                        continue;
                    }
                    String key = type.getSimpleName() + "." + m.getName() + "("
                            + String.join(",", Arrays.stream(params).map(Class::getSimpleName).toList()) + ") " + i;
                    seen.add(key);
                    if (!expected.containsKey(key)) {
                        fail(key + " takes a reference argument: add what null there must throw");
                    }
                    Object[] args = new Object[params.length];
                    for (int j = 0; j < params.length; j++) {
                        args[j] = j == i ? null : valid(params[j]);
                    }
                    Object self = Modifier.isStatic(m.getModifiers()) ? null
                            : type == AutogradFunction.class ? new Twice() : Tensor.randn(2, 2);
                    String message = expected.get(key);
                    Counters.Snapshot before = Counters.snapshot(Device.CPU);
                    try {
                        m.invoke(self, args);
                        if (message != null) {
                            fail(key + ": no exception, expected NullPointerException: " + message);
                        }
                    } catch (InvocationTargetException e) {
                        Throwable cause = e.getCause();
                        if ("".equals(message) && !(cause instanceof NullPointerException)
                                && (cause instanceof TensorjException || cause instanceof IllegalArgumentException)) {
                            continue; // null accepted; another argument's valid() value was rejected
                        }
                        if (message == null || !(cause instanceof NullPointerException)) {
                            throw new AssertionError(key + ": unexpected " + cause, cause);
                        }
                        assertEquals(message, cause.getMessage(), key);
                        Counters.Snapshot work = Counters.snapshot(Device.CPU).minus(before);
                        assertEquals(0, work.ops() + work.allocations(), key + ": work before the check: " + work);
                    }
                }
            }
        }
        assertEquals(new java.util.TreeSet<>(expected.keySet()), new java.util.TreeSet<>(seen),
                "methods listed here but no longer public");
    }

    /** An instance for the sweep over AutogradFunction's methods. */
    private static final class Twice extends AutogradFunction {
        @Override
        protected Tensor forward(Context ctx, Tensor... inputs) {
            return inputs[0].mul(2f);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor gradOutput) {
            return new Tensor[] {gradOutput.mul(2f)};
        }
    }

    private static Object valid(Class<?> type) {
        if (type == Tensor.class) {
            return Tensor.randn(2, 2);
        } else if (type == Device.class) {
            return Device.CPU;
        } else if (type == float[].class) {
            return new float[] {1f, -2f, 3f, 0.5f};
        } else if (type == int[].class) {
            return new int[] {2, 2};
        } else if (type == float.class) {
            return 1.5f;
        } else if (type == boolean.class) {
            return false;
        } else if (type == double.class) {
            return 0.25;
        } else if (type == String.class) {
            return "name";
        } else if (type == long[].class) {
            return new long[] {3L, -4L, 5L, 6L};
        } else if (type == boolean[].class) {
            return new boolean[] {true, false, true, true};
        } else if (type == DType.class) {
            return DType.INT64;
        } else if (type == long.class) {
            return 7L;
        } else if (type == int.class) {
            return 0;
        } else if (type == List.class) {
            return List.of(Tensor.randn(2, 2), Tensor.randn(2, 2));
        } else if (type == Tensor[].class) {
            return new Tensor[] {Tensor.randn(2, 2)};
        }
        throw new AssertionError("no valid value for " + type);
    }

    /** Every public member of dev.tensorj.data with a reference parameter, called with null there. */
    @Test
    void dataNamesItsNullArguments() {
        TensorDataset ds = new TensorDataset(Tensor.randn(4, 2));
        Map<String, Executable> calls = new TreeMap<>();
        calls.put("random_split: dataset is null", () -> Dataset.randomSplit(null, new int[] {4}, 1));
        calls.put("random_split: lengths is null", () -> Dataset.randomSplit(ds, (int[]) null, 1));
        calls.put("random_split: dataset is null (fractions)", () -> Dataset.randomSplit(null, new double[] {1}, 1));
        calls.put("random_split: fractions is null", () -> Dataset.randomSplit(ds, (double[]) null, 1));
        calls.put("Subset: dataset is null", () -> new Subset<>(null, new int[] {0}));
        calls.put("Subset: indices is null", () -> new Subset<>(ds, null));
        calls.put("TensorDataset: tensors is null", () -> new TensorDataset((Tensor[]) null));
        calls.put("TensorDataset: tensors[1] is null", () -> new TensorDataset(Tensor.randn(2), null));
        calls.put("DataLoader: dataset is null", () -> DataLoader.of(null, 2));
        calls.put("DataLoader: dataset is null (collate)", () -> DataLoader.of(null, 2, items -> items));
        calls.put("DataLoader: collate is null", () -> DataLoader.of(ds, 2, null));
        calls.put("DataLoader: device is null", () -> DataLoader.of(ds, 2).to(null));
        calls.put("default_collate: items is null", () -> DataLoader.defaultCollate(null));
        calls.put("CsvReader: columns is null", () -> new CsvReader().features((int[]) null));
        calls.put("CsvReader: dtype is null", () -> new CsvReader().target(0, null));
        calls.put("CsvReader: file is null", () -> new CsvReader().read(null));
        calls.put("CsvReader: in is null", () -> new CsvReader().read(null, "name"));
        calls.put("CsvReader: source is null", () -> new CsvReader().read(new StringReader("a"), null));
        for (var c : calls.entrySet()) {
            NullPointerException e = assertThrows(NullPointerException.class, c.getValue(), c.getKey());
            assertEquals(c.getKey().replaceAll(" \\(.*\\)$", ""), e.getMessage());
        }
    }

    /** Every public member of dev.tensorj.train with a reference parameter, called with null there. */
    @Test
    void trainNamesItsNullArguments() {
        Progress p = new Progress(Device.CPU);
        Map<String, Executable> calls = new TreeMap<>();
        calls.put("Progress: device is null", () -> new Progress(null));
        calls.put("Progress.liveLine: out is null", () -> p.liveLine(null));
        calls.put("Progress.endEpoch: metrics is null", () -> p.endEpoch(null));
        calls.put("Progress.writeCsv: path is null", () -> p.writeCsv(null));
        calls.put("Progress.writeChart: path is null", () -> p.writeChart(null));
        for (var c : calls.entrySet()) {
            NullPointerException e = assertThrows(NullPointerException.class, c.getValue(), c.getKey());
            assertEquals(c.getKey(), e.getMessage());
        }
        assertEquals(0, p.history().size(), "a null argument ended no epoch");
    }

    /**
     * The sweep of {@link #nullArgumentsAreNamedBeforeAnyWork} over Safetensors: null in each reference
     * parameter is named before any file is opened or written.
     */
    @Test
    void safetensorsNamesItsNullArgumentsBeforeTouchingAFile() throws Exception {
        Map<String, String> expected = new TreeMap<>();
        expected.put("save(Map,Path) 0", "Safetensors.save: tensors is null");
        expected.put("save(Map,Path) 1", "Safetensors.save: path is null");
        expected.put("save(Map,Path,Map) 0", "Safetensors.save: tensors is null");
        expected.put("save(Map,Path,Map) 1", "Safetensors.save: path is null");
        expected.put("save(Map,Path,Map) 2", "Safetensors.save: metadata is null");
        expected.put("load(Path) 0", "Safetensors.load: path is null");
        expected.put("load(Path,Device) 0", "Safetensors.load: path is null");
        expected.put("load(Path,Device) 1", "Safetensors.load: device is null");
        expected.put("metadata(Path) 0", "Safetensors.metadata: path is null");
        java.nio.file.Path nowhere = java.nio.file.Path.of("target", "no-such-dir", "never-written.safetensors");
        List<String> seen = new ArrayList<>();
        for (Method m : Safetensors.class.getDeclaredMethods()) {
            if (!Modifier.isPublic(m.getModifiers())) {
                continue;
            }
            Class<?>[] params = m.getParameterTypes();
            for (int i = 0; i < params.length; i++) {
                String key = m.getName() + "(" + String.join(",", Arrays.stream(params).map(Class::getSimpleName).toList())
                        + ") " + i;
                seen.add(key);
                Object[] args = new Object[params.length];
                for (int j = 0; j < params.length; j++) {
                    args[j] = j == i ? null : params[j] == Map.class ? Map.of()
                            : params[j] == Device.class ? Device.CPU : nowhere;
                }
                InvocationTargetException e = assertThrows(InvocationTargetException.class, () -> m.invoke(null, args), key);
                assertTrue(e.getCause() instanceof NullPointerException, key + ": " + e.getCause());
                assertEquals(expected.get(key), e.getCause().getMessage(), key);
            }
        }
        assertEquals(expected.keySet(), new java.util.TreeSet<>(seen));
        assertFalse(java.nio.file.Files.exists(nowhere.getParent()));
    }

    @Test
    void modulesNameTheirNullInput() {
        Tensor x = Tensor.randn(3, 2);
        Map<String, Executable> calls = Map.of(
                "linear: input is null", () -> new Linear(2, 4).forward(null),
                "relu: input is null", () -> new ReLU().forward(null),
                "dropout: input is null", () -> new Dropout().forward(null),
                "mse_loss: input is null", () -> new MSELoss().forward(null, x),
                "mse_loss: target is null", () -> new MSELoss().forward(x, null),
                "loadStateDict: stateDict is null", () -> new Linear(2, 4).loadStateDict(null, false),
                "loadStateDict: stateDict is null (optimizer)",
                () -> new SGD(new Linear(2, 4).parameters(), 0.5f).loadStateDict(null));
        for (var c : calls.entrySet()) {
            NullPointerException e = assertThrows(NullPointerException.class, c.getValue(), c.getKey());
            assertEquals(c.getKey().replaceAll(" \\(.*\\)$", ""), e.getMessage());
        }
    }

    /** Optimizers and parameter groups name each null reference argument. */
    @Test
    void optimizersNameTheirNullArguments() {
        SGD sgd = new SGD(new Linear(2, 4).parameters(), 0.5f);
        SGD.Options o = SGD.Options.lr(0.1f);
        Map<String, Executable> calls = Map.of(
                "SGD.addParamGroup: group is null", () -> sgd.addParamGroup(null),
                "SGD: groups is null", () -> new SGD((java.util.List<ParamGroup<SGD.Options>>) null),
                "ParamGroup: params is null", () -> new ParamGroup<>((java.util.List<Tensor>) null, o),
                "ParamGroup: options is null", () -> new ParamGroup<SGD.Options>(new Linear(2, 4).parameters(), null));
        for (var c : calls.entrySet()) {
            NullPointerException e = assertThrows(NullPointerException.class, c.getValue(), c.getKey());
            assertEquals(c.getKey(), e.getMessage());
        }
    }

    /** Checkpoint names each null reference argument before touching a file or the model. */
    @Test
    void checkpointNamesItsNullArguments() {
        Linear model = new Linear(2, 4);
        SGD sgd = new SGD(model.parameters(), 0.5f);
        java.nio.file.Path nowhere = java.nio.file.Path.of("target", "no-such-dir", "never-written.safetensors");
        Map<String, Executable> calls = Map.of(
                "Checkpoint.save: path is null", () -> Checkpoint.save(null, model, sgd, null, 0, Map.of()),
                "Checkpoint.save: model is null", () -> Checkpoint.save(nowhere, null, sgd, null, 0, Map.of()),
                "Checkpoint.save: optimizer is null", () -> Checkpoint.save(nowhere, model, null, null, 0, Map.of()),
                "Checkpoint.save: extra is null", () -> Checkpoint.save(nowhere, model, sgd, null, 0, null),
                "Checkpoint.load: path is null", () -> Checkpoint.load(null));
        for (var c : calls.entrySet()) {
            NullPointerException e = assertThrows(NullPointerException.class, c.getValue(), c.getKey());
            assertEquals(c.getKey().replaceAll(" \\(.*\\)$", ""), e.getMessage());
        }
    }
}
