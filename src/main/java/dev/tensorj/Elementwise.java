package dev.tensorj;

import dev.tensorj.backend.BinaryOp;
import dev.tensorj.backend.UnaryOp;

/** Elementwise ops: forward dispatch and backward rule side by side. */
final class Elementwise {
    private Elementwise() {}

    /**
     * {@code a op b}, broadcasting. Two float32 tensors, or (PyTorch's type promotion) a float32
     * tensor with an int64 or bool one, which is converted to float32 first: the op then computes in
     * float32 and the gradient flows to the float32 operand only.
     */
    static Tensor binary(String op, BinaryOp kind, Tensor a, Tensor b) {
        return binary(op, kind, a, "other", b);
    }

    /** As above, {@code roleB} naming {@code b} in errors (PyTorch's argument name: "exponent" for pow). */
    static Tensor binary(String op, BinaryOp kind, Tensor a, String roleB, Tensor b) {
        DeviceBackend be = Dispatch.checkPromoting(op, "input", a, roleB, b);
        int[] shape = Shapes.broadcast(op, a.shapeRef(), b.shapeRef());
        if (a.dtype() != b.dtype()) {
            return promoted(op, kind, be, a, b, shape);
        }
        Tensor out = compute(op, kind, be, a, b, shape);
        record(op, kind, a, b, out);
        return out;
    }

    private static void record(String op, BinaryOp kind, Tensor a, Tensor b, Tensor out) {
        if (!Autograd.needsGraph(a, b)) {
            return; // nothing recorded (a backward's products): no arrays nor rule to build
        }
        boolean toA = a.requiresGrad();
        boolean toB = b.requiresGrad();
        Autograd.record(out, op, new Tensor[] {a, b}, savedBy(kind, a, b, out),
                g -> binaryGrads(kind, toA, a, toB, b, out, g));
    }

    /** The tensors whose values the rule of {@code kind} reads: none for add and sub, the output too for pow. */
    private static Tensor[] savedBy(BinaryOp kind, Tensor a, Tensor b, Tensor out) {
        switch (kind) {
            case ADD:
            case SUB:
                return Autograd.NOTHING_SAVED;
            case POW:
                return new Tensor[] {a, b, out};
            default:
                return new Tensor[] {a, b};
        }
    }

    private static Tensor compute(String op, BinaryOp kind, DeviceBackend be, Tensor a, Tensor b, int[] shape) {
        Tensor out = Tensor.empty(op, be, shape);
        if (out.numel() > 0) {
            be.binary(kind, a.storage(), b.storage(), out.storage(), Shapes.plan(a.shapeRef(), b.shapeRef(), shape));
        }
        return out;
    }

    /** One float32 operand and one int64 or bool operand (checked by Dispatch): convert, then compute. */
    private static Tensor promoted(String op, BinaryOp kind, DeviceBackend be, Tensor a, Tensor b, int[] shape) {
        Tensor fa = a.to(DType.FLOAT32); // one of the two is the operand itself
        Tensor fb = b.to(DType.FLOAT32);
        Tensor converted = fa != a ? fa : fb;
        Tensor out = compute(op, kind, be, fa, fb, shape);
        record(op, kind, fa, fb, out); // the converted operand cannot require grad: the rule sees a constant
        // Ours alone: free it now rather than at the next collection. When the node saved it, the
        // close completes once that node's backward has run (Tensor.holdForGraph).
        converted.close();
        return out;
    }

    /**
     * The gradients of {@code a (kind) b} for each operand that needs one ({@code toA}, {@code toB},
     * as when the op ran); {@code a} and {@code b} give the values the rule reads (an in-place op
     * passes a copy of its old self), {@code out} the result (read by pow's rule only: the in-place
     * forms, add to div, pass null). The one definition, for the ops and their in-place forms.
     */
    static Tensor[] binaryGrads(BinaryOp kind, boolean toA, Tensor a, boolean toB, Tensor b, Tensor out, Tensor g) {
        switch (kind) {
            case ADD: // d(a+b) = g, g
                return new Tensor[] {toA ? g : null, toB ? g : null};
            case SUB: // d(a-b) = g, -g
                return new Tensor[] {toA ? g : null, toB ? g.neg() : null};
            case MUL: // d(ab) = g·b, g·a
                return new Tensor[] {toA ? g.mul(b) : null, toB ? g.mul(a) : null};
            case DIV: // d(a/b) = g/b, -g·a/b²
                return new Tensor[] {toA ? g.div(b) : null, toB ? g.mul(a).div(b.mul(b)).neg() : null};
            case POW:
                return new Tensor[] {toA ? powBaseGrad(a, b, g) : null, toB ? powExponentGrad(a, b, out, g) : null};
            case MAXIMUM: // the larger operand takes g, ties split it (PyTorch); a NaN passes g to both
                return extremumGrads(toA, a, toB, b, g, false);
            case MINIMUM:
                return extremumGrads(toA, a, toB, b, g, true);
            default:
                throw new AssertionError(kind);
        }
    }

