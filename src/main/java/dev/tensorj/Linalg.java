package dev.tensorj;

import dev.tensorj.backend.BinaryOp;
import dev.tensorj.backend.UnaryOp;
import java.util.Arrays;

/** Matrix products: forward dispatch and backward rules. */
final class Linalg {
    private Linalg() {}

    /**
     * {@code torch.matmul}: 1-d operands promoted (a row on the left, a column on the right, that
     * dimension dropped from the result), the dimensions before the last two broadcast as batch
     * dimensions. A right operand holding one matrix ({@code [..., m, k] @ [k, n]}) folds the batch
     * into {@code m}: one plain product, as PyTorch. Otherwise one batched product, where an
     * operand whose batch dimensions are all 1 is reused for every matrix (stride 0) and only one
     * broadcast along some batch dimensions but not all is expanded (copied) first.
     */
    static Tensor matmul(Tensor a, Tensor b) {
        DeviceBackend be = Dispatch.check("matmul", DTypes.FLOAT32, "input", a, "other", b);
        int[] as = a.shapeRef();
        int[] bs = b.shapeRef();
        if (as.length == 0 || bs.length == 0) {
            throw new ShapeMismatchException("matmul", "both operands need at least 1 dimension, got "
                    + Shapes.str(as) + " and " + Shapes.str(bs), as, bs);
        }
        int k = as[as.length - 1];
        int kb = bs[Math.max(0, bs.length - 2)];
        if (k != kb) {
            throw new ShapeMismatchException("matmul", "cannot multiply " + Shapes.str(as) + " by " + Shapes.str(bs)
                    + ": inner dimensions " + k + " and " + kb + " differ", as, bs);
        }
        int[] batch = batchShape("matmul", as, bs);
        long count = matrices("matmul", batch, as, bs);
        if (as.length == 2 && bs.length == 2) {
            return mm(be, "matmul", a, b, false, false);
        }
        int m = as.length == 1 ? 1 : as[as.length - 2];
        int n = bs.length == 1 ? 1 : bs[bs.length - 1];
        int[] out = resultShape(batch, as.length == 1 ? -1 : m, bs.length == 1 ? -1 : n);
        Tensor a2 = as.length == 1 ? a.reshape(1, k) : a;
        Tensor b2 = bs.length == 1 ? b.reshape(k, 1) : b;
        Tensor c;
        if (ownMatrices(b2) == 1 && count * m <= Integer.MAX_VALUE) {
            // The right operand is one matrix: the batch's rows are one tall matrix (a view).
            Tensor rows = a2.dim() == 2 ? a2 : a2.reshape((int) (count * m), k);
            c = mm(be, "matmul", rows, b2.dim() == 2 ? b2 : b2.reshape(k, n), false, false);
        } else {
            c = mm(be, "matmul", expandBatch(a2, batch, count), expandBatch(b2, batch, count), false, false);
        }
        return Arrays.equals(c.shapeRef(), out) ? c : c.reshape(out);
    }

    /**
     * {@code torch.bmm}: {@code [B, n, m] @ [B, m, p] → [B, n, p]}, both strictly 3-d with equal
     * batch sizes (no broadcasting; {@link #matmul} broadcasts), as one batched product.
     */
    static Tensor bmm(Tensor a, Tensor b) {
        DeviceBackend be = Dispatch.check("bmm", DTypes.FLOAT32, "input", a, "mat2", b);
        int[] as = a.shapeRef();
        int[] bs = b.shapeRef();
        if (as.length != 3 || bs.length != 3) {
            throw new ShapeMismatchException("bmm", "expected 3-d tensors [b, n, m] and [b, m, p], got "
                    + Shapes.str(as) + " and " + Shapes.str(bs) + " (matmul takes other ranks)", as, bs);
        }
        if (as[0] != bs[0]) {
            throw new ShapeMismatchException("bmm", "batch sizes differ: input " + Shapes.str(as) + " has " + as[0]
                    + " matrices and mat2 " + Shapes.str(bs) + " has " + bs[0]
                    + " (bmm does not broadcast; matmul does)", as, bs);
        }
        if (as[2] != bs[1]) {
            throw new ShapeMismatchException("bmm", "cannot multiply " + Shapes.str(as) + " by " + Shapes.str(bs)
                    + ": inner dimensions " + as[2] + " and " + bs[1] + " differ", as, bs);
        }
        return mm(be, "bmm", a, b, false, false);
    }

