package dev.tensorj;

import dev.tensorj.backend.CompareOp;
import java.util.Arrays;

/**
 * Comparisons, logical ops, NaN/Inf tests (all giving bool tensors, outside the autograd graph, as
 * in PyTorch), and the differentiable select {@code where} with {@code masked_fill} built on it.
 *
 * <p>Dtypes, as PyTorch promotes them: two operands of one dtype compare in it (float32, int64 or
 * bool, where {@code false < true}); a float32 operand with an int64 or bool one compares in
 * float32; int64 with bool in int64. A float scalar compares with a float32 tensor in float32,
 * with an int64 tensor exactly in int64 when the scalar is a whole number in int64's range (else in
 * float32), and with a bool tensor in float32 (as 0 and 1). Logical ops take any dtypes (nonzero,
 * NaN included, is true).
 */
final class Comparisons {
    private Comparisons() {}

    private static final int[] SCALAR = new int[0];

    /** {@code a op b}, broadcasting, bool out. */
    static Tensor compare(String op, CompareOp kind, Tensor a, Tensor b) {
        DeviceBackend be = Dispatch.check(op, DTypes.ANY, "input", a, "other", b);
        int[] shape = Shapes.broadcast(op, a.shapeRef(), b.shapeRef());
        DType common = a.dtype() == b.dtype() ? a.dtype()
                : a.dtype() == DType.FLOAT32 || b.dtype() == DType.FLOAT32 ? DType.FLOAT32 : DType.INT64;
        Tensor ca = a.to(common);
        Tensor cb = b.to(common);
        try {
            return run(op, kind, be, ca, cb, shape);
        } finally {
            closeIfNew(ca, a);
            closeIfNew(cb, b);
        }
    }

    /** {@code a op s}, bool out: a 0-d tensor of the comparison's dtype on a's device, broadcast. */
    static Tensor compareScalar(String op, CompareOp kind, Tensor a, float s) {
        DeviceBackend be = Dispatch.check(op, DTypes.ANY, a);
        boolean exactLong = a.dtype() == DType.INT64 && s == Math.rint(s) && Math.abs(s) < 0x1p63f;
        Tensor ca = exactLong ? a : a.to(DType.FLOAT32);
        Tensor cs = Tensor.empty(op, be, ca.dtype(), SCALAR);
        if (exactLong) {
            be.fill(cs.storage(), (long) s);
        } else {
            be.fill(cs.storage(), s);
        }
        try {
            return run(op, kind, be, ca, cs, a.shapeRef());
        } finally {
            closeIfNew(ca, a);
            cs.close();
        }
    }

    /** {@code logical_and} and {@code logical_or}: any dtypes, nonzero is true. */
    static Tensor logical(String op, CompareOp kind, Tensor a, Tensor b) {
        DeviceBackend be = Dispatch.check(op, DTypes.ANY, "input", a, "other", b);
        int[] shape = Shapes.broadcast(op, a.shapeRef(), b.shapeRef());
        Tensor ba = a.to(DType.BOOL);
        Tensor bb = b.to(DType.BOOL);
        try {
            return run(op, kind, be, ba, bb, shape);
        } finally {
            closeIfNew(ba, a);
            closeIfNew(bb, b);
        }
    }

    /** {@code logical_not}: {@code x == 0} (NaN is true, so its negation false), bool out. */
    static Tensor logicalNot(Tensor a) {
        String op = "logical_not";
        DeviceBackend be = Dispatch.check(op, DTypes.ANY, a);
        Tensor ba = a.to(DType.BOOL);
        Tensor no = Tensor.empty(op, be, DType.BOOL, SCALAR);
        be.fill(no.storage(), false);
        try {
            return run(op, CompareOp.EQ, be, ba, no, a.shapeRef());
        } finally {
            closeIfNew(ba, a);
            no.close();
        }
    }

    /** {@code isnan}: {@code x != x}. */
    static Tensor isnan(Tensor a) {
        DeviceBackend be = Dispatch.check("isnan", DTypes.FLOAT32, a);
        return run("isnan", CompareOp.NE, be, a, a, a.shapeRef());
    }

    /** {@code isinf}: {@code x == +Inf or x == -Inf}. */
    static Tensor isinf(Tensor a) {
        String op = "isinf";
        DeviceBackend be = Dispatch.check(op, DTypes.FLOAT32, a);
        Tensor inf = Tensor.empty(op, be, SCALAR);
        be.fill(inf.storage(), Float.POSITIVE_INFINITY);
        Tensor negInf = Tensor.empty(op, be, SCALAR);
        be.fill(negInf.storage(), Float.NEGATIVE_INFINITY);
        Tensor pos = run(op, CompareOp.EQ, be, a, inf, a.shapeRef());
        Tensor neg = run(op, CompareOp.EQ, be, a, negInf, a.shapeRef());
        try {
            return run(op, CompareOp.OR, be, pos, neg, a.shapeRef());
        } finally {
            inf.close();
            negInf.close();
            pos.close();
            neg.close();
        }
    }

