package dev.tensorj;

import dev.tensorj.backend.BinaryOp;
import dev.tensorj.backend.CompareOp;
import dev.tensorj.backend.Storage;
import dev.tensorj.backend.UnaryOp;
import java.util.Arrays;
import java.util.List;

/**
 * A tensor of one {@link DType} (float32 unless created otherwise) on one {@link Device}. Every op
 * runs on the device its operands live on and returns a tensor there; operands on different
 * devices are rejected with a {@link DeviceMismatchException} before anything is computed, and so
 * are dtypes an op does not take, with a {@link DTypeMismatchException} (see {@link DType} for
 * which ops take which dtypes). Data crosses devices only through
 * {@link #to(Device)}; only {@link #item()}, {@link #toFloatArray()} (and their int64 and bool
 * twins) and {@code to(Device.CPU)} wait for a GPU.
 *
 * <p>Autograd: ops on tensors that {@linkplain #requiresGrad(boolean) require grad} record a graph;
 * {@link #backward()} fills {@link #grad()} of the leaves. {@link NoGrad} turns recording off.
 *
 * <p>Memory: a tensor's memory is reclaimed when it becomes unreachable, or at once by
 * {@link #close()} (try-with-resources). Using a closed tensor throws {@link TensorClosedException}.
 *
 * <p>Tensors are not synchronised: share one between threads only for reading.
 */
public final class Tensor implements AutoCloseable {
    private final int[] shape;
    private final long numel;
    private Device device;    // changes only through setData
    private Storage storage;
    private boolean requiresGrad;
    private Tensor grad;
    /**
     * Whether {@link #grad} may be held outside the engine: it was handed out by {@link #grad()} or
     * given by {@link #setGrad}. Only a gradient nobody else can hold is closed when dropped and
     * accumulated into in place, as PyTorch's AccumulateGrad does when no one else holds a reference.
     */
    private boolean gradShared;
    private GradFn gradFn;
    /**
     * Shared with the tensors that share this one's data; made on first need ({@link #version()}):
     * most tensors an op returns are never saved by a rule, viewed nor written in place. Not volatile
     * (a volatile store in every constructor would be a memory fence per tensor): set once by a
     * compare-and-set, and a Version's initial state is the default one.
     */
    private Version version;
    private Tensor viewOf;    // the base of a view (reshape), for the in-place rules
    private volatile boolean closed;
    /** Graph nodes not yet freed that saved this tensor for their backward (guarded by this). */
    private int graphHolds;
    /** close() was called while a graph node held this tensor: it closes when the last lets go. */
    private boolean closeDeferred;

    Tensor(Device device, Storage storage, int[] shape) {
        this(device, storage, shape, null);
    }

    private Tensor(Device device, Storage storage, int[] shape, Version version) {
        this.storage = storage;
        this.device = device;
        this.version = version;
        this.shape = shape;
        this.numel = Shapes.numel("tensor", shape);
    }

    /**
     * A new, uninitialised float32 tensor of {@code shape} on {@code backend}'s device, for {@code op}.
     *
     * @throws HostArrayLimitException for a cpu tensor too large for one {@code float[]}
     */
    static Tensor empty(String op, DeviceBackend backend, int[] shape) {
        return empty(op, backend, DType.FLOAT32, shape);
    }

    /** As {@link #empty(String, DeviceBackend, int[])}, of {@code dtype}. */
    static Tensor empty(String op, DeviceBackend backend, DType dtype, int[] shape) {
        return new Tensor(backend.device(), backend.allocate(dtype, numelFor(op, backend, shape)),
                Shapes.shared(shape));
    }

    /** As {@link #empty(String, DeviceBackend, DType, int[])}, every element zero (false). */
    static Tensor zeroed(String op, DeviceBackend backend, DType dtype, int[] shape) {
        return new Tensor(backend.device(), backend.allocateZeroed(dtype, numelFor(op, backend, shape)),
                Shapes.shared(shape));
    }

    /** The elements of {@code shape}, checked against what one host array holds on the cpu. */
    private static long numelFor(String op, DeviceBackend backend, int[] shape) {
        long n = Shapes.numel(op, shape);
        if (backend.device().isCpu()) {
            HostArrayLimitException.check(op, n, shape, "a cpu tensor");
        }
        return n;
    }

    // ---------------------------------------------------------------- creation

    /**
     * A CPU tensor holding a copy of {@code data}, laid out row-major in {@code shape}. With no
     * shape, a 1-d tensor of {@code data.length} elements (use {@link #scalar} for a 0-d tensor).
     *
     * @throws ShapeMismatchException if the shape does not hold exactly {@code data.length} elements
     */
    public static Tensor of(float[] data, int... shape) {
        Dispatch.nonNull("of", "data", data);
        Dispatch.nonNull("of", "shape", shape);
        int[] s = shapeOf(data.length, shape);
        return new Tensor(Device.CPU, Backends.of(Device.CPU).fromHost(data), s);
    }

    /** The shape {@code of} gives {@code length} elements: {@code shape}, checked, or 1-d when empty. */
    private static int[] shapeOf(int length, int[] shape) {
        int[] s = shape.length == 0 ? new int[] {length} : shape.clone();
        if (Shapes.numel("of", s) != length) {
            throw new ShapeMismatchException("of", "shape " + Shapes.str(s) + " holds "
                    + Shapes.numel("of", s) + " elements but data has " + length, s);
        }
        return s;
    }

    /** A 0-d CPU tensor holding {@code value}. */
    public static Tensor scalar(float value) {
        return new Tensor(Device.CPU, Backends.of(Device.CPU).fromHost(new float[] {value}), new int[0]);
    }

    public static Tensor zeros(int... shape) {
        return full(Device.CPU, 0f, shape);
    }

    public static Tensor zeros(Device device, int... shape) {
        return full(device, 0f, shape);
    }

    public static Tensor ones(int... shape) {
        return full(Device.CPU, 1f, shape);
    }

    public static Tensor ones(Device device, int... shape) {
        return full(device, 1f, shape);
    }

    /** A tensor of {@code shape} on {@code device}, every element {@code value}. */
    public static Tensor full(Device device, float value, int... shape) {
        Dispatch.nonNull("full", "device", device);
        Dispatch.nonNull("full", "shape", shape);
        Shapes.numel("full", shape); // validate before touching the device
        DeviceBackend be = Backends.of(device);
        if (Float.floatToRawIntBits(value) == 0) { // +0 only: -0 has another bit pattern
            return zeroed("full", be, DType.FLOAT32, shape);
        }
        Tensor t = empty("full", be, shape);
        be.fill(t.storage, value);
        return t;
    }

    /** Standard normal samples on the CPU from the global generator ({@link #manualSeed}), as {@code torch.randn}. */
    public static Tensor randn(int... shape) {
        return randn(Device.CPU, shape);
    }

    /**
     * Standard normal samples drawn on {@code device} from the global generator (Philox4x32-10,
     * Box–Muller): a seed gives the same values on every device, except that a GPU's double
     * {@code log}/{@code sin}/{@code cos} may move a rare sample by one float ulp.
     */
    public static Tensor randn(Device device, int... shape) {
        return Random.normal("randn", device, shape, 0f, 1f);
    }

    /** Uniform samples in [0, 1) on the CPU from the global generator, as {@code torch.rand}. */
    public static Tensor rand(int... shape) {
        return rand(Device.CPU, shape);
    }

    /**
     * Uniform samples in [0, 1) (24 random bits times 2^-24, as PyTorch) drawn on {@code device} from
     * the global generator (Philox4x32-10): a seed gives the same values on every device.
     */
    public static Tensor rand(Device device, int... shape) {
        return Random.uniform("rand", device, shape, 0f, 1f);
    }

    /**
     * int64 samples uniform in [{@code low}, {@code high}) on the CPU from the global generator, as
     * {@code torch.randint(low, high, size)}.
     *
     * @throws IllegalArgumentException unless {@code low < high}
     */
    public static Tensor randint(long low, long high, int... shape) {
        return randint(Device.CPU, low, high, shape);
    }

    /**
     * As {@link #randint(long, long, int...)}, drawn on {@code device}: a seed gives the same values
     * on every device. Each sample is {@code low + (r mod (high - low))} for 64 random bits {@code r}.
     *
     * @throws IllegalArgumentException unless {@code low < high}
     */
    public static Tensor randint(Device device, long low, long high, int... shape) {
        return Random.randint(device, low, high, shape);
    }

    /**
     * A random permutation of {@code 0 .. n-1} (int64) on the CPU from the global generator, as
     * {@code torch.randperm(n)}.
     *
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public static Tensor randperm(int n) {
        return randperm(Device.CPU, n);
    }

    /**
     * As {@link #randperm(int)}, on {@code device}. The permutation is drawn on the host (Fisher–Yates
     * from the global generator) and copied to {@code device} once, so it is the same on every device.
     *
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public static Tensor randperm(Device device, int n) {
        return Random.randperm(device, n);
    }

    /**
     * Seeds the global generator behind {@code rand}, {@code randn}, {@code randint}, {@code randperm},
     * dropout and layer initialisation, and restarts its stream: the draws that follow are the same
     * as after any other {@code manualSeed} with this seed, on every device.
     */
    public static void manualSeed(long seed) {
        Random.seed(seed);
    }

    /**
     * The global generator's state, as PyTorch's {@code torch.get_rng_state()}: a new array
     * {@code {seed, offset}}, the Philox seed and the offset (in 32-bit words, a multiple of 4) of
     * the next draw. Handing it to {@link #setRngState} later repeats the draws that followed, on
     * every device.
     */
    public static long[] getRngState() {
        return Random.state();
    }

    /**
     * Restores the global generator to {@code state}, from {@link #getRngState}, as PyTorch's
     * {@code torch.set_rng_state}: the draws that follow are those that followed when it was read.
     *
     * @throws IllegalArgumentException (the generator then unchanged) if {@code state} does not
     *     have two elements or its offset is negative or not a multiple of 4
     */
    public static void setRngState(long[] state) {
        Dispatch.nonNull("setRngState", "state", state);
        if (state.length != 2 || state[1] < 0 || state[1] % 4 != 0) {
            throw new IllegalArgumentException("setRngState: state must be {seed, offset} with an offset >= 0 and a"
                    + " multiple of 4, got " + java.util.Arrays.toString(state));
        }
        Random.setState(state[0], state[1]);
    }

    // ---------------------------------------------------------------- properties

    public Device device() {
        return device;
    }