    /** The broadcast of two operands' batch dimensions (all but their last two; none for a 1-d operand). */
    private static int[] batchShape(String op, int[] as, int[] bs) {
        if (as.length <= 2 && bs.length <= 2) {
            return NO_BATCH; // two matrices (or vectors): no arrays to make per product
        }
        int[] ab = Arrays.copyOf(as, Math.max(0, as.length - 2));
        int[] bb = Arrays.copyOf(bs, Math.max(0, bs.length - 2));
        try {
            return Shapes.broadcast(op, ab, bb);
        } catch (ShapeMismatchException e) { // the same rule, reported with the operands' whole shapes
            throw new ShapeMismatchException(op, "cannot multiply " + Shapes.str(as) + " by " + Shapes.str(bs)
                    + ": batch dimensions " + Shapes.str(ab) + " and " + Shapes.str(bb) + " do not broadcast", as, bs);
        }
    }

    /** The number of matrices of a batch, which cuBLAS counts in an int (checked before anything is allocated). */
    private static long matrices(String op, int[] batch, int[] as, int[] bs) {
        long count = Shapes.numel(op, batch);
        if (count > Integer.MAX_VALUE) {
            throw new ShapeMismatchException(op, "cannot multiply " + Shapes.str(as) + " by " + Shapes.str(bs)
                    + ": a batch of " + count + " matrices, more than the " + Integer.MAX_VALUE
                    + " a batched product takes", as, bs);
        }
        return count;
    }

    /** {@code batch + [m, n]}, without {@code m} or {@code n} where it is -1 (a promoted 1-d operand). */
    private static final int[] NO_BATCH = new int[0];

    private static int[] resultShape(int[] batch, int m, int n) {
        int[] out = Arrays.copyOf(batch, batch.length + (m < 0 ? 0 : 1) + (n < 0 ? 0 : 1));
        int i = batch.length;
        if (m >= 0) {
            out[i++] = m;
        }
        if (n >= 0) {
            out[i] = n;
        }
        return out;
    }

    /**
     * {@code x} as a batched product takes it: as is when it holds one matrix (reused for the whole
     * batch) or one per matrix of the batch, else expanded (a copy) to the batch's shape.
     */
    private static Tensor expandBatch(Tensor x, int[] batch, long count) {
        long own = ownMatrices(x);
        if (own == 1 || own == count) {
            return x;
        }
        int[] s = x.shapeRef();
        int[] shape = Arrays.copyOf(batch, batch.length + 2);
        shape[batch.length] = s[s.length - 2];
        shape[batch.length + 1] = s[s.length - 1];
        return x.expand(shape);
    }

    /** How many matrices {@code x} holds: the product of its batch dimensions. */
    private static long ownMatrices(Tensor x) {
        int[] s = x.shapeRef();
        long n = 1;
        for (int i = 0; i < s.length - 2; i++) {
            n *= s[i];
        }
        return n;
    }

    /**
     * {@code op(a)·op(b)} for tensors of at least 2 dimensions, {@code op} transposing the last two
     * when asked: the transposes are handled by the kernel (cuBLAS flags), never by copies. Each
     * operand holds one matrix or one per matrix of the broadcast batch. Callers have checked the shapes.
     */
    static Tensor mm(Tensor a, Tensor b, boolean transA, boolean transB) {
        return mm(Dispatch.check("matmul", DTypes.FLOAT32, "input", a, "other", b), "matmul", a, b, transA, transB);
    }

    /**
     * For a batch, each gradient is a batch of products too; where an operand was reused for the
     * whole batch, autograd sums its gradient over the batch ({@link Autograd#sumToShape}).
     */
    private static Tensor mm(DeviceBackend be, String op, Tensor a, Tensor b, boolean transA, boolean transB) {
        Tensor c = product(be, a, b, transA, transB);
        if (Autograd.needsGraph(a, b)) { // else (a backward's products) no arrays nor rule to build
            Autograd.record(c, op, new Tensor[] {a, b}, new Tensor[] {a, b}, g -> new Tensor[] {
                    a.requiresGrad() ? gradA(a, b, g, transA, transB) : null,
                    b.requiresGrad() ? gradB(a, b, g, transA, transB) : null});
        }
        return c;
    }