    /** Runs the kernel: operands of one dtype, each broadcastable to {@code shape}. */
    private static Tensor run(String op, CompareOp kind, DeviceBackend be, Tensor a, Tensor b, int[] shape) {
        Tensor out = Tensor.empty(op, be, DType.BOOL, shape);
        if (out.numel() > 0) {
            be.compare(kind, a.storage(), b.storage(), out.storage(), Shapes.plan(a.shapeRef(), b.shapeRef(), shape));
        }
        return out;
    }

    private static void closeIfNew(Tensor converted, Tensor original) {
        if (converted != original) {
            converted.close();
        }
    }

    /**
     * {@code torch.where(cond, a, b)}: {@code cond ? a : b}, the three broadcast together; cond bool,
     * a and b float32. The gradient flows to a where cond holds and to b elsewhere (each a
     * {@code where} with a zero), none to cond.
     */
    static Tensor where(Tensor cond, Tensor a, Tensor b) {
        return where("where", "condition", cond, "input", a, "other", b);
    }

    private static Tensor where(String op, String condRole, Tensor cond, String roleA, Tensor a, String roleB, Tensor b) {
        Device device = Dispatch.sameDevice(op, condRole, cond, roleA, a, roleB, b);
        Dispatch.checkDType(op, DType.BOOL.bit, condRole, cond, null);
        Dispatch.checkDType(op, DTypes.FLOAT32, roleA, a, null);
        Dispatch.checkDType(op, DTypes.FLOAT32, roleB, b, null);
        return checkedWhere(op, Backends.forOp(device), cond, a, b);
    }

    /** {@link #where} once its operands are checked (on {@code be}'s device, of the right dtypes). */
    private static Tensor checkedWhere(String op, DeviceBackend be, Tensor cond, Tensor a, Tensor b) {
        int[] shape = Shapes.broadcast(op, Shapes.broadcast(op, cond.shapeRef(), a.shapeRef()), b.shapeRef());
        Tensor out = select(op, be, cond, a, b, shape);
        boolean toA = a.requiresGrad();
        boolean toB = b.requiresGrad();
        Autograd.record(out, op, new Tensor[] {a, b}, new Tensor[] {cond}, g -> {
            Tensor zero = Tensor.zeros(g.device());
            try {
                return new Tensor[] {
                    toA ? where(cond, g, zero) : null,
                    toB ? where(cond, zero, g) : null};
            } finally {
                zero.close();
            }
        });
        return out;
    }

    /**
     * The kernel call: cond is first broadcast to the output's shape (by {@code cond AND cond} over
     * a plan, the one comparison kernel) unless it has that shape; a and b broadcast in the plan.
     */
    private static Tensor select(String op, DeviceBackend be, Tensor cond, Tensor a, Tensor b, int[] shape) {
        Tensor out = Tensor.empty(op, be, shape);
        if (out.numel() == 0) {
            return out;
        }
        Tensor c = Arrays.equals(cond.shapeRef(), shape) ? cond
                : run(op, CompareOp.AND, be, cond, cond, shape);
        try {
            be.where(c.storage(), a.storage(), b.storage(), out.storage(), Shapes.plan(a.shapeRef(), b.shapeRef(), shape));
        } finally {
            closeIfNew(c, cond);
        }
        return out;
    }

    /**
     * {@code self.masked_fill(mask, value)}: {@code value} where mask holds, else self; mask bool,
     * broadcast to self's shape; self float32. The gradient passes to self where mask is false.
     */
    static Tensor maskedFill(Tensor self, Tensor mask, float value) {
        String op = "masked_fill";
        Device device = Dispatch.sameDevice(op, "input", self, "mask", mask);
        Dispatch.checkDType(op, DTypes.FLOAT32, "input", self, null);
        Dispatch.checkDType(op, DType.BOOL.bit, "mask", mask, null);
        DeviceBackend be = Backends.forOp(device);
        int[] shape = Shapes.broadcast(op, mask.shapeRef(), self.shapeRef());
        if (!Arrays.equals(shape, self.shapeRef())) {
            throw new ShapeMismatchException(op, "mask " + Shapes.str(mask.shapeRef()) + " cannot be broadcast to "
                    + "input's shape " + Shapes.str(self.shapeRef()), mask.shapeRef(), self.shapeRef());
        }
        Tensor fill = Tensor.empty(op, be, SCALAR);
        be.fill(fill.storage(), value);
        try {
            return checkedWhere(op, be, mask, fill, self); // one op counted, as for every op
        } finally {
            fill.close(); // the graph does not keep it: it never requires grad, and the rule reads only mask
        }
    }
}