    /** PyTorch's pow_backward_self: {@code g·b·a^(b-1)}, and 0 where {@code b == 0} (a select: not NaN at a = 0). */
    private static Tensor powBaseGrad(Tensor a, Tensor b, Tensor g) {
        try (Tensor bMinus1 = b.sub(1f); Tensor p = a.pow(bMinus1); Tensor d = b.mul(p); Tensor gd = g.mul(d);
             Tensor zeroB = b.eq(0f)) {
            return zeroOrElse(zeroB, gd);
        }
    }

    /**
     * PyTorch's pow_backward_exponent: {@code g·a^b·ln a}, the factor 0 where {@code a == 0} and
     * {@code b >= 0} (the limit as b falls to 0, not 0·(-inf)); elsewhere at a = 0 it is
     * {@code a^b·(-inf)}, and NaN for a negative a.
     */
    private static Tensor powExponentGrad(Tensor a, Tensor b, Tensor out, Tensor g) {
        try (Tensor ln = a.log(); Tensor d = out.mul(ln); Tensor aZero = a.eq(0f); Tensor bNonNeg = b.ge(0f);
             Tensor both = aZero.logicalAnd(bNonNeg); Tensor masked = zeroOrElse(both, d)) {
            return g.mul(masked);
        }
    }

    /**
     * PyTorch's rule for maximum ({@code minimum} false) and minimum: {@code where(a == b, g/2, g)},
     * then 0 for the operand that lost ({@code a < b} for a in maximum, {@code a > b} in minimum).
     */
    private static Tensor[] extremumGrads(boolean toA, Tensor a, boolean toB, Tensor b, Tensor g, boolean minimum) {
        try (Tensor tie = a.eq(b); Tensor half = g.div(2f); Tensor shared = Comparisons.where(tie, half, g)) {
            Tensor ga = null;
            Tensor gb = null;
            if (toA) {
                try (Tensor aLost = minimum ? a.gt(b) : a.lt(b)) {
                    ga = zeroOrElse(aLost, shared);
                }
            }
            if (toB) {
                try (Tensor bLost = minimum ? a.lt(b) : a.gt(b)) {
                    gb = zeroOrElse(bLost, shared);
                }
            }
            return new Tensor[] {ga, gb};
        }
    }

    /** {@code cond ? 0 : t}, broadcast. */
    static Tensor zeroOrElse(Tensor cond, Tensor t) {
        try (Tensor zero = Tensor.zeros(t.device())) {
            return Comparisons.where(cond, zero, t);
        }
    }

    /**
     * {@code y + alpha·x} (PyTorch's {@code add(other, alpha=)}): one kernel when the shapes are
     * equal, else a scaled copy of {@code x} broadcast in an add.
     */
    static Tensor axpy(Tensor y, Tensor x, float alpha) {
        DeviceBackend be = Dispatch.check("add", DTypes.FLOAT32, "input", y, "other", x);
        if (!java.util.Arrays.equals(y.shapeRef(), x.shapeRef())) {
            return y.add(x.mul(alpha));
        }
        Tensor out = Tensor.empty("add", be, y.shapeRef());
        if (out.numel() > 0) {
            be.axpy(alpha, x.storage(), y.storage(), out.storage());
        }
        Autograd.record(out, "add", new Tensor[] {y, x}, Autograd.NOTHING_SAVED,
                g -> new Tensor[] {g, x.requiresGrad() ? g.mul(alpha) : null});
        return out;
    }

    /** {@code a (kind) s}; for {@code RPOW} (a scalar base) the tensor is the exponent, and errors name it so. */
    static Tensor scalar(String op, BinaryOp kind, Tensor a, float s) {
        DeviceBackend be = Dispatch.check(op, DTypes.FLOAT32, kind == BinaryOp.RPOW ? "exponent" : "input", a);
        Tensor out = Tensor.empty(op, be, a.shapeRef());
        if (out.numel() > 0) {
            be.binaryScalar(kind, a.storage(), s, out.storage());
        }
        if (!Autograd.needsGraph(a)) {
            return out; // nothing recorded (a backward's scalings): no arrays nor rule to build
        }
        Tensor[] saved = kind == BinaryOp.POW || kind == BinaryOp.RDIV ? new Tensor[] {a}
                : kind == BinaryOp.RPOW ? new Tensor[] {a, out} : Autograd.NOTHING_SAVED;
        Autograd.record(out, op, new Tensor[] {a}, saved, g -> new Tensor[] {scalarGrad(kind, a, s, out, g)});
        return out;
    }