    /**
     * A fresh {@code op(a)·op(b)}, nothing recorded: one product for two matrices, else one batched
     * product, an operand holding one matrix read with stride 0.
     */
    private static Tensor product(DeviceBackend be, Tensor a, Tensor b, boolean transA, boolean transB) {
        int[] as = a.shapeRef();
        int[] bs = b.shapeRef();
        int ra = as.length;
        int rb = bs.length;
        int m = transA ? as[ra - 1] : as[ra - 2];
        int k = transA ? as[ra - 2] : as[ra - 1];
        int n = transB ? bs[rb - 2] : bs[rb - 1];
        int[] batch = batchShape("matmul", as, bs);
        int count = (int) matrices("matmul", batch, as, bs);
        Tensor c = Tensor.empty("matmul", be, resultShape(batch, m, n));
        if (c.numel() == 0) {
            return c;
        }
        if (ra == 2 && rb == 2) {
            be.matmul(a.storage(), b.storage(), c.storage(), m, n, k, transA, transB);
        } else {
            long strideA = ownMatrices(a) == 1 ? 0 : (long) m * k;
            long strideB = ownMatrices(b) == 1 ? 0 : (long) k * n;
            be.matmulBatched(a.storage(), b.storage(), c.storage(), count, m, n, k, transA, transB,
                    strideA, strideB, (long) m * n);
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
        return linear(input, weight, bias, false);
    }

    /** {@code relu(linear(input, weight, bias))} as one op: see {@link #affineRelu}. */
    static Tensor linearRelu(Tensor input, Tensor weight, Tensor bias) {
        return linear(input, weight, bias, true);
    }

    /** Checked as the op {@code linear} either way: a fused layer's errors name the layer the user wrote. */
    private static Tensor linear(Tensor input, Tensor weight, Tensor bias, boolean relu) {
        String op = "linear";
        DeviceBackend be = Dispatch.check(op, DTypes.FLOAT32, "input", input, "weight", weight, Dispatch.optional("bias"), bias);
        int[] ws = weight.shapeRef();
        int[] xs = input.shapeRef();
        if (ws.length != 2) {
            throw new ShapeMismatchException(op, "weight must be 2-d [out, in], got " + Shapes.str(ws), ws);
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != ws[0])) {
            throw new ShapeMismatchException(op, "bias must be [" + ws[0] + "] for weight " + Shapes.str(ws)
                    + ", got " + Shapes.str(bias.shapeRef()), ws, bias.shapeRef());
        }
        if (xs.length < 1 || xs[xs.length - 1] != ws[1]) {
            throw new ShapeMismatchException(op, "expected input with " + ws[1]
                    + " in-features (last dimension), got " + Shapes.str(xs), xs, ws);
        }
        // The rows are counted, not inferred: reshape(-1, 0) cannot infer them, and with no
        // in-features PyTorch still gives [..., out] (the bias, or zeros, broadcast).
        Tensor x2 = xs.length == 2 ? input : input.reshape(rows(xs), ws[1]);
        Tensor y = relu ? affineRelu(be, "linear_relu", x2, weight, bias)
                : bias == null ? mm(be, "matmul", x2, weight, false, true) : affine(be, x2, weight, bias);
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
     * {@code relu(x·wᵀ + bias)} as one op: the bias add and the ReLU in one pass over the fresh
     * product ({@link BinaryOp#ADD_RELU}; a ReLU in place without a bias), one output and one graph
     * node instead of two each. Bit for bit {@code relu(linear(...))}. The backward masks the
     * gradient by the output, as PyTorch's ReLU does ({@code threshold_backward(grad, result, 0)}:
     * the output is 0 exactly where the sum was {@code <= 0}, NaN where it was NaN).
     */
    private static Tensor affineRelu(DeviceBackend be, String op, Tensor x, Tensor w, Tensor bias) {
        Tensor y = product(be, x, w, false, true);
        int[] shape = y.shapeRef();
        if (y.numel() > 0) {
            if (bias != null) {
                be.binary(BinaryOp.ADD_RELU, y.storage(), bias.storage(), y.storage(), Shapes.plan(shape, bias.shapeRef(), shape));
            } else {
                be.unary(UnaryOp.RELU, y.storage(), y.storage());
            }
        }
        Autograd.record(y, op, new Tensor[] {x, w, bias}, new Tensor[] {x, w, y}, g -> {
            Tensor gy = Elementwise.reluBackward(y, g);
            Tensor[] grads = {
                x.requiresGrad() ? mm(gy, w, false, false) : null,                 // G'·W
                w.requiresGrad() ? mm(gy, x, true, false) : null,                  // G'ᵀ·X
                bias != null && bias.requiresGrad() ? Autograd.sumToShape(gy, bias.shapeRef()) : null};
            if (grads[2] != gy) {
                gy.close(); // the masked gradient is this rule's own temporary
            }
            return grads;
        });
        return y;
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