    /** The element type: {@link DType#FLOAT32} unless created or converted otherwise. */
    public DType dtype() {
        // The storage's (a replaced storage has the same): read from it rather than kept in a field,
        // so that every tensor an op makes is 56 bytes, not 64.
        return DType.of(storage.type());
    }

    /** The shape (a copy). */
    public int[] shape() {
        return shape.clone();
    }

    /**
     * The size of dimension {@code dim} (negative counts from the end).
     *
     * @throws IllegalArgumentException for a dimension out of range, and for any on a 0-d tensor
     */
    public int size(int dim) {
        if (shape.length == 0) { // Shapes.dim lets a 0-d tensor take dim 0, as sum(0) does; size has none to give
            throw new IllegalArgumentException("size: dimension specified as " + dim
                    + " but the tensor has no dimensions (0-d)");
        }
        return shape[Shapes.dim("size", dim, shape.length)];
    }

    public int dim() {
        return shape.length;
    }

    public long numel() {
        return numel;
    }

    /**
     * Whether {@link #close()} has been called. A tensor that a recorded op saved for its backward
     * keeps its memory, and still reads, until that backward has run (see {@link #close()}).
     */
    public boolean isClosed() {
        return closed || closeDeferred;
    }

    // ---------------------------------------------------------------- devices

    /**
     * This tensor on {@code target}: the same tensor when it is already there, else a copy. The
     * copy is part of the autograd graph (its gradient flows back to this device).
     *
     * @throws CudaUnavailableException if {@code target} is a CUDA device that cannot be used
     * @throws MetaTensorReadException if this is a meta tensor and {@code target} is not meta
     */
    public Tensor to(Device target) {
        Dispatch.nonNull("to", "device", target);
        checkOpen("to", "input");
        if (target.equals(device)) {
            return this;
        }
        checkHasData("to", "copy it to " + target);
        DeviceBackend dst = Backends.of(target);
        Tensor out = new Tensor(target, transfer(device, storage, shape, dst), shape.clone());
        Device source = device;
        Autograd.record(out, "to", new Tensor[] {this}, Autograd.NOTHING_SAVED, g -> new Tensor[] {g.to(source)});
        return out;
    }

    /**
     * Copies {@code src} (of {@code shape}) into a new storage of its dtype on {@code dst}'s device,
     * through the host.
     */
    private static Storage transfer(Device from, Storage src, int[] shape, DeviceBackend dst) {
        DType dtype = DType.of(src.type());
        if (dst.device().isMeta()) {
            return dst.allocate(dtype, src.numel());
        }
        if (from.isMeta()) {
            throw noData("to", shape, "copy it to " + dst.device());
        }
        int length = HostArrayLimitException.check("to", src.numel(), shape, "a copy from " + from
                + " to " + dst.device() + " (through the host)");
        DeviceBackend source = Backends.of(from);
        switch (dtype) {
            case FLOAT32: {
                float[] host = new float[length];
                source.toHost(src, host);
                return dst.fromHost(host);
            }
            case INT64: {
                long[] host = new long[length];
                source.toHost(src, host);
                return dst.fromHost(host);
            }
            case BOOL: {
                boolean[] host = new boolean[length];
                source.toHost(src, host);
                return dst.fromHost(host);
            }
            default:
                throw new AssertionError(dtype);
        }
    }

    // ---------------------------------------------------------------- arithmetic

    /** {@code this + other}, broadcasting as PyTorch does. */
    public Tensor add(Tensor other) {
        return Elementwise.binary("add", BinaryOp.ADD, this, other);
    }

    /** {@code this - other}, broadcasting. */
    public Tensor sub(Tensor other) {
        return Elementwise.binary("sub", BinaryOp.SUB, this, other);
    }

    /** {@code this * other} elementwise, broadcasting. */
    public Tensor mul(Tensor other) {
        return Elementwise.binary("mul", BinaryOp.MUL, this, other);
    }

    /** {@code this / other} elementwise, broadcasting. */
    public Tensor div(Tensor other) {
        return Elementwise.binary("div", BinaryOp.DIV, this, other);
    }

    /**
     * {@code this + alpha·other}, broadcasting, as PyTorch's {@code add(other, alpha=)}: for equal
     * shapes one kernel, the product rounded before the sum.
     */
    public Tensor add(Tensor other, float alpha) {
        return Elementwise.axpy(this, other, alpha);
    }

    public Tensor add(float value) {
        return Elementwise.scalar("add", BinaryOp.ADD, this, value);
    }

    public Tensor sub(float value) {
        return Elementwise.scalar("sub", BinaryOp.SUB, this, value);
    }

    public Tensor mul(float value) {
        return Elementwise.scalar("mul", BinaryOp.MUL, this, value);
    }

    public Tensor div(float value) {
        return Elementwise.scalar("div", BinaryOp.DIV, this, value);
    }

    /** {@code this ^ exponent} elementwise. */
    public Tensor pow(float exponent) {
        return Elementwise.scalar("pow", BinaryOp.POW, this, exponent);
    }

    /**
     * {@code this ^ exponent} elementwise, broadcasting, as {@code torch.pow(input, exponent)}: C's
     * {@code pow} ({@code pow(1, y) = 1} and {@code pow(x, 0) = 1} for every x and y, NaN included;
     * a negative base with a non-integer exponent gives NaN). An int64 or bool exponent is converted
     * to float32. Gradients as PyTorch's: to this {@code exponent·this^(exponent-1)}, 0 where the
     * exponent is 0; to the exponent {@code this^exponent·ln(this)}, 0 where this is 0 and the
     * exponent {@code >= 0}.
     *
     * @throws ShapeMismatchException if the shapes do not broadcast
     * @throws DeviceMismatchException if {@code exponent} is on another device
     * @throws DTypeMismatchException if neither tensor is float32
     */
    public Tensor pow(Tensor exponent) {
        return Elementwise.binary("pow", BinaryOp.POW, this, "exponent", exponent);
    }

    /**
     * {@code base ^ exponent} elementwise for a scalar base, as {@code torch.pow(self: Number, exponent)},
     * with C's {@code pow}. The gradient to the exponent is {@code base^exponent·ln(base)} (NaN for a
     * negative base); for a base of 0 it is 0 where the exponent is {@code >= 0}, as PyTorch's.
     *
     * @throws DTypeMismatchException if {@code exponent} is not float32
     */
    public static Tensor pow(float base, Tensor exponent) {
        return Elementwise.scalar("pow", BinaryOp.RPOW, exponent, base);
    }

    /**
     * The elementwise maximum, broadcasting, as {@code torch.maximum}: NaN if either is NaN, and
     * {@code +0} above {@code -0}. The gradient goes to the larger operand; where the two are equal
     * it is split half and half, and where either is NaN both get it whole (PyTorch's rule).
     *
     * @throws ShapeMismatchException if the shapes do not broadcast
     * @throws DeviceMismatchException if {@code other} is on another device
     * @throws DTypeMismatchException if neither tensor is float32
     */
    public Tensor maximum(Tensor other) {
        return Elementwise.binary("maximum", BinaryOp.MAXIMUM, this, other);
    }

    /** The elementwise minimum, broadcasting, as {@code torch.minimum}; NaN, ties and gradients as {@link #maximum}. */
    public Tensor minimum(Tensor other) {
        return Elementwise.binary("minimum", BinaryOp.MINIMUM, this, other);
    }

    /**
     * Every element clamped to {@code [min, max]}, as {@code torch.clamp} and {@code Math.min(Math.max(x,
     * min), max)}: NaN stays NaN; with {@code min > max} every element becomes {@code max}. Pass
     * {@code Float.NEGATIVE_INFINITY} or {@code Float.POSITIVE_INFINITY} for no bound on one side. The
     * gradient passes where {@code min <= x <= max} and is 0 elsewhere (as {@link #clamp_}'s).
     */
    public Tensor clamp(float min, float max) {
        return Clamp.clamp("clamp", this, min, max);
    }

    /**
     * Clamped to tensor bounds, all three broadcast together, as {@code torch.clamp(input, min, max)}
     * with tensors; either bound may be null for none. NaN in this or a bound gives NaN; where
     * {@code min > max} the result is {@code max}. Gradients as PyTorch's: to this where
     * {@code min <= x <= max}; to min where {@code x < min} (and {@code min < max}); to max where
     * {@code x > max} or {@code max < min}.
     *
     * @throws IllegalArgumentException if both bounds are null
     * @throws ShapeMismatchException if the shapes do not broadcast
     * @throws DeviceMismatchException if a bound is on another device
     * @throws DTypeMismatchException if a tensor is not float32
     */
    public Tensor clamp(Tensor min, Tensor max) {
        return Clamp.clamp(this, min, max);
    }

    /** {@code max(x, min)} elementwise, as {@code torch.clamp_min}; as {@link #clamp(float, float)} with no upper bound. */
    public Tensor clampMin(float min) {
        return Clamp.clamp("clamp_min", this, min, Float.POSITIVE_INFINITY);
    }

    /** {@code min(x, max)} elementwise, as {@code torch.clamp_max}; as {@link #clamp(float, float)} with no lower bound. */
    public Tensor clampMax(float max) {
        return Clamp.clamp("clamp_max", this, Float.NEGATIVE_INFINITY, max);
    }

    /** {@code value - this} elementwise, as {@code torch.rsub(input, value)}; the gradient is {@code -grad}. */
    public Tensor rsub(float value) {
        return Elementwise.scalar("rsub", BinaryOp.RSUB, this, value);
    }

    /**
     * {@code value / this} elementwise (Python's {@code value / tensor}; PyTorch has no public
     * {@code rdiv}); the gradient is {@code -grad·value/this²}.
     */
    public Tensor rdiv(float value) {
        return Elementwise.scalar("rdiv", BinaryOp.RDIV, this, value);
    }

    /** {@code this * this} elementwise. */
    public Tensor square() {
        return pow(2f);
    }

    public Tensor neg() {
        return Elementwise.unary("neg", UnaryOp.NEG, this);
    }

    /** {@code max(this, 0)} elementwise. */
    public Tensor relu() {
        return Elementwise.unary("relu", UnaryOp.RELU, this);
    }

    // ---- elementwise math (torch.exp, torch.log, ...; forward and backward rules in Elementwise.unary) ----

    /** {@code e^x} elementwise. */
    public Tensor exp() {
        return Elementwise.unary("exp", UnaryOp.EXP, this);
    }

    /** The natural logarithm elementwise: {@code log(0) = -inf}, NaN for negative values. */
    public Tensor log() {
        return Elementwise.unary("log", UnaryOp.LOG, this);
    }

