package dev.tensorj;

import dev.tensorj.backend.BinaryOp;
import java.util.Arrays;

/**
 * In-place ops ({@code add_}, {@code copy_}, {@code clamp_}, ...) with PyTorch's autograd rules:
 * <ul>
 *   <li>writing into a leaf that requires grad, or into a view (a reshape) of a tensor that
 *       requires grad, is an error while grad mode is on (under {@link NoGrad}, as optimizers and
 *       initialisers do, it is allowed);</li>
 *   <li>every write bumps the tensor's {@link Version}, so a backward rule that saved the old
 *       values fails instead of computing a wrong gradient;</li>
 *   <li>when the op is recorded, the tensor takes a new place in the graph: its {@link GradFn} is
 *       made before the write (so it links to the node the tensor was, and remembers the versions
 *       of what it saves), and attached after it. Ops recorded earlier keep leading to the old node.</li>
 * </ul>
 */
final class InPlace {
    private InPlace() {}

    /** {@code self = self (kind) other}, {@code other} broadcast to self's shape. */
    static Tensor binary(String op, BinaryOp kind, Tensor self, Tensor other) {
        DeviceBackend be = Dispatch.check(op, DTypes.FLOAT32, "self", self, "other", other);
        int[] shape = self.shapeRef();
        checkBroadcastsInto(op, other, shape);
        checkWritable(op, self);
        GradFn fn = null;
        if (Autograd.needsGraph(self, other)) {
            boolean toSelf = self.requiresGrad();
            boolean toOther = other.requiresGrad();
            // d(self·other)/d(other) and d(self/other)/d(other) read self's old values: keep a copy.
            boolean readsSelf = toOther && (kind == BinaryOp.MUL || kind == BinaryOp.DIV);
            Tensor old = readsSelf ? self.copyOfValues(op) : null;
            Tensor[] saved = kind == BinaryOp.MUL || kind == BinaryOp.DIV ? new Tensor[] {other} : Autograd.NOTHING_SAVED;
            fn = new GradFn(op, self.device(), new Tensor[] {self, other}, saved,
                    g -> Elementwise.binaryGrads(kind, toSelf, old, toOther, other, null, g));
        }
        if (self.numel() > 0) {
            be.binary(kind, self.storage(), other.storage(), self.storage(), Shapes.plan(shape, other.shapeRef(), shape));
        }
        return written(op, self, fn);
    }

    /**
     * {@code self += alpha·other} (PyTorch's {@code add_(other, alpha=)}): one kernel when the
     * shapes are equal, as an optimizer's update needs, else a scaled copy of {@code other}.
     */
    static Tensor axpy(Tensor self, Tensor other, float alpha) {
        String op = "add_";
        DeviceBackend be = Dispatch.check(op, DTypes.FLOAT32, "self", self, "other", other);
        checkBroadcastsInto(op, other, self.shapeRef());
        checkWritable(op, self);
        if (!Arrays.equals(self.shapeRef(), other.shapeRef())) {
            Tensor scaled = other.mul(alpha);
            binary(op, BinaryOp.ADD, self, scaled);
            if (!scaled.requiresGrad()) {
                scaled.close(); // nothing recorded keeps it
            }
            return self;
        }
        GradFn fn = null;
        if (Autograd.needsGraph(self, other)) {
            boolean toOther = other.requiresGrad();
            fn = new GradFn(op, self.device(), new Tensor[] {self, other}, Autograd.NOTHING_SAVED,
                    g -> new Tensor[] {g, toOther ? g.mul(alpha) : null});
        }
        if (self.numel() > 0) {
            be.axpy(alpha, other.storage(), self.storage(), self.storage());
        }
        return written(op, self, fn);
    }

    /** {@code self = self (kind) scalar}. */
    static Tensor scalar(String op, BinaryOp kind, Tensor self, float s) {
        DeviceBackend be = Dispatch.check(op, DTypes.FLOAT32, "self", self);
        checkWritable(op, self);
        GradFn fn = null;
        if (Autograd.needsGraph(self)) { // add, sub, mul and div by a scalar read no values
            fn = new GradFn(op, self.device(), new Tensor[] {self}, Autograd.NOTHING_SAVED,
                    g -> new Tensor[] {Elementwise.scalarGrad(kind, null, s, null, g)});
        }
        if (self.numel() > 0) {
            be.binaryScalar(kind, self.storage(), s, self.storage());
        }
        return written(op, self, fn);
    }