    /**
     * The gradient of {@code a (kind) s} for a scalar {@code s}; {@code a} and {@code out} (the
     * result) are read by pow, rdiv and rpow only: the in-place forms, add to div, pass null.
     */
    static Tensor scalarGrad(BinaryOp kind, Tensor a, float s, Tensor out, Tensor g) {
        switch (kind) {
            case ADD:
            case SUB:
                return g;
            case RSUB: // d(s - a) = -g
                return g.neg();
            case MUL:
                return g.mul(s);
            case DIV:
                return g.div(s);
            case RDIV: // d(s/a) = -g·s/a², as div's rule for its divisor
                try (Tensor gs = g.mul(s); Tensor a2 = a.mul(a); Tensor q = gs.div(a2)) {
                    return q.neg();
                }
            case RPOW: // d(s^a) = g·s^a·ln s (PyTorch's pow_backward_exponent with a scalar base)
                return rpowGrad(a, s, out, g);
            case POW: // d(a^s) = g·s·a^(s-1); for s = 0 zeros, as PyTorch, not 0·a^-1 (NaN at a = ±0)
                if (s == 0f) {
                    return Tensor.zeros(a.device(), a.shapeRef());
                }
                return s == 2f ? g.mul(a).mul(2f) : g.mul(a.pow(s - 1f).mul(s));
            default:
                throw new AssertionError(kind);
        }
    }

    /**
     * {@code g·out·ln s} for the exponent {@code e}; for {@code s = ±0} the factor is 0 where
     * {@code e >= 0}, as PyTorch ({@code ln 0 = -inf}, so elsewhere it is {@code ±inf}).
     */
    private static Tensor rpowGrad(Tensor e, float s, Tensor out, Tensor g) {
        float ln = (float) Math.log(s); // NaN for a negative base, as PyTorch's real log
        if (s != 0f) {
            try (Tensor d = out.mul(ln)) {
                return g.mul(d);
            }
        }
        try (Tensor d = out.mul(ln); Tensor nonNeg = e.ge(0f); Tensor masked = zeroOrElse(nonNeg, d)) {
            return g.mul(masked);
        }
    }

    static Tensor unary(String op, UnaryOp kind, Tensor a) {
        Tensor out = unaryKernel(op, kind, a);
        if (!Autograd.needsGraph(a)) {
            return out; // nothing recorded: no arrays nor rule to build
        }
        Tensor[] saved = savedBy(kind, a, out);
        Autograd.record(out, op, new Tensor[] {a}, saved, g -> new Tensor[] {unaryGrad(kind, a, out, g)});
        return out;
    }

    /** {@code kind(a)} in one kernel, outside the graph. */
    private static Tensor unaryKernel(String op, UnaryOp kind, Tensor a) {
        DeviceBackend be = Dispatch.check(op, DTypes.FLOAT32, a);
        Tensor out = Tensor.empty(op, be, a.shapeRef());
        if (out.numel() > 0) {
            be.unary(kind, a.storage(), out.storage());
        }
        return out;
    }

    /** The tensors whose values the rule of {@code kind} reads: the input, the output, or neither. */
    private static Tensor[] savedBy(UnaryOp kind, Tensor a, Tensor out) {
        switch (kind) {
            case NEG:
            case SIGN:
                return Autograd.NOTHING_SAVED;
            case EXP:
            case EXPM1:
            case SQRT:
            case RSQRT:
            case TANH:
            case SIGMOID:
            case RECIPROCAL:
                return new Tensor[] {out};
            default:
                return new Tensor[] {a};
        }
    }