    /** {@code log(1 + x)} elementwise, accurate for small {@code x}. */
    public Tensor log1p() {
        return Elementwise.unary("log1p", UnaryOp.LOG1P, this);
    }

    /** {@code e^x - 1} elementwise, accurate for small {@code x}. */
    public Tensor expm1() {
        return Elementwise.unary("expm1", UnaryOp.EXPM1, this);
    }

    /** The square root elementwise: NaN for negative values. */
    public Tensor sqrt() {
        return Elementwise.unary("sqrt", UnaryOp.SQRT, this);
    }

    /** {@code 1/√x} elementwise: {@code +inf} at {@code +0}, NaN for negative values. */
    public Tensor rsqrt() {
        return Elementwise.unary("rsqrt", UnaryOp.RSQRT, this);
    }

    /** The absolute value elementwise ({@code abs(-0) = +0}); its gradient is 0 at 0, as PyTorch's. */
    public Tensor abs() {
        return Elementwise.unary("abs", UnaryOp.ABS, this);
    }

    /** The sign elementwise: -1, +1, or the value itself for ±0 and NaN ({@code Math.signum}; PyTorch gives 0 for NaN and for -0); its gradient is 0. */
    public Tensor sign() {
        return Elementwise.unary("sign", UnaryOp.SIGN, this);
    }

    /** The hyperbolic tangent elementwise. */
    public Tensor tanh() {
        return Elementwise.unary("tanh", UnaryOp.TANH, this);
    }

    /** The logistic function {@code 1/(1 + e^-x)} elementwise, without overflow for large {@code |x|}. */
    public Tensor sigmoid() {
        return Elementwise.unary("sigmoid", UnaryOp.SIGMOID, this);
    }

    /** {@code x·sigmoid(x)} elementwise (SiLU, also called swish). */
    public Tensor silu() {
        return Elementwise.unary("silu", UnaryOp.SILU, this);
    }

    /** The sine elementwise (radians). */
    public Tensor sin() {
        return Elementwise.unary("sin", UnaryOp.SIN, this);
    }

    /** The cosine elementwise (radians). */
    public Tensor cos() {
        return Elementwise.unary("cos", UnaryOp.COS, this);
    }

    /** {@code 1/x} elementwise. */
    public Tensor reciprocal() {
        return Elementwise.unary("reciprocal", UnaryOp.RECIPROCAL, this);
    }

    /** GELU, exact form {@code 0.5·x·(1 + erf(x/√2))}, as PyTorch's {@code gelu(x)}. */
    public Tensor gelu() {
        return Elementwise.unary("gelu", UnaryOp.GELU, this);
    }

    /**
     * GELU with PyTorch's {@code approximate=}: {@code "none"} for the exact form, {@code "tanh"} for
     * {@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}.
     *
     * @throws IllegalArgumentException for any other value
     */
    public Tensor gelu(String approximate) {
        return Elementwise.unary("gelu", Elementwise.geluKind(approximate), this);
    }

    /**
     * Matrix product, as {@code torch.matmul}: {@code [m,k] @ [k,n] → [m,n]}; a 1-d left operand is
     * a row, a 1-d right operand a column, and that dimension is dropped from the result. With more
     * than two dimensions, those before the last two are batch dimensions and broadcast:
     * {@code [2,1,3,4] @ [5,4,6] → [2,5,3,6]}, {@code [4] @ [2,4,6] → [2,6]}.
     *
     * <p>Each call is one product on the device (on CUDA one {@code cublasSgemmStridedBatched}, never
     * one launch per matrix). A right operand holding one matrix ({@code [..., m, k] @ [k, n]}) is
     * one plain product of the batch's rows, as in PyTorch; an operand whose batch dimensions are
     * all 1 is reused for every matrix without a copy; only an operand broadcast along some batch
     * dimensions but not all is expanded (copied) to the batch's shape first. The gradient of a
     * broadcast operand is summed over the batch.
     *
     * @throws ShapeMismatchException if an operand is 0-d, the inner dimensions differ or the batch
     *     dimensions do not broadcast (the message names both shapes)
     * @throws DTypeMismatchException unless both are float32
     * @throws DeviceMismatchException if the two are on different devices
     */
    public Tensor matmul(Tensor other) {
        return Linalg.matmul(this, other);
    }

    /**
     * Batched matrix product, as {@code torch.bmm}: {@code [b,n,m] @ [b,m,p] → [b,n,p]}, both
     * strictly 3-d with the same batch size; nothing broadcasts ({@link #matmul} broadcasts). One
     * product on the device (on CUDA one {@code cublasSgemmStridedBatched}).
     *
     * @throws ShapeMismatchException if an operand is not 3-d, the batch sizes differ or the inner
     *     dimensions differ
     * @throws DTypeMismatchException unless both are float32
     * @throws DeviceMismatchException if the two are on different devices
     */
    public Tensor bmm(Tensor mat2) {
        return Linalg.bmm(this, mat2);
    }

    /** The transpose of a 2-d tensor (a copy); a 0-d or 1-d tensor is returned as is. */
    public Tensor t() {
        return ShapeOps.transpose(this);
    }

    // ---------------------------------------------------------------- reductions and shape

    /** The sum of all elements, as a 0-d tensor. */
    public Tensor sum() {
        return Reductions.sumAll(this);
    }

    /** The sum along {@code dim}; {@code keepDim} keeps it with size 1. */
    public Tensor sum(int dim, boolean keepDim) {
        return Reductions.sum(this, dim, keepDim);
    }

    /** The mean of all elements, as a 0-d tensor (NaN for an empty tensor, as in PyTorch). */
    public Tensor mean() {
        return Reductions.meanAll(this);
    }

    /** The mean along {@code dim}. */
    public Tensor mean(int dim, boolean keepDim) {
        return Reductions.mean(this, dim, keepDim);
    }

    /**
     * The same data in a new shape (shares memory; one dimension may be -1).
     *
     * @throws ShapeMismatchException if the element counts differ
     */
    public Tensor reshape(int... newShape) {
        return ShapeOps.reshape(this, newShape);
    }

    /**
     * A copy of this tensor's data on the same device, in the autograd graph (the gradient passes
     * through unchanged), as PyTorch's {@code clone()}.
     */
    public Tensor clone() {
        Dispatch.check("clone", DTypes.ANY, "input", this);
        Tensor out = copyOfValues("clone");
        Autograd.record(out, "clone", new Tensor[] {this}, Autograd.NOTHING_SAVED, g -> new Tensor[] {g});
        return out;
    }

    /**
     * Checks, as every op does before it runs, that {@code a} and {@code b} are open and on one
     * device, and runs nothing. For custom layers and optimizers that must check all their operands
     * before they change any (an optimizer's step checks every parameter against its gradient first).
     *
     * @throws DeviceMismatchException naming {@code op} and the two roles when the devices differ
     * @throws TensorClosedException if either tensor is closed
     */
    public static void checkSameDevice(String op, String roleA, Tensor a, String roleB, Tensor b) {
        Dispatch.checkSameDevice(op, roleA, a, roleB, b); // names a null tensor too
    }

    // ---------------------------------------------------------------- in-place ops
    // PyTorch's names: a trailing underscore writes into this tensor and returns it. Writing into a
    // leaf that requires grad is allowed only under NoGrad (an optimizer's update, an initialiser);
    // changing a tensor that a recorded op saved for its gradient makes backward() fail.

    /**
     * {@code this += other} ({@code other} broadcast to this shape), in place.
     *
     * @return this tensor
     * @throws DeviceMismatchException if {@code other} is on another device
     * @throws ShapeMismatchException if {@code other} does not broadcast to this tensor's shape
     * @throws IllegalStateException if this is a leaf that requires grad and grad mode is on
     */
    public Tensor add_(Tensor other) {
        return InPlace.binary("add_", BinaryOp.ADD, this, other);
    }

    /**
     * {@code this += alpha·other}, in place, as PyTorch's {@code add_(other, alpha=)}: the update
     * {@code param.add_(grad, -lr)} of an optimizer is one kernel.
     *
     * @return this tensor
     * @throws DeviceMismatchException if {@code other} is on another device
     * @throws ShapeMismatchException if {@code other} does not broadcast to this tensor's shape
     * @throws IllegalStateException if this is a leaf that requires grad and grad mode is on
     */
    public Tensor add_(Tensor other, float alpha) {
        return InPlace.axpy(this, other, alpha);
    }

    /** {@code this -= other}, in place; as {@link #add_(Tensor)}. */
    public Tensor sub_(Tensor other) {
        return InPlace.binary("sub_", BinaryOp.SUB, this, other);
    }

    /** {@code this *= other}, in place; as {@link #add_(Tensor)}. */
    public Tensor mul_(Tensor other) {
        return InPlace.binary("mul_", BinaryOp.MUL, this, other);
    }

    /** {@code this /= other}, in place; as {@link #add_(Tensor)}. */
    public Tensor div_(Tensor other) {
        return InPlace.binary("div_", BinaryOp.DIV, this, other);
    }

    /** {@code this += value}, in place; as {@link #add_(Tensor)}. */
    public Tensor add_(float value) {
        return InPlace.scalar("add_", BinaryOp.ADD, this, value);
    }

    /** {@code this -= value}, in place; as {@link #add_(Tensor)}. */
    public Tensor sub_(float value) {
        return InPlace.scalar("sub_", BinaryOp.SUB, this, value);
    }

    /** {@code this *= value}, in place; as {@link #add_(Tensor)}. */
    public Tensor mul_(float value) {
        return InPlace.scalar("mul_", BinaryOp.MUL, this, value);
    }

    /** {@code this /= value}, in place; as {@link #add_(Tensor)}. */
    public Tensor div_(float value) {
        return InPlace.scalar("div_", BinaryOp.DIV, this, value);
    }

    /**
     * Every element clamped to {@code [min, max]}, in place, as {@code Math.min(Math.max(x, min), max)}:
     * NaN stays NaN; with {@code min > max} every element becomes {@code max}, as in PyTorch. Pass
     * {@code Float.NEGATIVE_INFINITY} or {@code Float.POSITIVE_INFINITY} for no bound on one side.
     *
     * @return this tensor
     * @throws IllegalStateException if this is a leaf that requires grad and grad mode is on
     */
    public Tensor clamp_(float min, float max) {
        return InPlace.clamp(this, min, max);
    }

    /** Sets every element to {@code value}, in place; as {@link #clamp_}. */
    public Tensor fill_(float value) {
        return InPlace.fill("fill_", this, value);
    }

    /** Sets every element to zero, in place; as {@link #clamp_}. */
    public Tensor zero_() {
        return InPlace.fill("zero_", this, 0f);
    }

