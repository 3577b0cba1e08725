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
        DeviceBackend be = Dispatch.checkPromoting(op, "input", a, "other", b);
        int[] shape = Shapes.broadcast(op, a.shapeRef(), b.shapeRef());
        if (a.dtype() != b.dtype()) {
            return promoted(op, kind, be, a, b, shape);
        }
        Tensor out = compute(op, kind, be, a, b, shape);
        boolean toA = a.requiresGrad();
        boolean toB = b.requiresGrad();
        Autograd.record(out, op, new Tensor[] {a, b}, savedBy(kind, a, b), g -> binaryGrads(kind, toA, a, toB, b, g));
        return out;
    }

    /** The operands whose values the rule of {@code kind} reads: both for mul and div, none for add and sub. */
    private static Tensor[] savedBy(BinaryOp kind, Tensor a, Tensor b) {
        return kind == BinaryOp.MUL || kind == BinaryOp.DIV ? new Tensor[] {a, b} : Autograd.NOTHING_SAVED;
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
        // The converted operand cannot require grad: the rule sees it as a constant.
        boolean toA = fa.requiresGrad();
        boolean toB = fb.requiresGrad();
        Autograd.record(out, op, new Tensor[] {fa, fb}, savedBy(kind, fa, fb), g -> binaryGrads(kind, toA, fa, toB, fb, g));
        if (out.isLeaf()) {
            converted.close(); // nothing recorded keeps it: free it now rather than at the next collection
        }
        return out;
    }

    /**
     * The gradients of {@code a (kind) b} for each operand that needs one ({@code toA}, {@code toB},
     * as when the op ran); {@code a} and {@code b} give the values the rule reads (an in-place op
     * passes a copy of its old self). The one definition, for the ops and their in-place forms.
     */
    static Tensor[] binaryGrads(BinaryOp kind, boolean toA, Tensor a, boolean toB, Tensor b, Tensor g) {
        switch (kind) {
            case ADD: // d(a+b) = g, g
                return new Tensor[] {toA ? g : null, toB ? g : null};
            case SUB: // d(a-b) = g, -g
                return new Tensor[] {toA ? g : null, toB ? g.neg() : null};
            case MUL: // d(ab) = g·b, g·a
                return new Tensor[] {toA ? g.mul(b) : null, toB ? g.mul(a) : null};
            case DIV: // d(a/b) = g/b, -g·a/b²
                return new Tensor[] {toA ? g.div(b) : null, toB ? g.mul(a).div(b.mul(b)).neg() : null};
            default:
                throw new AssertionError(kind);
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

    static Tensor scalar(String op, BinaryOp kind, Tensor a, float s) {
        DeviceBackend be = Dispatch.check(op, DTypes.FLOAT32, a);
        Tensor out = Tensor.empty(op, be, a.shapeRef());
        if (out.numel() > 0) {
            be.binaryScalar(kind, a.storage(), s, out.storage());
        }
        Tensor[] saved = kind == BinaryOp.POW ? new Tensor[] {a} : Autograd.NOTHING_SAVED;
        Autograd.record(out, op, new Tensor[] {a}, saved, g -> new Tensor[] {scalarGrad(kind, a, s, g)});
        return out;
    }

    static Tensor scalarGrad(BinaryOp kind, Tensor a, float s, Tensor g) {
        switch (kind) {
            case ADD:
            case SUB:
                return g;
            case MUL:
                return g.mul(s);
            case DIV:
                return g.div(s);
            case POW: // d(a^s) = g·s·a^(s-1); for s = 0 zeros, as PyTorch, not 0·a^-1 (NaN at a = ±0)
                if (s == 0f) {
                    return Tensor.zeros(a.device(), a.shapeRef());
                }
                return s == 2f ? g.mul(a).mul(2f) : g.mul(a.pow(s - 1f).mul(s));
            default:
                throw new AssertionError(kind);
        }
    }

    static Tensor unary(String op, UnaryOp kind, Tensor a) {
        Tensor out = unaryKernel(op, kind, a);
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
                return g.div(a.add(1f));
            case EXPM1: // g·(out + 1)
                return g.mul(out.add(1f));
            case SQRT: // g/(2·out)
                return g.div(out.mul(2f));
            case RSQRT: // -0.5·g·out³
                return g.mul(out.pow(3f)).mul(-0.5f);
            case ABS: // g·sign(a): 0 at a = ±0, as PyTorch
                return g.mul(unaryKernel("abs_backward", UnaryOp.SIGN, a));
            case SIGN: // 0 everywhere
                return Tensor.zeros(a.device(), a.shapeRef());
            case TANH: // g·(1 - out²)
                return g.mul(oneMinus(out.mul(out)));
            case SIGMOID: // g·out·(1 - out)
                return g.mul(out.mul(oneMinus(out)));
            case SILU: { // g·s·(1 + a·(1 - s)), s = sigmoid(a)
                Tensor s = unaryKernel("silu_backward", UnaryOp.SIGMOID, a);
                return g.mul(s.mul(a.mul(oneMinus(s)).add(1f)));
            }
            case GELU: // g·(Φ(a) + a·φ(a))
                return g.mul(unaryKernel("gelu_backward", UnaryOp.GELU_GRAD, a));
            case GELU_TANH:
                return g.mul(unaryKernel("gelu_backward", UnaryOp.GELU_TANH_GRAD, a));
            case SIN: // g·cos(a)
                return g.mul(unaryKernel("sin_backward", UnaryOp.COS, a));
            case COS: // -g·sin(a)
                return g.mul(unaryKernel("cos_backward", UnaryOp.SIN, a)).neg();
            case RECIPROCAL: // -g·out²
                return g.mul(out.mul(out)).neg();
            default:
                throw new AssertionError(kind);
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

    /** {@code 1 - t} in one kernel. */
    private static Tensor oneMinus(Tensor t) {
        return scalar("rsub", BinaryOp.RSUB, t, 1f);
    }

    /** ReLU's gradient in one kernel: {@code a <= 0 ? 0 : g}. Not itself differentiable. */
    static Tensor reluBackward(Tensor a, Tensor g) {
        DeviceBackend be = Dispatch.check("relu_backward", DTypes.FLOAT32, "input", a, "grad", g);
        int[] shape = a.shapeRef();
        Tensor out = Tensor.empty("relu_backward", be, shape);
        if (out.numel() > 0) {
            be.binary(BinaryOp.RELU_BACKWARD, a.storage(), g.storage(), out.storage(), Shapes.plan(shape, shape, shape));
        }
        return out;
    }
}
