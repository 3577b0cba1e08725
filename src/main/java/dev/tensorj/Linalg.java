package dev.tensorj;

import dev.tensorj.backend.BinaryOp;

/** Matrix products: forward dispatch and backward rules. */
final class Linalg {
    private Linalg() {}

    /** {@code torch.matmul} for 1-d and 2-d operands. */
    static Tensor matmul(Tensor a, Tensor b) {
        DeviceBackend be = Dispatch.check("matmul", DTypes.FLOAT32, "input", a, "other", b);
        int[] as = a.shapeRef();
        int[] bs = b.shapeRef();
        if (as.length < 1 || as.length > 2 || bs.length < 1 || bs.length > 2) {
            throw new ShapeMismatchException("matmul", "expected 1-d or 2-d tensors, got " + Shapes.str(as)
                    + " and " + Shapes.str(bs), as, bs);
        }
        int k = as[as.length - 1];
        int kb = bs[0];
        if (k != kb) {
            throw new ShapeMismatchException("matmul", "cannot multiply " + Shapes.str(as) + " by " + Shapes.str(bs)
                    + ": inner dimensions " + k + " and " + kb + " differ", as, bs);
        }
        if (as.length == 2 && bs.length == 2) {
            return mm(be, a, b, false, false);
        }
        // 1-d operands: a row vector on the left, a column on the right; that dimension is dropped.
        Tensor a2 = as.length == 1 ? a.reshape(1, k) : a;
        Tensor b2 = bs.length == 1 ? b.reshape(k, 1) : b;
        Tensor c = mm(a2, b2, false, false);
        if (as.length == 1 && bs.length == 1) {
            return c.reshape();
        }
        return as.length == 1 ? c.reshape(c.size(1)) : c.reshape(c.size(0));
    }

    /**
     * {@code op(a)·op(b)} for 2-d tensors, {@code op} transposing when asked: the transposes are
     * handled by the kernel (cuBLAS flags), never by copies. Callers have checked the shapes.
     */
    static Tensor mm(Tensor a, Tensor b, boolean transA, boolean transB) {
        return mm(Dispatch.check("matmul", DTypes.FLOAT32, "input", a, "other", b), a, b, transA, transB);
    }

    private static Tensor mm(DeviceBackend be, Tensor a, Tensor b, boolean transA, boolean transB) {
        Tensor c = product(be, a, b, transA, transB);
        Autograd.record(c, "matmul", new Tensor[] {a, b}, new Tensor[] {a, b}, g -> new Tensor[] {
                a.requiresGrad() ? gradA(a, b, g, transA, transB) : null,
                b.requiresGrad() ? gradB(a, b, g, transA, transB) : null});
        return c;
    }

    /** A fresh {@code op(a)·op(b)}, nothing recorded. */
    private static Tensor product(DeviceBackend be, Tensor a, Tensor b, boolean transA, boolean transB) {
        int m = transA ? a.size(1) : a.size(0);
        int k = transA ? a.size(0) : a.size(1);
        int n = transB ? b.size(0) : b.size(1);
        Tensor c = Tensor.empty("matmul", be, new int[] {m, n});
        if (c.numel() > 0) {
            be.matmul(a.storage(), b.storage(), c.storage(), m, n, k, transA, transB);
        }
        return c;
    }

    // For C = op(A)·op(B): dop(A) = G·op(B)ᵀ and dop(B) = op(A)ᵀ·G, then undo op on each side.
    private static Tensor gradA(Tensor a, Tensor b, Tensor g, boolean transA, boolean transB) {
        if (!transA) {
            return mm(g, b, false, !transB);       // G·op(B)ᵀ
        }
        return mm(b, g, transB, true);            // (G·op(B)ᵀ)ᵀ = op(B)·Gᵀ
    }

    private static Tensor gradB(Tensor a, Tensor b, Tensor g, boolean transA, boolean transB) {
        if (!transB) {
            return mm(a, g, !transA, false);       // op(A)ᵀ·G
        }
        return mm(g, a, true, transA);            // (op(A)ᵀ·G)ᵀ = Gᵀ·op(A)
    }

    /**
     * {@code input·weightᵀ + bias} with PyTorch's layout (weight {@code [out, in]}, bias {@code [out]}),
     * checked as one op so that errors name the layer's roles.
     */
    static Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        DeviceBackend be = Dispatch.check("linear", DTypes.FLOAT32, "input", input, "weight", weight, Dispatch.optional("bias"), bias);
        int[] ws = weight.shapeRef();
        int[] xs = input.shapeRef();
        if (ws.length != 2) {
            throw new ShapeMismatchException("linear", "weight must be 2-d [out, in], got " + Shapes.str(ws), ws);
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != ws[0])) {
            throw new ShapeMismatchException("linear", "bias must be [" + ws[0] + "] for weight " + Shapes.str(ws)
                    + ", got " + Shapes.str(bias.shapeRef()), ws, bias.shapeRef());
        }
        if (xs.length < 1 || xs[xs.length - 1] != ws[1]) {
            throw new ShapeMismatchException("linear", "expected input with " + ws[1]
                    + " in-features (last dimension), got " + Shapes.str(xs), xs, ws);
        }
        // The rows are counted, not inferred: reshape(-1, 0) cannot infer them, and with no
        // in-features PyTorch still gives [..., out] (the bias, or zeros, broadcast).
        Tensor x2 = xs.length == 2 ? input : input.reshape(rows(xs), ws[1]);
        Tensor y = bias == null ? mm(be, x2, weight, false, true) : affine(be, x2, weight, bias);
        if (xs.length == 2) {
            return y;
        }
        int[] outShape = xs.clone();
        outShape[outShape.length - 1] = ws[0];
        return y.reshape(outShape);
    }

    /** The number of rows of an input {@code [..., in]} (1 for a 1-d input), as a matrix product's m. */
    private static int rows(int[] xs) {
        for (int i = 0; i < xs.length - 1; i++) {
            if (xs[i] == 0) { // no rows, however many the other dimensions would make
                return 0;
            }
        }
        long rows = 1;
        for (int i = 0; i < xs.length - 1; i++) {
            rows *= xs[i]; // both factors below 2^31: no overflow before the check
            if (rows > Integer.MAX_VALUE) {
                throw new ShapeMismatchException("linear", "input " + Shapes.str(xs) + " has more than "
                        + Integer.MAX_VALUE + " rows (all dimensions but the last), more than a matrix product takes",
                        xs);
            }
        }
        return (int) rows;
    }

    /**
     * {@code x·wᵀ + bias} as one op, PyTorch's {@code addmm}: the bias goes into the fresh product
     * in place, so a layer allocates one output instead of two and records one backward node.
     */
    private static Tensor affine(DeviceBackend be, Tensor x, Tensor w, Tensor bias) {
        Tensor y = product(be, x, w, false, true);
        int[] shape = y.shapeRef();
        if (y.numel() > 0) {
            be.binary(BinaryOp.ADD, y.storage(), bias.storage(), y.storage(), Shapes.plan(shape, bias.shapeRef(), shape));
        }
        Autograd.record(y, "linear", new Tensor[] {x, w, bias}, new Tensor[] {x, w}, g -> new Tensor[] {
                x.requiresGrad() ? mm(g, w, false, false) : null,                  // G·W
                w.requiresGrad() ? mm(g, x, true, false) : null,                   // Gᵀ·X
                bias.requiresGrad() ? Autograd.sumToShape(g, bias.shapeRef()) : null});
        return y;
    }
}