    /**
     * Copies {@code src} (broadcast to this shape) into this tensor, as loading weights does. Both
     * must be on one device: move {@code src} with {@code src.to(device())} first (only
     * {@link #to(Device)} moves data between devices).
     *
     * @return this tensor
     * @throws DeviceMismatchException if {@code src} is on another device
     * @throws DTypeMismatchException unless both are float32 (PyTorch's copy_ also converts dtypes;
     *     convert with {@code src.to(dtype)} first)
     * @throws ShapeMismatchException if {@code src} does not broadcast to this tensor's shape
     * @throws IllegalStateException if this is a leaf that requires grad and grad mode is on
     */
    public Tensor copy_(Tensor src) {
        return InPlace.copy(this, src);
    }

    // ---------------------------------------------------------------- autograd

    /**
     * Sets whether autograd records ops on this tensor and accumulates its gradient. Only leaves
     * (tensors not computed by a recorded op) can be changed, and only floating point tensors can
     * require gradients (as in PyTorch).
     *
     * @return this tensor
     * @throws DTypeMismatchException for {@code requires == true} on an int64 or bool tensor
     */
    public Tensor requiresGrad(boolean requires) {
        if (requires) {
            Dispatch.checkDType("requiresGrad", DTypes.FLOAT32, "self", this,
                    " first: only tensors of floating point dtype can require gradients");
        }
        if (gradFn != null) {
            throw new IllegalStateException("requiresGrad: only leaf tensors can change it; this tensor was "
                    + "computed by '" + gradFn.op + "'. Use detach() for a leaf copy that shares memory");
        }
        this.requiresGrad = requires;
        return this;
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /**
     * The accumulated gradient of a leaf after {@link #backward()}, or {@code null}. The tensor
     * returned stays valid for as long as the caller holds it: once handed out, a gradient is never
     * recycled by the engine; a later {@code backward()} accumulates into a new tensor instead of
     * this one (as PyTorch does when someone else holds the gradient), and {@link #zeroGrad()} only
     * drops it. The library's own optimizers read gradients without taking them, so their memory is
     * reused from step to step.
     */
    public Tensor grad() {
        Tensor g = grad;
        if (g != null) {
            gradShared = true;
        }
        return g;
    }

    /** The gradient, for the engine's own use: unlike {@link #grad()}, it does not hand it out. */
    Tensor gradUnshared() {
        return grad;
    }

    /**
     * Drops the accumulated gradient, as PyTorch's {@code zero_grad(set_to_none=True)} (what
     * {@code Optimizer.zeroGrad()} does). A gradient that was never handed out ({@link #grad()}) nor
     * given ({@link #setGrad}) is closed, so its memory is reused by the next backward; one that
     * was stays valid for whoever holds it.
     */
    public void zeroGrad() {
        dropGrad();
    }

    private void dropGrad() {
        Tensor g = grad;
        boolean shared = gradShared;
        grad = null;
        gradShared = false;
        if (g != null && !shared) {
            g.close();
        }
    }

    /**
     * Makes this tensor use {@code source}'s data, as PyTorch's {@code t.data = source}: the two
     * then share memory, and this tensor moves to {@code source}'s device. It stays the same
     * object with the same {@code requiresGrad}, so whatever holds it (a module, an optimizer) sees
     * the new data; no graph links it to {@code source}. The gradient is left as it is: set it with
     * {@link #setGrad}. Only for leaves, as the graph of a computed tensor refers to its old data.
     *
     * @throws ShapeMismatchException if {@code source} has another shape
     * @throws IllegalStateException if this tensor is not a leaf
     * @throws TensorClosedException if either tensor is closed
     */
    public void setData(Tensor source) {
        Dispatch.nonNull("setData", "source", source);
        checkOpen("setData", "self");
        source.checkOpen("setData", "source");
        if (gradFn != null) {
            throw new IllegalStateException("setData: only a leaf tensor's data can be replaced; this tensor was "
                    + "computed by '" + gradFn.op + "'");
        }
        checkSameShape("setData", "source", source);
        Dispatch.checkDType("setData", dtype().bit, "source", source, null);
        Storage old;
        synchronized (this) { // against a concurrent close() releasing the storage being replaced
            checkOpen("setData", "self");
            source.storage.retain();
            old = storage;
            storage = source.storage;
            device = source.device;
            version = source.version(); // one data, one version: a write through either is seen by both
        }
        release(old);
    }

    /**
     * Sets the gradient, as PyTorch's {@code t.grad = grad}: the next {@link #backward()}
     * accumulates onto it (into a new tensor: the caller still holds {@code grad}); {@code null}
     * clears it, as {@link #zeroGrad()}. The tensor is kept as given, not copied.
     *
     * @throws DeviceMismatchException if {@code grad} is on another device than this tensor
     * @throws ShapeMismatchException if {@code grad} has another shape
     * @throws TensorClosedException if either tensor is closed
     */
    public void setGrad(Tensor grad) {
        if (grad == null) {
            dropGrad();
            return;
        }
        Dispatch.checkSameDevice("setGrad", "tensor", this, "grad", grad);
        checkSameShape("setGrad", "grad", grad);
        Dispatch.checkDType("setGrad", dtype().bit, "grad", grad, null);
        if (grad == this) {
            throw new IllegalArgumentException("setGrad: a tensor cannot be its own gradient; pass a copy (clone())");
        }
        if (grad != this.grad) {
            dropGrad();
        }
        this.grad = grad;
        this.gradShared = true;
    }

    /** Whether this tensor was created by the user rather than by a recorded op. */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /** The name of the op that computed this tensor in the autograd graph, or {@code null} for a leaf. */
    public String gradFnName() {
        return gradFn == null ? null : gradFn.toString();
    }

    /**
     * Computes the gradient of this scalar with respect to every leaf that requires grad, and
     * frees the graph.
     *
     * @throws IllegalStateException if this tensor is not a scalar, does not require grad, or its
     *     graph was already freed by an earlier backward
     */
    public void backward() {
        backward(false);
    }

    /** As {@link #backward()}; with {@code retainGraph} the graph can be walked again. */
    public void backward(boolean retainGraph) {
        checkOpen("backward", "self");
        if (numel != 1) {
            throw new IllegalStateException("backward: grad can be implicitly created only for a tensor with one "
                    + "element, got shape " + Shapes.str(shape) + "; reduce it first (sum(), mean()) or pass a "
                    + "gradient to backward(Tensor)");
        }
        backward(ones(device, shape), retainGraph, true);
    }

    /**
     * Backpropagates {@code gradient} (same shape and device as this tensor). A leaf's gradient
     * never is {@code gradient} itself: closing {@code gradient} afterwards is safe.
     */
    public void backward(Tensor gradient, boolean retainGraph) {
        backward(gradient, retainGraph, false);
    }

    /** {@code seedOwned}: nothing outside backward holds {@code gradient}, so a leaf may keep it. */
    private void backward(Tensor gradient, boolean retainGraph, boolean seedOwned) {
        Dispatch.check("backward", DTypes.FLOAT32, "self", this, "gradient", gradient);
        if (!Arrays.equals(shape, gradient.shape)) {
            throw new ShapeMismatchException("backward", "gradient of shape " + Shapes.str(gradient.shape)
                    + " does not match the tensor's shape " + Shapes.str(shape), shape, gradient.shape);
        }
        if (!requiresGrad) {
            throw new IllegalStateException("backward: this tensor does not require grad and has no graph; "
                    + "call requiresGrad(true) on the leaves (e.g. model parameters) before computing it");
        }
        Autograd.backward(this, gradient, seedOwned, retainGraph);
    }

    /** A leaf that shares this tensor's memory and is cut from the graph. */
    public Tensor detach() {
        checkOpen("detach", "input");
        storage.retain();
        return new Tensor(device, storage, shape, version());
    }

    // ---------------------------------------------------------------- reading values

    /**
     * The value of a one-element float32 tensor. Waits for pending GPU work.
     *
     * @throws IllegalStateException if the tensor has more than one element
     * @throws MetaTensorReadException for a meta tensor
     * @throws DTypeMismatchException if the tensor is not float32 (see {@link #longItem()},
     *     {@link #booleanItem()})
     */
    public float item() {
        checkItem("item", DType.FLOAT32, "longItem() or booleanItem()");
        return toFloatArray()[0];
    }

    /**
     * A row-major copy of a float32 tensor's values on the host. Waits for pending GPU work.
     *
     * @throws MetaTensorReadException for a meta tensor
     * @throws DTypeMismatchException if the tensor is not float32 (see {@link #toLongArray()},
     *     {@link #toBooleanArray()})
     * @throws HostArrayLimitException for more elements than one {@code float[]} holds
     */
    public float[] toFloatArray() {
        checkRead("toFloatArray", DType.FLOAT32, "toLongArray() or toBooleanArray()");
        float[] out = new float[HostArrayLimitException.check("toFloatArray", numel, shape, "a host copy")];
        Backends.of(device).toHost(storage, out);
        return out;
    }

    /**
     * Releases this tensor: its memory is freed now (shared memory when its last tensor closes),
     * and reused by later ops. As Python's {@code del t}: if a recorded op saved this tensor to
     * compute its gradient, the graph keeps it, and the memory is freed once that backward has run
     * (or with the graph, by the garbage collector, if it never runs); until then it still reads.
     * Idempotent.
     */
    @Override
    public void close() {
        Storage s;
        synchronized (this) {
            if (closed || closeDeferred) {
                return;
            }
            if (graphHolds > 0) {
                closeDeferred = true;
                return;
            }
            closed = true;
            s = storage;
        }
        release(s);
    }

    /** A graph node saved this tensor for its backward: {@link #close()} waits for {@link #releaseFromGraph()}. */
    synchronized void holdForGraph() {
        graphHolds++;
    }

    /** A graph node that saved this tensor was freed; the last one completes a deferred {@link #close()}. */
    void releaseFromGraph() {
        Storage s;
        synchronized (this) {
            if (--graphHolds > 0 || !closeDeferred) {
                return;
            }
            closeDeferred = false;
            closed = true;
            s = storage;
        }
        release(s);
    }

    /** Throws, naming {@code op} and {@code role}, unless {@code other} has this tensor's shape. */
    private void checkSameShape(String op, String role, Tensor other) {
        if (!Arrays.equals(shape, other.shape)) {
            throw new ShapeMismatchException(op, role + " of shape " + Shapes.str(other.shape)
                    + " does not match the tensor's shape " + Shapes.str(shape), shape, other.shape);
        }
    }

    /** Drops one reference to {@code s}; the last one frees it (and ends its leak tracking). */
    static void release(Storage s) {
        if (s.release()) {
            LeakTracker.freed(s);
        }
    }

    /**
     * Shape, device and (when not float32) dtype; values only for small CPU tensors, so printing
     * never waits for a GPU.
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("tensor(");
        if (device.isCpu() && !closed && numel <= 16) {
            sb.append(valuesString()).append(", ");
        }
        sb.append("shape=").append(Shapes.str(shape)).append(", device=").append(device);
        if (dtype() != DType.FLOAT32) {
            sb.append(", dtype=").append(dtype());
        }
        if (gradFn != null) {
            sb.append(", gradFn=").append(gradFn);
        } else if (requiresGrad) {
            sb.append(", requiresGrad=true");
        }
        return sb.append(closed ? ", closed)" : ")").toString();
    }

    // ---------------------------------------------------------------- dtypes

    /**
     * An int64 CPU tensor holding a copy of {@code data} (PyTorch's {@code torch.tensor} of Python
     * ints), laid out row-major in {@code shape}; with no shape, 1-d.
     *
     * @throws ShapeMismatchException if the shape does not hold exactly {@code data.length} elements
     */
    public static Tensor of(long[] data, int... shape) {
        Dispatch.nonNull("of", "data", data);
        Dispatch.nonNull("of", "shape", shape);
        int[] s = shapeOf(data.length, shape);
        return new Tensor(Device.CPU, Backends.of(Device.CPU).fromHost(data), s);
    }

    /**
     * An int64 CPU tensor holding {@code data}'s values, as {@code torch.tensor} makes int64 of
     * Python ints (there is no int32 dtype); shaped as {@link #of(long[], int...)}.
     *
     * @throws ShapeMismatchException if the shape does not hold exactly {@code data.length} elements
     */
    public static Tensor of(int[] data, int... shape) {
        Dispatch.nonNull("of", "data", data);
        long[] longs = new long[data.length];
        for (int i = 0; i < data.length; i++) {
            longs[i] = data[i];
        }
        return of(longs, shape);
    }

    /**
     * A bool CPU tensor holding a copy of {@code data}, shaped as {@link #of(long[], int...)}.
     *
     * @throws ShapeMismatchException if the shape does not hold exactly {@code data.length} elements
     */
    public static Tensor of(boolean[] data, int... shape) {
        Dispatch.nonNull("of", "data", data);
        Dispatch.nonNull("of", "shape", shape);
        int[] s = shapeOf(data.length, shape);
        return new Tensor(Device.CPU, Backends.of(Device.CPU).fromHost(data), s);
    }

    /** A CPU tensor of {@code dtype} and {@code shape}, every element 0 ({@code false} for bool). */
    public static Tensor zeros(DType dtype, int... shape) {
        return zeros(Device.CPU, dtype, shape);
    }

    /**
     * A tensor of {@code dtype} and {@code shape} on {@code device}, every element 0 ({@code false}).
     *
     * @throws CudaUnavailableException if {@code device} is a CUDA device that cannot be used
     */
    public static Tensor zeros(Device device, DType dtype, int... shape) {
        return constant("zeros", device, dtype, 0, shape);
    }

    /** A CPU tensor of {@code dtype} and {@code shape}, every element 1 ({@code true} for bool). */
    public static Tensor ones(DType dtype, int... shape) {
        return ones(Device.CPU, dtype, shape);
    }

    /**
     * A tensor of {@code dtype} and {@code shape} on {@code device}, every element 1 ({@code true}).
     *
     * @throws CudaUnavailableException if {@code device} is a CUDA device that cannot be used
     */
    public static Tensor ones(Device device, DType dtype, int... shape) {
        return constant("ones", device, dtype, 1, shape);
    }

    /**
     * An int64 tensor of {@code shape} on {@code device}, every element {@code value}. As in PyTorch
     * ({@code torch.full(size, 7)} is int64), an integer fill value makes an int64 tensor: write
     * {@code 7f} for float32.
     *
     * @throws CudaUnavailableException if {@code device} is a CUDA device that cannot be used
     */
    public static Tensor full(Device device, long value, int... shape) {
        Dispatch.nonNull("full", "device", device);
        Dispatch.nonNull("full", "shape", shape);
        Shapes.numel("full", shape); // validate before touching the device
        DeviceBackend be = Backends.of(device);
        Tensor t = empty("full", be, DType.INT64, shape);
        be.fill(t.storage, value);
        return t;
    }

    /**
     * A bool tensor of {@code shape} on {@code device}, every element {@code value}.
     *
     * @throws CudaUnavailableException if {@code device} is a CUDA device that cannot be used
     */
    public static Tensor full(Device device, boolean value, int... shape) {
        Dispatch.nonNull("full", "device", device);
        Dispatch.nonNull("full", "shape", shape);
        Shapes.numel("full", shape);
        DeviceBackend be = Backends.of(device);
        Tensor t = empty("full", be, DType.BOOL, shape);
        be.fill(t.storage, value);
        return t;
    }

    /** zeros and ones of any dtype: {@code value} is 0 or 1. */
    private static Tensor constant(String op, Device device, DType dtype, int value, int[] shape) {
        Dispatch.nonNull(op, "device", device);
        Dispatch.nonNull(op, "dtype", dtype);
        Dispatch.nonNull(op, "shape", shape);
        Shapes.numel(op, shape); // validate before touching the device
        DeviceBackend be = Backends.of(device);
        Tensor t = empty(op, be, dtype, shape);
        switch (dtype) {
            case FLOAT32:
                be.fill(t.storage, (float) value);
                break;
            case INT64:
                be.fill(t.storage, (long) value);
                break;
            case BOOL:
                be.fill(t.storage, value != 0);
                break;
            default:
                throw new AssertionError(dtype);
        }
        return t;
    }

    /**
     * This tensor converted to {@code target} on its device: the same tensor when it already has
     * that dtype, else a new one. Conversions, identical on every device: float32 → int64 truncates
     * toward zero, and where PyTorch leaves the result undefined it is Java's {@code (long)}: NaN
     * gives 0, values beyond the int64 range (±Inf included) give {@code Long.MAX_VALUE} or
     * {@code Long.MIN_VALUE}; int64 → float32 rounds to nearest (ties to even); to bool is
     * {@code x != 0} (NaN is true, -0.0 false); bool → a number is 0 or 1. A conversion to int64 or
     * bool cuts the autograd graph, as in PyTorch (the result cannot require grad).
     */
    public Tensor to(DType target) {
        Dispatch.nonNull("to", "dtype", target);
        checkOpen("to", "input");
        if (target == dtype()) {
            return this;
        }
        DeviceBackend be = Dispatch.check("to", DTypes.ANY, this);
        Tensor out = empty("to", be, target, shape);
        if (numel > 0) {
            be.cast(storage, out.storage);
        }
        // Never recorded: float32 is the only floating dtype, so one side is int64 or bool. A second
        // floating dtype would need a "to" node here whose rule converts the gradient back.
        return out;
    }

    /**
     * The value of a one-element int64 tensor, as PyTorch's {@code item()} of an int64 tensor.
     * Waits for pending GPU work.
     *
     * @throws IllegalStateException if the tensor has more than one element
     * @throws DTypeMismatchException if the tensor is not int64
     */
    public long longItem() {
        checkItem("longItem", DType.INT64, "item() or booleanItem()");
        return toLongArray()[0];
    }

    /**
     * The value of a one-element bool tensor. Waits for pending GPU work.
     *
     * @throws IllegalStateException if the tensor has more than one element
     * @throws DTypeMismatchException if the tensor is not bool
     */
    public boolean booleanItem() {
        checkItem("booleanItem", DType.BOOL, "item() or longItem()");
        return toBooleanArray()[0];
    }

    /**
     * A row-major copy of an int64 tensor's values on the host. Waits for pending GPU work.
     *
     * @throws DTypeMismatchException if the tensor is not int64 (convert with {@code to(DType.INT64)})
     */
    public long[] toLongArray() {
        checkRead("toLongArray", DType.INT64, "toFloatArray() or toBooleanArray()");
        long[] out = new long[HostArrayLimitException.check("toLongArray", numel, shape, "a host copy")];
        Backends.of(device).toHost(storage, out);
        return out;
    }

    /**
     * A row-major copy of a bool tensor's values on the host. Waits for pending GPU work.
     *
     * @throws DTypeMismatchException if the tensor is not bool (convert with {@code to(DType.BOOL)})
     */
    public boolean[] toBooleanArray() {
        checkRead("toBooleanArray", DType.BOOL, "toFloatArray() or toLongArray()");
        boolean[] out = new boolean[HostArrayLimitException.check("toBooleanArray", numel, shape, "a host copy")];
        Backends.of(device).toHost(storage, out);
        return out;
    }

    /** Reading values needs the reader of the tensor's own dtype, as {@code tolist()} gives the tensor's type. */
    private void checkRead(String op, DType expected, String otherReaders) {
        checkOpen(op, "input");
        Dispatch.checkDType(op, expected.bit, "input", this, ", or read it with " + otherReaders);
        checkHasData(op, "read its values"); // before any host array: a large one would not fit
    }

    private void checkItem(String op, DType expected, String otherReaders) {
        checkRead(op, expected, otherReaders);
        if (numel != 1) {
            throw new IllegalStateException(op + ": a tensor with " + numel + " elements (shape " + Shapes.str(shape)
                    + ") cannot be converted to a scalar");
        }
    }

    /** The values of a small CPU tensor, for {@link #toString()}. */
    private String valuesString() {
        switch (dtype()) {
            case INT64:
                return Arrays.toString(toLongArray());
            case BOOL:
                return Arrays.toString(toBooleanArray());
            default:
                return Arrays.toString(toFloatArray());
        }
    }

    // ---------------------------------------------------------------- comparisons
    // Bool results, outside the autograd graph (as PyTorch). Operands of one dtype compare in it; a
    // float32 operand with an int64 or bool one compares in float32, int64 with bool in int64 (see
    // the README's dtype table). IEEE semantics: NaN compares false except in ne, and -0 == +0.

    /**
     * {@code this == other} elementwise, broadcasting, as a bool tensor ({@code torch.eq}).
     *
     * @throws DeviceMismatchException if the two are on different devices
     * @throws ShapeMismatchException if the shapes cannot be broadcast
     */
    public Tensor eq(Tensor other) {
        return Comparisons.compare("eq", CompareOp.EQ, this, other);
    }

    /** {@code this == value} elementwise against a scalar, as a bool tensor. */
    public Tensor eq(float value) {
        return Comparisons.compareScalar("eq", CompareOp.EQ, this, value);
    }

    /**
     * {@code this != other} (true where either is NaN) elementwise, broadcasting, as a bool tensor ({@code torch.ne}).
     *
     * @throws DeviceMismatchException if the two are on different devices
     * @throws ShapeMismatchException if the shapes cannot be broadcast
     */
    public Tensor ne(Tensor other) {
        return Comparisons.compare("ne", CompareOp.NE, this, other);
    }

    /** {@code this != value} (true where either is NaN) elementwise against a scalar, as a bool tensor. */
    public Tensor ne(float value) {
        return Comparisons.compareScalar("ne", CompareOp.NE, this, value);
    }

    /**
     * {@code this < other} elementwise, broadcasting, as a bool tensor ({@code torch.lt}).
     *
     * @throws DeviceMismatchException if the two are on different devices
     * @throws ShapeMismatchException if the shapes cannot be broadcast
     */
    public Tensor lt(Tensor other) {
        return Comparisons.compare("lt", CompareOp.LT, this, other);
    }

    /** {@code this < value} elementwise against a scalar, as a bool tensor. */
    public Tensor lt(float value) {
        return Comparisons.compareScalar("lt", CompareOp.LT, this, value);
    }

    /**
     * {@code this <= other} elementwise, broadcasting, as a bool tensor ({@code torch.le}).
     *
     * @throws DeviceMismatchException if the two are on different devices
     * @throws ShapeMismatchException if the shapes cannot be broadcast
     */
    public Tensor le(Tensor other) {
        return Comparisons.compare("le", CompareOp.LE, this, other);
    }

    /** {@code this <= value} elementwise against a scalar, as a bool tensor. */
    public Tensor le(float value) {
        return Comparisons.compareScalar("le", CompareOp.LE, this, value);
    }

    /**
     * {@code this > other} elementwise, broadcasting, as a bool tensor ({@code torch.gt}).
     *
     * @throws DeviceMismatchException if the two are on different devices
     * @throws ShapeMismatchException if the shapes cannot be broadcast
     */
    public Tensor gt(Tensor other) {
        return Comparisons.compare("gt", CompareOp.GT, this, other);
    }

    /** {@code this > value} elementwise against a scalar, as a bool tensor. */
    public Tensor gt(float value) {
        return Comparisons.compareScalar("gt", CompareOp.GT, this, value);
    }

    /**
     * {@code this >= other} elementwise, broadcasting, as a bool tensor ({@code torch.ge}).
     *
     * @throws DeviceMismatchException if the two are on different devices
     * @throws ShapeMismatchException if the shapes cannot be broadcast
     */
    public Tensor ge(Tensor other) {
        return Comparisons.compare("ge", CompareOp.GE, this, other);
    }

    /** {@code this >= value} elementwise against a scalar, as a bool tensor. */
    public Tensor ge(float value) {
        return Comparisons.compareScalar("ge", CompareOp.GE, this, value);
    }

    /**
     * Elementwise {@code this && other} of the truth values (nonzero, NaN included, is true) of
     * tensors of any dtypes, broadcasting, as a bool tensor ({@code torch.logical_and}).
     */
    public Tensor logicalAnd(Tensor other) {
        return Comparisons.logical("logical_and", CompareOp.AND, this, other);
    }

    /** Elementwise {@code this || other} of the truth values, as {@link #logicalAnd} ({@code torch.logical_or}). */
    public Tensor logicalOr(Tensor other) {
        return Comparisons.logical("logical_or", CompareOp.OR, this, other);
    }

    /** Elementwise negation of the truth values ({@code x == 0}) of a tensor of any dtype ({@code torch.logical_not}). */
    public Tensor logicalNot() {
        return Comparisons.logicalNot(this);
    }

    /** Where a float32 tensor is NaN, as a bool tensor ({@code torch.isnan}). */
    public Tensor isnan() {
        return Comparisons.isnan(this);
    }

    /** Where a float32 tensor is +Inf or -Inf, as a bool tensor ({@code torch.isinf}). */
    public Tensor isinf() {
        return Comparisons.isinf(this);
    }

    /**
     * {@code condition ? this : other} elementwise, the three broadcast together, as PyTorch's
     * {@code Tensor.where(condition, other)}: condition bool, this and other float32. Differentiable
     * in this (where condition holds) and other (elsewhere).
     *
     * @throws DTypeMismatchException if condition is not bool or this or other is not float32
     */
    public Tensor where(Tensor condition, Tensor other) {
        Dispatch.nonNull("where", "condition", condition);
        Dispatch.nonNull("where", "other", other);
        return Comparisons.where(condition, this, other);
    }

    /**
     * A copy of this float32 tensor with {@code value} where the bool {@code mask} (broadcast to this
     * tensor's shape) holds ({@code Tensor.masked_fill}). The gradient passes where mask is false.
     *
     * @throws ShapeMismatchException if mask cannot be broadcast to this tensor's shape
     */
    public Tensor maskedFill(Tensor mask, float value) {
        return Comparisons.maskedFill(this, Dispatch.nonNull("masked_fill", "mask", mask), value);
    }

    // ---------------------------------------------------------------- reductions

    /**
     * The result of {@link #max(int, boolean)} and {@link #min(int, boolean)}, as PyTorch's
     * {@code (values, indices)} namedtuple.
     *
     * @param values the extreme values, float32, differentiable
     * @param indices their positions along the reduced dim, int64
     */
    public record ValuesIndices(Tensor values, Tensor indices) {}

    /**
     * The sum over {@code dims} (negative dims count from the end; an empty array sums every dim,
     * as PyTorch's {@code dim=[]}); {@code keepDim} keeps them with size 1.
     *
     * @throws IllegalArgumentException if a dim is out of range or repeated
     */
    public Tensor sum(int[] dims, boolean keepDim) {
        return Reductions.sum(this, Dispatch.nonNull("sum", "dims", dims), keepDim);
    }

    /** The mean over {@code dims}, as {@link #sum(int[], boolean)} (NaN where nothing is averaged). */
    public Tensor mean(int[] dims, boolean keepDim) {
        return Reductions.mean(this, Dispatch.nonNull("mean", "dims", dims), keepDim);
    }

    /**
     * The maximum along {@code dim} and its int64 index, as PyTorch's {@code max(dim)}: NaN
     * propagates (the first NaN and its index), ties give the first index. The gradient flows to the
     * selected index only.
     *
     * @throws IllegalArgumentException if dim is out of range or has size 0
     */
    public ValuesIndices max(int dim, boolean keepDim) {
        return Reductions.extreme("max", true, this, dim, keepDim);
    }

    /** The minimum along {@code dim} and its index, as {@link #max(int, boolean)}. */
    public ValuesIndices min(int dim, boolean keepDim) {
        return Reductions.extreme("min", false, this, dim, keepDim);
    }

    /**
     * The largest element as a 0-d tensor (NaN if any is NaN). Its gradient is shared evenly among
     * equal maxima, as {@link #amax(int[], boolean)}; where the result is NaN the gradient is NaN
     * everywhere (as amax's; PyTorch's {@code max()} instead shares it among the NaN elements).
     *
     * @throws IllegalArgumentException for an empty tensor
     */
    public Tensor max() {
        return Reductions.amaxmin("max", true, this, new int[0], false);
    }

    /** The smallest element as a 0-d tensor, as {@link #max()}. */
    public Tensor min() {
        return Reductions.amaxmin("min", false, this, new int[0], false);
    }

    /**
     * The maximum over {@code dims} (empty: every dim), as PyTorch's {@code amax}: NaN propagates,
     * and the gradient is shared evenly among the elements equal to the result.
     *
     * @throws IllegalArgumentException if a dim is out of range, repeated or of size 0
     */
    public Tensor amax(int[] dims, boolean keepDim) {
        return Reductions.amaxmin("amax", true, this, Dispatch.nonNull("amax", "dims", dims), keepDim);
    }

    /** The minimum over {@code dims}, as {@link #amax(int[], boolean)}. */
    public Tensor amin(int[] dims, boolean keepDim) {
        return Reductions.amaxmin("amin", false, this, Dispatch.nonNull("amin", "dims", dims), keepDim);
    }

    /** The int64 index of the maximum along {@code dim} (first of ties; a NaN counts as largest). */
    public Tensor argmax(int dim, boolean keepDim) {
        return Reductions.argExtreme("argmax", true, this, dim, keepDim);
    }

    /** The int64 index of the minimum along {@code dim} (first of ties; a NaN counts as smallest). */
    public Tensor argmin(int dim, boolean keepDim) {
        return Reductions.argExtreme("argmin", false, this, dim, keepDim);
    }

    /** The int64 index of the maximum in the flattened tensor, as a 0-d tensor. */
    public Tensor argmax() {
        return Reductions.argExtremeAll("argmax", true, this);
    }

    /** The int64 index of the minimum in the flattened tensor, as a 0-d tensor. */
    public Tensor argmin() {
        return Reductions.argExtremeAll("argmin", false, this);
    }

    /** The unbiased variance (divisor N - 1) of all elements; NaN for fewer than two. */
    public Tensor var() {
        return Reductions.var("var", this, new int[0], true, false);
    }

    /** The unbiased variance along {@code dim}, as PyTorch's {@code var(dim)} (unbiased, keepdim=False). */
    public Tensor var(int dim) {
        return var(dim, true, false);
    }

    /**
     * The variance along {@code dim}, two-pass (mean first); divisor N - 1 when {@code unbiased}
     * (NaN for N = 1, as PyTorch), else N.
     */
    public Tensor var(int dim, boolean unbiased, boolean keepDim) {
        return Reductions.var("var", this, new int[] {dim}, unbiased, keepDim);
    }

    /**
     * The variance over {@code dims} (negative dims count from the end; an empty array means every
     * dim), as {@link #var(int, boolean, boolean)} with N the number of elements in each group: NaN
     * for N = 1 when {@code unbiased}, and for an empty group.
     *
     * @throws IllegalArgumentException if a dim is out of range or repeated
     */
    public Tensor var(int[] dims, boolean unbiased, boolean keepDim) {
        return Reductions.var("var", this, Dispatch.nonNull("var", "dims", dims), unbiased, keepDim);
    }

    /** The unbiased standard deviation of all elements. */
    public Tensor std() {
        return Reductions.std(this, new int[0], true, false);
    }

    /** The unbiased standard deviation along {@code dim}, as PyTorch's {@code std(dim)}. */
    public Tensor std(int dim) {
        return std(dim, true, false);
    }

    /**
     * The standard deviation along {@code dim}: the square root of {@link #var(int, boolean, boolean)};
     * the gradient is 0 where it is 0, as PyTorch.
     */
    public Tensor std(int dim, boolean unbiased, boolean keepDim) {
        return Reductions.std(this, new int[] {dim}, unbiased, keepDim);
    }

    /**
     * The standard deviation over {@code dims} (empty: every dim): the square root of
     * {@link #var(int[], boolean, boolean)}.
     *
     * @throws IllegalArgumentException if a dim is out of range or repeated
     */
    public Tensor std(int[] dims, boolean unbiased, boolean keepDim) {
        return Reductions.std(this, Dispatch.nonNull("std", "dims", dims), unbiased, keepDim);
    }

    /**
     * {@code log Σ exp} along {@code dim}, computed with the row's finite maximum subtracted: rows of
     * -Inf give -Inf, a +Inf gives +Inf, NaN propagates, an empty row gives -Inf.
     */
    public Tensor logsumexp(int dim, boolean keepDim) {
        return Reductions.logsumexp(this, new int[] {dim}, keepDim);
    }

    /**
     * {@code log Σ exp} over {@code dims} (empty: every dim), as {@link #logsumexp(int, boolean)}.
     *
     * @throws IllegalArgumentException if a dim is out of range or repeated
     */
    public Tensor logsumexp(int[] dims, boolean keepDim) {
        return Reductions.logsumexp(this, Dispatch.nonNull("logsumexp", "dims", dims), keepDim);
    }

    /** The 2-norm of all elements, as a 0-d tensor (gradient 0 at a zero norm, as PyTorch). */
    public Tensor norm() {
        return Reductions.norm(this, 2, new int[0], false);
    }

    /**
     * The {@code p}-norm along {@code dim}, as PyTorch's {@code linalg.vector_norm}: p = inf is the
     * largest |x|, -inf the smallest, 0 the number of nonzero elements (gradient 0), any other p
     * {@code (Σ |x|^p)^(1/p)} (negative p included).
     *
     * @throws IllegalArgumentException if p is NaN, or dim is out of range
     */
    public Tensor norm(double p, int dim, boolean keepDim) {
        return Reductions.norm(this, p, new int[] {dim}, keepDim);
    }

    /**
     * The {@code p}-norm over {@code dims} (empty: every dim), as {@link #norm(double, int, boolean)}.
     *
     * @throws IllegalArgumentException if p is NaN, a dim is out of range or repeated, or (p = ±inf)
     *     a reduced dim has size 0
     */
    public Tensor norm(double p, int[] dims, boolean keepDim) {
        return Reductions.norm(this, p, Dispatch.nonNull("norm", "dims", dims), keepDim);
    }

    // ---------------------------------------------------------------- shape and creation

    /**
     * A view with a size-1 dimension inserted at {@code dim} (shares memory), as PyTorch's
     * {@code unsqueeze}; {@code dim} may be negative, counting from {@code dim() + 1}.
     *
     * @throws IllegalArgumentException if {@code dim} is outside {@code [-(dim()+1), dim()]}
     */
    public Tensor unsqueeze(int dim) {
        return ShapeOps.unsqueeze(this, dim);
    }

    /** A view with every size-1 dimension removed (shares memory), as PyTorch's {@code squeeze()}. */
    public Tensor squeeze() {
        return ShapeOps.squeeze(this);
    }

    /**
     * A view with dimension {@code dim} removed if its size is 1 (else of the same shape), sharing
     * memory, as PyTorch's {@code squeeze(dim)}.
     *
     * @throws IllegalArgumentException if {@code dim} is out of range
     */
    public Tensor squeeze(int dim) {
        return ShapeOps.squeeze(this, dim);
    }

    /** A 1-d view of all elements (shares memory; a 0-d tensor gives one element), as PyTorch's {@code flatten()}. */
    public Tensor flatten() {
        return ShapeOps.flatten(this, 0, -1);
    }

    /**
     * A view with dimensions {@code startDim} through {@code endDim} merged into one (shares memory),
     * as PyTorch's {@code flatten(start_dim, end_dim)}; both may be negative.
     *
     * @throws IllegalArgumentException if a dimension is out of range or {@code startDim} comes after {@code endDim}
     */
    public Tensor flatten(int startDim, int endDim) {
        return ShapeOps.flatten(this, startDim, endDim);
    }

    /**
     * The dimensions reordered so that result dimension {@code i} is this tensor's {@code dims[i]},
     * as PyTorch's {@code permute}. A copy (tensors here have no strided views); every dtype.
     *
     * @throws ShapeMismatchException if {@code dims} does not name every dimension
     * @throws IllegalArgumentException if a dimension is out of range or repeats
     */
    public Tensor permute(int... dims) {
        return ShapeCopies.permute(this, dims);
    }

    /**
     * Dimensions {@code dim0} and {@code dim1} swapped, as PyTorch's {@code transpose} (a copy; see
     * {@link #t()} for the 2-d case).
     *
     * @throws IllegalArgumentException if a dimension is out of range
     */
    public Tensor transpose(int dim0, int dim1) {
        return ShapeCopies.transpose(this, dim0, dim1);
    }

    /**
     * This tensor broadcast to {@code sizes}, as PyTorch's {@code expand}: size-1 dimensions stretch,
     * new ones are added in front, -1 keeps a size. Unlike PyTorch's (a view) the result is a copy,
     * since tensors here have no strided views; the gradient sums back over the stretched dimensions.
     *
     * @throws ShapeMismatchException if a dimension of size other than 1 would change
     */
    public Tensor expand(int... sizes) {
        return ShapeCopies.expand(this, sizes);
    }

    /**
     * This tensor tiled {@code repeats[d]} times along each dimension d, as PyTorch's {@code repeat}
     * (a copy of every dtype): more repeats than dimensions prepend dimensions of size 1 first, a
     * repeat of 0 gives an empty dimension. The gradient is the sum of the output's gradient over
     * the tiles.
     *
     * @throws ShapeMismatchException if there are fewer repeats than dimensions
     * @throws IllegalArgumentException if a repeat is negative or a dimension would exceed an int
     */
    public Tensor repeat(int... repeats) {
        return ShapeCopies.repeat(this, repeats);
    }

    /**
     * Elements {@code start .. start+length-1} along {@code dim} (a copy), as PyTorch's {@code narrow};
     * {@code start} may be negative. The gradient writes back into zeros of this tensor's shape.
     *
     * @throws IllegalArgumentException if the range lies outside the dimension
     */
    public Tensor narrow(int dim, int start, int length) {
        return ShapeCopies.narrow(this, dim, start, length);
    }

    /**
     * The slice at {@code index} along {@code dim}, that dimension removed (a copy), as PyTorch's
     * {@code select} ({@code x[:, i]}); {@code index} may be negative.
     *
     * @throws IllegalArgumentException if {@code index} or {@code dim} is out of range
     */
    public Tensor select(int dim, int index) {
        return ShapeCopies.select(this, dim, index);
    }

    /**
     * Python's {@code x[..., start:end:step]} along {@code dim} (a copy): negative bounds count from
     * the end and out-of-range ones are clamped, as in PyTorch.
     *
     * @throws IllegalArgumentException if {@code step} is not positive or {@code dim} is out of range
     */
    public Tensor slice(int dim, int start, int end, int step) {
        return ShapeCopies.slice(this, dim, start, end, step);
    }

    /**
     * {@code tensors} joined along the existing dimension {@code dim}, as {@code torch.cat}: one
     * dtype and device, equal shapes outside {@code dim}. Each input's gradient is its part of the result's.
     *
     * @throws ShapeMismatchException if the shapes differ outside {@code dim}
     * @throws DTypeMismatchException if the dtypes differ
     * @throws DeviceMismatchException if the devices differ
     */
    public static Tensor cat(List<Tensor> tensors, int dim) {
        return ShapeCopies.cat(tensors, dim);
    }

    /**
     * {@code tensors}, of one shape, joined along a new dimension {@code dim}, as {@code torch.stack}.
     *
     * @throws ShapeMismatchException if the shapes differ
     * @throws DTypeMismatchException if the dtypes differ
     * @throws DeviceMismatchException if the devices differ
     */
    public static Tensor stack(List<Tensor> tensors, int dim) {
        return ShapeCopies.stack(tensors, dim);
    }

    /**
     * Pieces of {@code splitSize} along {@code dim} (the last may be smaller), as PyTorch's
     * {@code split}; each a copy, with its gradient.
     *
     * @throws IllegalArgumentException if {@code splitSize} is not positive (0 is allowed for a dimension of size 0)
     */
    public List<Tensor> split(int splitSize, int dim) {
        return ShapeCopies.split(this, splitSize, dim);
    }

    /**
     * Pieces of the given sizes along {@code dim}, as PyTorch's {@code split} with a list of
     * sections ({@code split_with_sizes}); each a copy, with its gradient.
     *
     * @throws IllegalArgumentException unless the sizes are non-negative and sum to {@code size(dim)}
     */
    public List<Tensor> split(int[] sections, int dim) {
        return ShapeCopies.split(this, sections, dim);
    }

    /**
     * At most {@code chunks} pieces of equal size along {@code dim} (the last may be smaller), as
     * PyTorch's {@code chunk}; each a copy, with its gradient.
     *
     * @throws IllegalArgumentException if {@code chunks} is not positive
     */
    public List<Tensor> chunk(int chunks, int dim) {
        return ShapeCopies.chunk(this, chunks, dim);
    }

    /** The int64 values {@code 0, 1, ..., end - 1} on the CPU, as {@code torch.arange(end)}. */
    public static Tensor arange(long end) {
        return Creation.arange(Device.CPU, 0, end, 1);
    }

    /** The int64 values {@code start, ..., end - 1} on the CPU, as {@code torch.arange(start, end)}. */
    public static Tensor arange(long start, long end) {
        return Creation.arange(Device.CPU, start, end, 1);
    }

    /**
     * The int64 values {@code start, start + step, ...} short of {@code end} on the CPU, as
     * {@code torch.arange(start, end, step)} with integer arguments.
     *
     * @throws IllegalArgumentException if {@code step} is 0 or points away from {@code end}
     */
    public static Tensor arange(long start, long end, long step) {
        return Creation.arange(Device.CPU, start, end, step);
    }

    /**
     * As {@link #arange(long, long, long)}, on {@code device}.
     *
     * @throws IllegalArgumentException if {@code step} is 0 or points away from {@code end}
     */
    public static Tensor arange(Device device, long start, long end, long step) {
        return Creation.arange(device, start, end, step);
    }

    /** The float32 values {@code 0, 1, ...} below {@code end} on the CPU, as {@code torch.arange(5.0)}. */
    public static Tensor arange(float end) {
        return Creation.arange(Device.CPU, 0f, end, 1f);
    }

    /** The float32 values {@code start, start + 1, ...} below {@code end} on the CPU. */
    public static Tensor arange(float start, float end) {
        return Creation.arange(Device.CPU, start, end, 1f);
    }

    /**
     * The float32 values {@code start + i·step} (computed in double) for {@code i <
     * ceil((end - start)/step)} on the CPU, as {@code torch.arange} with a float argument.
     *
     * @throws IllegalArgumentException if {@code step} is 0 or points away from {@code end}, or an argument is not finite
     */
    public static Tensor arange(float start, float end, float step) {
        return Creation.arange(Device.CPU, start, end, step);
    }

    /**
     * As {@link #arange(float, float, float)}, on {@code device}.
     *
     * @throws IllegalArgumentException if {@code step} is 0 or points away from {@code end}, or an argument is not finite
     */
    public static Tensor arange(Device device, float start, float end, float step) {
        return Creation.arange(device, start, end, step);
    }

    /** The float32 {@code n × n} identity matrix on the CPU, as {@code torch.eye(n)}. */
    public static Tensor eye(int n) {
        return Creation.eye(Device.CPU, n, n);
    }

    /** A float32 {@code rows × cols} matrix with ones on the diagonal on the CPU, as {@code torch.eye(n, m)}. */
    public static Tensor eye(int rows, int cols) {
        return Creation.eye(Device.CPU, rows, cols);
    }

    /** The float32 {@code n × n} identity matrix on {@code device}. */
    public static Tensor eye(Device device, int n) {
        return Creation.eye(device, n, n);
    }

    /** A float32 {@code rows × cols} matrix with ones on the diagonal on {@code device}. */
    public static Tensor eye(Device device, int rows, int cols) {
        return Creation.eye(device, rows, cols);
    }

    /**
     * {@code steps} float32 values evenly spaced from {@code start} to {@code end} inclusive on the
     * CPU, as {@code torch.linspace}.
     *
     * @throws IllegalArgumentException if {@code steps} is negative
     */
    public static Tensor linspace(float start, float end, int steps) {
        return Creation.linspace(Device.CPU, start, end, steps);
    }

    /**
     * As {@link #linspace(float, float, int)}, on {@code device}.
     *
     * @throws IllegalArgumentException if {@code steps} is negative
     */
    public static Tensor linspace(Device device, float start, float end, int steps) {
        return Creation.linspace(device, start, end, steps);
    }

    /** Zeros of {@code input}'s shape, dtype and device, as {@code torch.zeros_like}. */
    public static Tensor zerosLike(Tensor input) {
        return Creation.fullLike("zeros_like", input, 0f);
    }

    /** Ones of {@code input}'s shape, dtype and device, as {@code torch.ones_like}. */
    public static Tensor onesLike(Tensor input) {
        return Creation.fullLike("ones_like", input, 1f);
    }

    /**
     * {@code value} in {@code input}'s shape, dtype and device, as {@code torch.full_like}; the value
     * converted as {@link #to(DType)} converts (truncated for int64, {@code != 0} for bool).
     */
    public static Tensor fullLike(Tensor input, float value) {
        return Creation.fullLike("full_like", input, value);
    }

    /**
     * Standard normal samples of {@code input}'s shape on its device, as {@code torch.randn_like}.
     *
     * @throws DTypeMismatchException unless {@code input} is float32
     */
    public static Tensor randnLike(Tensor input) {
        return Creation.randomLike("randn_like", input, true);
    }

    /**
     * Uniform samples in [0, 1) of {@code input}'s shape on its device, as {@code torch.rand_like}.
     *
     * @throws DTypeMismatchException unless {@code input} is float32
     */
    public static Tensor randLike(Tensor input) {
        return Creation.randomLike("rand_like", input, false);
    }

    // ---------------------------------------------------------------- package-private plumbing

    Storage storage() {
        return storage;
    }

    int[] shapeRef() {
        return shape;
    }

    GradFn gradFn() {
        return gradFn;
    }

    void setGradFn(GradFn fn) {
        this.gradFn = fn;
        this.requiresGrad = true;
    }

    void checkOpen(String op, String role) {
        if (closed) {
            throw new TensorClosedException(op, role, shape, device);
        }
    }

    /**
     * Adds {@code g} to the gradient. A first gradient is kept as is only when {@code exclusive}
     * (no other leaf nor the caller holds it), else copied: each leaf owns its gradient, so closing
     * one never closes another's (PyTorch's AccumulateGrad clones in the same cases).
     */
    void accumulateGrad(Tensor g, boolean exclusive) {
        if (grad != null) {
            if (gradShared) {
                grad = grad.add(g); // the holder keeps the old values, as in PyTorch
                gradShared = false;
            } else {
                grad.add_(g); // the walk closes g, which only it held
            }
        } else if (exclusive) {
            grad = g;
        } else {
            DeviceBackend be = Dispatch.check("backward", DTypes.FLOAT32, g);
            grad = empty("backward", be, g.shape);
            if (numel > 0) {
                be.copy(g.storage, grad.storage);
            }
        }
    }

    private void checkHasData(String op, String what) {
        if (device.isMeta()) {
            throw noData(op, shape, what);
        }
    }

    private static MetaTensorReadException noData(String op, int[] shape, String what) {
        return new MetaTensorReadException(op, "cannot " + what + ": a meta tensor (here of shape " + Shapes.str(shape)
                + ") has a shape but no data; create it on cpu or cuda to compute values");
    }

    /** A new tensor holding a copy of this one's current values, outside the graph. */
    Tensor copyOfValues(String op) {
        DeviceBackend be = Backends.of(device);
        Tensor out = empty(op, be, dtype(), shape);
        if (numel > 0) {
            be.copy(storage, out.storage);
        }
        return out;
    }

    /** Wraps a new storage holding {@code shape}'s data. */
    static Tensor wrap(Device device, Storage s, int[] shape) {
        return new Tensor(device, s, shape);
    }

    /** A tensor of {@code shape} sharing {@code base}'s data and version counter: a view of it. */
    static Tensor view(Tensor base, int[] shape) {
        base.storage.retain();
        Tensor v = new Tensor(base.device, base.storage, shape, base.version());
        v.viewOf = base.viewOf != null ? base.viewOf : base;
        return v;
    }

    /** The tensor this one is a view (a reshape) of, or null. */
    Tensor viewOf() {
        return viewOf;
    }

    /**
     * The version's value: 0 while none was made (nothing has written in place yet), so that saving
     * a tensor for a backward rule does not make one.
     */
    int versionValue() {
        Version v = version;
        return v == null ? 0 : v.value();
    }

    Version version() {
        Version v = version;
        if (v == null) {
            VERSION.compareAndSet(this, null, new Version()); // two readers that race agree on one
            v = version;
        }
        return v;
    }

    private static final java.lang.invoke.VarHandle VERSION;

    static {
        try {
            VERSION = java.lang.invoke.MethodHandles.lookup().findVarHandle(Tensor.class, "version", Version.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // ---------------------------------------------------------------- softmax, indexing and losses

    /**
     * {@code softmax(dim)}: {@code exp(x - max) / Σ exp(x - max)} along dim, stable for large
     * logits; a row of all -Inf, or holding +Inf or NaN, gives NaN, as PyTorch. One fused kernel
     * (one read of each row for its maximum and sum, one to write; no transposing copy for any dim),
     * and one for the gradient {@code y·(g - Σ g·y)}, which is not itself differentiable again.
     *
     * @throws DTypeMismatchException if this tensor is not float32
     * @throws IllegalArgumentException if dim is out of range
     */
    public Tensor softmax(int dim) {
        return Losses.softmax(this, dim);
    }

    /**
     * {@code log_softmax(dim)}: {@code x - max - log Σ exp(x - max)} along dim, stable for large
     * logits, fused as {@link #softmax(int)}; the gradient is {@code g - exp(y)·Σ g}.
     *
     * @throws DTypeMismatchException if this tensor is not float32
     * @throws IllegalArgumentException if dim is out of range
     */
    public Tensor logSoftmax(int dim) {
        return Losses.logSoftmax(this, dim);
    }

    /**
     * {@code index_select(dim, index)}: the slices of this float32 tensor at the int64 1-d
     * {@code index} along dim. The indices are read on the host to validate them (waits for pending
     * GPU work). Backward scatter-adds into zeros (repeated indices accumulate; on a GPU in no fixed
     * order, as PyTorch's on CUDA).
     *
     * @throws DTypeMismatchException if index is not int64
     * @throws IndexOutOfRangeException if an index is outside {@code [0, size(dim))}
     */
    public Tensor indexSelect(int dim, Tensor index) {
        return Indexing.indexSelect(this, dim, index);
    }

    /**
     * {@code gather(dim, index)}: {@code out[..i..] = this[..index[..i..]..]} along dim, index int64
     * of this tensor's rank and no larger in the other dims. Validated on the host as
     * {@link #indexSelect(int, Tensor)}; backward scatter-adds into zeros.
     *
     * @throws DTypeMismatchException if index is not int64
     * @throws IndexOutOfRangeException if an index is outside {@code [0, size(dim))}
     */
    public Tensor gather(int dim, Tensor index) {
        return Indexing.gather(this, dim, index);
    }

    /**
     * {@code scatter_add(dim, index, src)}, as {@code torch.scatter_add} (out of place): a copy of
     * this float32 tensor with each {@code src[..j..]} added at {@code index[..j..]} along dim
     * ({@code out[i][index[i][j]] += src[i][j]} for dim 1), repeated indices accumulating. The three
     * share a rank; the int64 index is no larger than src in any dimension and no larger than this
     * tensor but along dim (only index's extent of src is read). Indices are validated on the host as
     * {@link #indexSelect(int, Tensor)}'s. On a GPU the order of the additions into one element is not
     * fixed (atomic adds), so results may differ in the last bits between runs, as PyTorch's on CUDA.
     * Gradients: this tensor's is the output's, src's is the output's gathered at index.
     *
     * @throws DTypeMismatchException if index is not int64 or this tensor or src not float32
     * @throws ShapeMismatchException if the ranks differ or index is too large
     * @throws IndexOutOfRangeException if an index is outside {@code [0, size(dim))}
     */
    public Tensor scatterAdd(int dim, Tensor index, Tensor src) {
        return Indexing.scatterAdd(this, dim, index, src);
    }
}
