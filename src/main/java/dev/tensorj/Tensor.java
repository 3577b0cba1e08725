package dev.tensorj;

import dev.tensorj.backend.BinaryOp;
import dev.tensorj.backend.Storage;
import dev.tensorj.backend.UnaryOp;
import java.util.Arrays;

/**
 * A float32 tensor on one {@link Device}. Every op runs on the device its operands live on and
 * returns a tensor there; operands on different devices are rejected with a
 * {@link DeviceMismatchException} before anything is computed. Data crosses devices only through
 * {@link #to(Device)}; only {@link #item()}, {@link #toFloatArray()} and {@code to(Device.CPU)}
 * wait for a GPU.
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
    static {
        TensorAccessImpl.install();
    }

    private final int[] shape;
    private final long numel;
    private Device device;    // changes only through setData
    private Storage storage;
    private boolean requiresGrad;
    private Tensor grad;
    private GradFn gradFn;
    private Version version;  // shared with the tensors that share this one's data
    private volatile boolean closed;

    Tensor(Device device, Storage storage, int[] shape) {
        this(device, storage, shape, new Version());
    }

    private Tensor(Device device, Storage storage, int[] shape, Version version) {
        this.storage = storage;
        this.device = device;
        this.version = version;
        this.shape = shape;
        this.numel = Shapes.numel("tensor", shape);
    }

    /**
     * A new, uninitialised tensor of {@code shape} on {@code backend}'s device, for {@code op}.
     *
     * @throws HostArrayLimitException for a cpu tensor too large for one {@code float[]}
     */
    static Tensor empty(String op, DeviceBackend backend, int[] shape) {
        long n = Shapes.numel(op, shape);
        if (backend.device().isCpu()) {
            HostArrayLimitException.check(op, n, shape, "a cpu tensor");
        }
        return new Tensor(backend.device(), backend.allocate(n), shape.clone());
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
        int[] s = shape.length == 0 ? new int[] {data.length} : shape.clone();
        if (Shapes.numel("of", s) != data.length) {
            throw new ShapeMismatchException("of", "shape " + Shapes.str(s) + " holds "
                    + Shapes.numel("of", s) + " elements but data has " + data.length, s);
        }
        return new Tensor(Device.CPU, Backends.of(Device.CPU).fromHost(data), s);
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
        Tensor t = empty("full", be, shape);
        be.fill(t.storage, value);
        return t;
    }

    /** Standard normal samples from the global generator ({@link #manualSeed}). */
    public static Tensor randn(int... shape) {
        return randn(Device.CPU, shape);
    }

    /** Standard normal samples, generated on the host and placed on {@code device}. */
    public static Tensor randn(Device device, int... shape) {
        return Random.create(device, shape, true);
    }

    /** Uniform samples in [0, 1) from the global generator. */
    public static Tensor rand(int... shape) {
        return rand(Device.CPU, shape);
    }

    /** Uniform samples in [0, 1), generated on the host and placed on {@code device}. */
    public static Tensor rand(Device device, int... shape) {
        return Random.create(device, shape, false);
    }

    /** Seeds the global generator behind {@code randn}, {@code rand} and layer initialisation. */
    public static void manualSeed(long seed) {
        Random.seed(seed);
    }

    // ---------------------------------------------------------------- properties

    public Device device() {
        return device;
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

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return closed;
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

    /** Copies {@code src} (of {@code shape}) into a new storage on {@code dst}'s device, through the host. */
    private static Storage transfer(Device from, Storage src, int[] shape, DeviceBackend dst) {
        if (dst.device().isMeta()) {
            return dst.allocate(src.numel());
        }
        if (from.isMeta()) {
            throw noData("to", shape, "copy it to " + dst.device());
        }
        int length = HostArrayLimitException.check("to", src.numel(), shape, "a copy from " + from
                + " to " + dst.device() + " (through the host)");
        float[] host = new float[length];
        Backends.of(from).toHost(src, host);
        return dst.fromHost(host);
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

    /**
     * Matrix product, as {@code torch.matmul} for 1-d and 2-d operands: {@code [m,k] @ [k,n] → [m,n]};
     * a 1-d left operand is a row, a 1-d right operand a column, and that dimension is dropped.
     *
     * @throws ShapeMismatchException if the inner dimensions differ or an operand is not 1-d or 2-d
     */
    public Tensor matmul(Tensor other) {
        return Linalg.matmul(this, other);
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
        Dispatch.check("clone", "input", this);
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
        Dispatch.nonNull(op, roleA, a);
        Dispatch.nonNull(op, roleB, b);
        Dispatch.checkSameDevice(op, roleA, a, roleB, b);
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
     * @throws ShapeMismatchException if {@code src} does not broadcast to this tensor's shape
     * @throws IllegalStateException if this is a leaf that requires grad and grad mode is on
     */
    public Tensor copy_(Tensor src) {
        return InPlace.copy(this, src);
    }

    // ---------------------------------------------------------------- autograd

    /**
     * Sets whether autograd records ops on this tensor and accumulates its gradient. Only leaves
     * (tensors not computed by a recorded op) can be changed.
     *
     * @return this tensor
     */
    public Tensor requiresGrad(boolean requires) {
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

    /** The accumulated gradient of a leaf after {@link #backward()}, or {@code null}. */
    public Tensor grad() {
        return grad;
    }

    /** Drops the accumulated gradient (what {@code Optimizer.zeroGrad()} does). */
    public void zeroGrad() {
        grad = null;
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
        if (!Arrays.equals(shape, source.shape)) {
            throw new ShapeMismatchException("setData", "source of shape " + Shapes.str(source.shape)
                    + " does not match the tensor's shape " + Shapes.str(shape), shape, source.shape);
        }
        Storage old;
        synchronized (this) { // against a concurrent close() releasing the storage being replaced
            checkOpen("setData", "self");
            source.storage.retain();
            old = storage;
            storage = source.storage;
            device = source.device;
        }
        old.release();
    }

    /**
     * Sets the gradient, as PyTorch's {@code t.grad = grad}: the next {@link #backward()}
     * accumulates onto it; {@code null} clears it. The tensor is kept as given, not copied.
     *
     * @throws DeviceMismatchException if {@code grad} is on another device than this tensor
     * @throws ShapeMismatchException if {@code grad} has another shape
     * @throws TensorClosedException if either tensor is closed
     */
    public void setGrad(Tensor grad) {
        if (grad == null) {
            this.grad = null;
            return;
        }
        Dispatch.checkSameDevice("setGrad", "tensor", this, "grad", grad);
        if (!Arrays.equals(shape, grad.shape)) {
            throw new ShapeMismatchException("setGrad", "grad of shape " + Shapes.str(grad.shape)
                    + " does not match the tensor's shape " + Shapes.str(shape), shape, grad.shape);
        }
        this.grad = grad;
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
        Dispatch.check("backward", "self", this, "gradient", gradient);
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
        return new Tensor(device, storage, shape.clone(), version);
    }

    // ---------------------------------------------------------------- reading values

    /**
     * The value of a one-element tensor. Waits for pending GPU work.
     *
     * @throws IllegalStateException if the tensor has more than one element
     * @throws MetaTensorReadException for a meta tensor
     */
    public float item() {
        checkOpen("item", "input");
        checkHasData("item", "read its value");
        if (numel != 1) {
            throw new IllegalStateException("item: a tensor with " + numel + " elements (shape " + Shapes.str(shape)
                    + ") cannot be converted to a scalar");
        }
        return toFloatArray()[0];
    }

    /**
     * A row-major copy of the values on the host. Waits for pending GPU work.
     *
     * @throws MetaTensorReadException for a meta tensor
     * @throws HostArrayLimitException for more elements than one {@code float[]} holds
     */
    public float[] toFloatArray() {
        checkOpen("toFloatArray", "input");
        checkHasData("toFloatArray", "read its values"); // before the host array: a large one would not fit
        float[] out = new float[HostArrayLimitException.check("toFloatArray", numel, shape, "a host copy")];
        Backends.of(device).toHost(storage, out);
        return out;
    }

    /** Frees the memory now (shared memory is freed when its last tensor closes). Idempotent. */
    @Override
    public void close() {
        Storage s;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            s = storage;
        }
        release(s);
    }

    /** Drops one reference to {@code s}; the last one frees it (and ends its leak tracking). */
    static void release(Storage s) {
        if (s.release()) {
            LeakTracker.freed(s);
        }
    }

    /** Shape and device; values only for small CPU tensors, so printing never waits for a GPU. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("tensor(");
        if (device.isCpu() && !closed && numel <= 16) {
            sb.append(Arrays.toString(toFloatArray())).append(", ");
        }
        sb.append("shape=").append(Shapes.str(shape)).append(", device=").append(device);
        if (gradFn != null) {
            sb.append(", gradFn=").append(gradFn);
        } else if (requiresGrad) {
            sb.append(", requiresGrad=true");
        }
        return sb.append(closed ? ", closed)" : ")").toString();
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
            grad = grad.add(g);
        } else if (exclusive) {
            grad = g;
        } else {
            DeviceBackend be = Dispatch.check("backward", g);
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

    /**
     * Makes this tensor's current place in the graph a new tensor sharing its data (a leaf when
     * this is one), so that an in-place op can put this tensor after it (PyTorch's rebase).
     */
    Tensor detachNode() {
        storage.retain();
        Tensor node = new Tensor(device, storage, shape.clone(), version);
        node.gradFn = gradFn;
        node.requiresGrad = requiresGrad;
        return node;
    }

    /** This tensor is now the output of the in-place {@code op} on {@code inputs}. */
    void rebase(String op, Tensor[] inputs, Tensor[] saved, GradFn.Rule rule) {
        gradFn = null;
        Autograd.record(this, op, inputs, saved, rule);
    }

    /** A new tensor holding a copy of this one's current values, outside the graph. */
    Tensor copyOfValues(String op) {
        DeviceBackend be = Backends.of(device);
        Tensor out = empty(op, be, shape);
        if (numel > 0) {
            be.copy(storage, out.storage);
        }
        return out;
    }

    /** Wraps a new storage holding {@code shape}'s data. */
    static Tensor wrap(Device device, Storage s, int[] shape) {
        return new Tensor(device, s, shape);
    }

    /** A tensor of {@code shape} sharing {@code base}'s data and version counter. */
    static Tensor view(Tensor base, int[] shape) {
        base.storage.retain();
        return new Tensor(base.device, base.storage, shape, base.version);
    }

    Version version() {
        return version;
    }
}