    /**
     * {@code self = clamp(self, min, max)}, as {@code Math.min(Math.max(x, min), max)}: NaN stays
     * NaN, and with {@code min > max} every element becomes {@code max} (PyTorch's rule).
     */
    static Tensor clamp(Tensor self, float min, float max) {
        String op = "clamp_";
        DeviceBackend be = Dispatch.check(op, DTypes.FLOAT32, "self", self);
        checkWritable(op, self);
        GradFn fn = null;
        if (Autograd.needsGraph(self)) {
            Tensor inside; // judged on the old values, before the write
            try (NoGrad ignored = NoGrad.enter()) {
                inside = Clamp.inside(self, min, max);
            }
            fn = new GradFn(op, self.device(), new Tensor[] {self}, Autograd.NOTHING_SAVED,
                    g -> new Tensor[] {Clamp.passWhere(inside, g)});
        }
        if (self.numel() > 0) {
            Clamp.kernels(be, self.storage(), min, max, self.storage());
        }
        return written(op, self, fn);
    }

    /** {@code self = value} everywhere; cuts self from the graph (the result depends on nothing). */
    static Tensor fill(String op, Tensor self, float value) {
        DeviceBackend be = Dispatch.check(op, DTypes.FLOAT32, "self", self);
        checkWritable(op, self);
        GradFn fn = null;
        if (Autograd.needsGraph(self)) {
            fn = new GradFn(op, self.device(), new Tensor[] {self}, Autograd.NOTHING_SAVED, g -> new Tensor[] {null});
        }
        be.fill(self.storage(), value);
        return written(op, self, fn);
    }

    /**
     * {@code self = src}, {@code src} broadcast to self's shape. Both must be on one device: data
     * crosses devices only through {@code to(Device)}.
     */
    static Tensor copy(Tensor self, Tensor src) {
        String op = "copy_";
        DeviceBackend be = Dispatch.check(op, DTypes.FLOAT32, "self", self, "src", src);
        int[] shape = self.shapeRef();
        checkBroadcastsInto(op, src, shape);
        checkWritable(op, self);
        GradFn fn = null;
        if (Autograd.needsGraph(self, src)) {
            fn = new GradFn(op, self.device(), new Tensor[] {self, src}, Autograd.NOTHING_SAVED,
                    g -> new Tensor[] {null, g});
        }
        if (self.numel() > 0) {
            if (Arrays.equals(shape, src.shapeRef())) {
                be.copy(src.storage(), self.storage());
            } else {
                try (Tensor expanded = Reductions.expand(src, shape)) {
                    be.copy(expanded.storage(), self.storage());
                }
            }
        }
        return written(op, self, fn);
    }

    /** After the write: the new version, and self's new place in the graph when the op was recorded. */
    private static Tensor written(String op, Tensor self, GradFn fn) {
        self.version().bump(op);
        if (fn != null) {
            self.setGradFn(fn);
        }
        return self;
    }

    /** An in-place op keeps self's shape: {@code other} must broadcast to it. */
    private static void checkBroadcastsInto(String op, Tensor other, int[] shape) {
        if (Arrays.equals(shape, other.shapeRef())) {
            return; // the optimizers' case: no broadcast shape to make
        }
        int[] result = Shapes.broadcast(op, shape, other.shapeRef());
        if (!Arrays.equals(result, shape)) {
            throw new ShapeMismatchException(op, "cannot write the result of shape " + Shapes.str(result)
                    + " into self of shape " + Shapes.str(shape) + ": an in-place op keeps self's shape",
                    shape, other.shapeRef());
        }
    }

    /**
     * PyTorch's rules: a leaf that requires grad may be written only under no-grad; so may a view
     * of a tensor that requires grad (its base's graph would not see the write).
     */
    private static void checkWritable(String op, Tensor self) {
        if (!NoGrad.isGradEnabled()) {
            return;
        }
        if (self.isLeaf() && self.requiresGrad()) {
            throw new IllegalStateException(op + ": a leaf tensor that requires grad (shape " + Shapes.str(self.shapeRef())
                    + ") cannot be modified in place while autograd records: its gradient would be wrong. Wrap "
                    + "the update in try (var g = NoGrad.enter()) { ... }, as optimizers and initialisers do");
        }
        Tensor base = self.viewOf();
        if (base != null && (base.requiresGrad() || self.requiresGrad())) {
            throw new IllegalStateException(op + ": this tensor of shape " + Shapes.str(self.shapeRef())
                    + " is a view (a reshape) of a tensor of shape " + Shapes.str(base.shapeRef()) + " that requires "
                    + "grad, and an in-place op on a view is not recorded in its base's graph. Write into the base "
                    + "itself, or into a clone() of the view");
        }
    }
}