    /** The gradient of {@code out = kind(a)}, PyTorch's formulas (derivatives.yaml). */
    private static Tensor unaryGrad(UnaryOp kind, Tensor a, Tensor out, Tensor g) {
        switch (kind) {
            case NEG:
                return g.neg();
            case RELU: // PyTorch's threshold_backward: 0 where a <= 0 (a == 0 included), else g (a NaN passes g)
                return reluBackward(a, g);
            case EXP: // g·out
                return g.mul(out);
            case LOG: // g/a
                return g.div(a);
            case LOG1P: // g/(1 + a)
                return dividedBy(g, a.add(1f));
            case EXPM1: // g·(out + 1)
                return times(g, out.add(1f));
            case SQRT: // g/(2·out)
                return dividedBy(g, out.mul(2f));
            case RSQRT: { // -0.5·g·out³
                Tensor gCubed = times(g, out.pow(3f));
                try {
                    return gCubed.mul(-0.5f);
                } finally {
                    gCubed.close();
                }
            }
            case ABS: // g·sign(a): 0 at a = ±0, as PyTorch
                return times(g, unaryKernel("abs_backward", UnaryOp.SIGN, a));
            case SIGN: // 0 everywhere
                return Tensor.zeros(a.device(), a.shapeRef());
            // The activations' rules are one fused kernel each (no temporaries). Backward runs under
            // no-grad and builds no graph (tensorj has no create_graph), so nothing differentiates them.
            case TANH: // g·(1 - out²)
                return fusedBackward("tanh_backward", BinaryOp.TANH_BACKWARD, out, g);
            case SIGMOID: // g·out·(1 - out)
                return fusedBackward("sigmoid_backward", BinaryOp.SIGMOID_BACKWARD, out, g);
            case SILU: // g·s·(1 + a·(1 - s)), s = sigmoid(a)
                return fusedBackward("silu_backward", BinaryOp.SILU_BACKWARD, a, g);
            case GELU: // g·(Φ(a) + a·φ(a))
                return fusedBackward("gelu_backward", BinaryOp.GELU_BACKWARD, a, g);
            case GELU_TANH:
                return fusedBackward("gelu_backward", BinaryOp.GELU_TANH_BACKWARD, a, g);
            case SIN: // g·cos(a)
                return times(g, unaryKernel("sin_backward", UnaryOp.COS, a));
            case COS: // -g·sin(a)
                return negated(times(g, unaryKernel("cos_backward", UnaryOp.SIN, a)));
            case RECIPROCAL: // -g·out²
                return negated(times(g, out.mul(out)));
            default:
                throw new AssertionError(kind);
        }
    }

    // A rule's own temporaries are closed as soon as they are used, so that their memory goes back
    // to the pool (or the CUDA allocator) at once, not at the next collection. The results are the
    // same ops on the same values as before, bit for bit.

    /** {@code g·temp}, closing {@code temp}. */
    private static Tensor times(Tensor g, Tensor temp) {
        try {
            return g.mul(temp);
        } finally {
            temp.close();
        }
    }

    /** {@code g/temp}, closing {@code temp}. */
    private static Tensor dividedBy(Tensor g, Tensor temp) {
        try {
            return g.div(temp);
        } finally {
            temp.close();
        }
    }

    /** {@code -temp}, closing {@code temp}. */
    private static Tensor negated(Tensor temp) {
        try {
            return temp.neg();
        } finally {
            temp.close();
        }
    }

    /** The op of GELU's {@code approximate=} argument, "none" or "tanh" (PyTorch's names). */
    static UnaryOp geluKind(String approximate) {
        java.util.Objects.requireNonNull(approximate, "gelu: approximate is null");
        switch (approximate) {
            case "none":
                return UnaryOp.GELU;
            case "tanh":
                return UnaryOp.GELU_TANH;
            default:
                throw new IllegalArgumentException("gelu: approximate must be \"none\" or \"tanh\", not \""
                        + approximate + "\"");
        }
    }

    /** ReLU's gradient in one kernel: {@code a <= 0 ? 0 : g}. Not itself differentiable. */
    static Tensor reluBackward(Tensor a, Tensor g) {
        return fusedBackward("relu_backward", BinaryOp.RELU_BACKWARD, a, g);
    }

    /**
     * A fused backward rule {@code kind(saved, g)} in one kernel ({@link BinaryOp}'s {@code *_BACKWARD}
     * ops), {@code saved} being the input or output the rule reads, of g's shape. Not itself
     * differentiable: it records nothing.
     */
    private static Tensor fusedBackward(String op, BinaryOp kind, Tensor saved, Tensor g) {
        String role = kind == BinaryOp.SIGMOID_BACKWARD || kind == BinaryOp.TANH_BACKWARD ? "output" : "input";
        DeviceBackend be = Dispatch.check(op, DTypes.FLOAT32, role, saved, "grad", g);
        int[] shape = saved.shapeRef();
        Tensor out = Tensor.empty(op, be, shape);
        if (out.numel() > 0) {
            be.binary(kind, saved.storage(), g.storage(), out.storage(), Shapes.plan(shape, shape, shape));
        }
        return out;
    }
}
