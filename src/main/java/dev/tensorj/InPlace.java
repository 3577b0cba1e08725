package dev.tensorj;

import dev.tensorj.backend.BinaryOp;
import java.util.Arrays;

/**
 * In-place ops ({@code add_}, {@code copy_}, {@code clamp_}, ...) with PyTorch's autograd rules:
 * <ul>
 *   <li>writing into a leaf that requires grad is an error while grad mode is on (under
 *       {@link NoGrad}, as optimizers and initialisers do, it is allowed);</li>
 *   <li>every write bumps the tensor's {@link Version}, so a backward rule that saved the old
 *       values fails instead of computing a wrong gradient;</li>
 *   <li>when the op is recorded, the tensor takes a new place in the graph: its old node moves to a
 *       shadow tensor (PyTorch's "rebase history"), and the in-place op's rule links the two.</li>
 * </ul>
 */
final class InPlace {
    private InPlace() {}

    /** {@code self = self (kind) other}, {@code other} broadcast to self's shape. */
    static Tensor binary(String op, BinaryOp kind, Tensor self, Tensor other) {
        DeviceBackend be = Dispatch.check(op, DTypes.FLOAT32, "self", self, "other", other);
        int[] shape = self.shapeRef();
        if (!Arrays.equals(Shapes.broadcast(op, shape, other.shapeRef()), shape)) {
            throw new ShapeMismatchException(op, "cannot write the result of shape "
                    + Shapes.str(Shapes.broadcast(op, shape, other.shapeRef())) + " into self of shape "
                    + Shapes.str(shape) + ": an in-place op keeps self's shape", shape, other.shapeRef());
        }
        checkWritable(op, self);
        boolean record = Autograd.needsGraph(self, other);
        // d(self·other)/d(other) and d(self/other)/d(other) read self's old values: keep a copy.
        boolean needsOld = record && other.requiresGrad() && (kind == BinaryOp.MUL || kind == BinaryOp.DIV);
        Tensor before = record ? self.detachNode() : null;
        Tensor old = needsOld ? self.copyOfValues(op) : null;
        if (self.numel() > 0) {
            be.binary(kind, self.storage(), other.storage(), self.storage(), Shapes.plan(shape, other.shapeRef(), shape));
        }
        self.version().bump(op);
        if (record) {
            Tensor[] saved = kind == BinaryOp.MUL || kind == BinaryOp.DIV ? new Tensor[] {other} : Autograd.NOTHING_SAVED;
            self.rebase(op, new Tensor[] {before, other}, saved, g -> binaryGrads(kind, before, old, other, g));
        }
        return self;
    }

    /**
     * {@code self += alpha·other} (PyTorch's {@code add_(other, alpha=)}): one kernel when the
     * shapes are equal, as an optimizer's update needs, else a scaled copy of {@code other}.
     */
    static Tensor axpy(Tensor self, Tensor other, float alpha) {
        String op = "add_";
        DeviceBackend be = Dispatch.check(op, DTypes.FLOAT32, "self", self, "other", other);
        if (!Arrays.equals(self.shapeRef(), other.shapeRef())) {
            Shapes.broadcast(op, self.shapeRef(), other.shapeRef()); // the shape error names add_
            return binary(op, BinaryOp.ADD, self, other.mul(alpha));
        }
        checkWritable(op, self);
        boolean record = Autograd.needsGraph(self, other);
        Tensor before = record ? self.detachNode() : null;
        if (self.numel() > 0) {
            be.axpy(alpha, other.storage(), self.storage(), self.storage());
        }
        self.version().bump(op);
        if (record) {
            self.rebase(op, new Tensor[] {before, other}, Autograd.NOTHING_SAVED,
                    g -> new Tensor[] {g, other.requiresGrad() ? g.mul(alpha) : null});
        }
        return self;
    }

    /** The gradients of {@code self (kind) other} for the old self ({@code before}, values {@code old}) and other. */
    private static Tensor[] binaryGrads(BinaryOp kind, Tensor before, Tensor old, Tensor other, Tensor g) {
        boolean toSelf = before.requiresGrad();
        boolean toOther = other.requiresGrad();
        switch (kind) {
            case ADD:
                return new Tensor[] {g, g};
            case SUB:
                return new Tensor[] {g, toOther ? g.neg() : null};
            case MUL: // g·other, g·self
                return new Tensor[] {toSelf ? g.mul(other) : null, toOther ? g.mul(old) : null};
            case DIV: // g/other, -g·self/other²
                return new Tensor[] {toSelf ? g.div(other) : null, toOther ? g.mul(old).div(other.mul(other)).neg() : null};
            default:
                throw new AssertionError(kind);
        }
    }

    /** {@code self = self (kind) scalar}. */
    static Tensor scalar(String op, BinaryOp kind, Tensor self, float s) {
        DeviceBackend be = Dispatch.check(op, DTypes.FLOAT32, "self", self);
        checkWritable(op, self);
        boolean record = Autograd.needsGraph(self);
        Tensor before = record ? self.detachNode() : null;
        if (self.numel() > 0) {
            be.binaryScalar(kind, self.storage(), s, self.storage());
        }
        self.version().bump(op);
        if (record) {
            self.rebase(op, new Tensor[] {before}, Autograd.NOTHING_SAVED,
                    g -> new Tensor[] {Elementwise.scalarGrad(kind, before, s, g)});
        }
        return self;
    }

    /**
     * {@code self = clamp(self, min, max)}, as {@code Math.min(Math.max(x, min), max)}: NaN stays
     * NaN, and with {@code min > max} every element becomes {@code max} (PyTorch's rule).
     */
    static Tensor clamp(Tensor self, float min, float max) {
        String op = "clamp_";
        DeviceBackend be = Dispatch.check(op, DTypes.FLOAT32, "self", self);
        checkWritable(op, self);
        boolean record = Autograd.needsGraph(self);
        // The gradient passes where min <= x <= max, read from the old values.
        Tensor before = record ? self.detachNode() : null;
        Tensor old = record ? self.copyOfValues(op) : null;
        if (self.numel() > 0) {
            be.binaryScalar(BinaryOp.MAXIMUM, self.storage(), min, self.storage());
            be.binaryScalar(BinaryOp.MINIMUM, self.storage(), max, self.storage());
        }
        self.version().bump(op);
        if (record) {
            self.rebase(op, new Tensor[] {before}, Autograd.NOTHING_SAVED,
                    g -> new Tensor[] {clampGrad(old, min, max, g)});
        }
        return self;
    }

    /**
     * {@code g} where {@code min <= x <= max}, else 0 (NaN x: 0), as PyTorch. Built from ReLU's
     * gradient, {@code x > 0 ? g : 0}: subtract g where {@code min - x > 0}, then where {@code x - max > 0}.
     */
    private static Tensor clampGrad(Tensor x, float min, float max, Tensor g) {
        Tensor aboveMin = g.sub(Elementwise.reluBackward(x.neg().add(min), g));
        return aboveMin.sub(Elementwise.reluBackward(x.sub(max), aboveMin));
    }

    /** {@code self = value} everywhere; cuts self from the graph (the result depends on nothing). */
    static Tensor fill(String op, Tensor self, float value) {
        DeviceBackend be = Dispatch.check(op, DTypes.FLOAT32, "self", self);
        checkWritable(op, self);
        boolean record = Autograd.needsGraph(self);
        Tensor before = record ? self.detachNode() : null;
        be.fill(self.storage(), value);
        self.version().bump(op);
        if (record) {
            self.rebase(op, new Tensor[] {before}, Autograd.NOTHING_SAVED, g -> new Tensor[] {null});
        }
        return self;
    }

    /**
     * {@code self = src}, {@code src} broadcast to self's shape. Both must be on one device: data
     * crosses devices only through {@code to(Device)}.
     */
    static Tensor copy(Tensor self, Tensor src) {
        String op = "copy_";
        DeviceBackend be = Dispatch.check(op, DTypes.FLOAT32, "self", self, "src", src);
        int[] shape = self.shapeRef();
        if (!Arrays.equals(Shapes.broadcast(op, shape, src.shapeRef()), shape)) {
            throw new ShapeMismatchException(op, "src of shape " + Shapes.str(src.shapeRef())
                    + " cannot be broadcast to self's shape " + Shapes.str(shape), shape, src.shapeRef());
        }
        checkWritable(op, self);
        boolean record = Autograd.needsGraph(self, src);
        Tensor before = record ? self.detachNode() : null;
        if (self.numel() > 0) {
            if (Arrays.equals(shape, src.shapeRef())) {
                be.copy(src.storage(), self.storage());
            } else {
                try (Tensor expanded = Reductions.expand(src, shape)) {
                    be.copy(expanded.storage(), self.storage());
                }
            }
        }
        self.version().bump(op);
        if (record) {
            self.rebase(op, new Tensor[] {before, src}, Autograd.NOTHING_SAVED, g -> new Tensor[] {null, g});
        }
        return self;
    }

    /** PyTorch's rule: a leaf that requires grad may be written only under no-grad. */
    private static void checkWritable(String op, Tensor self) {
        if (self.isLeaf() && self.requiresGrad() && NoGrad.isGradEnabled()) {
            throw new IllegalStateException(op + ": a leaf tensor that requires grad (shape " + Shapes.str(self.shapeRef())
                    + ") cannot be modified in place while autograd records: its gradient would be wrong. Wrap "
                    + "the update in try (var g = NoGrad.enter()) { ... }, as optimizers and initialisers do");
        }
    }
}
