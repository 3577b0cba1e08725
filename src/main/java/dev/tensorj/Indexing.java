package dev.tensorj;

/**
 * index_select, gather and one_hot, composed from existing ops (no new kernels): a one-hot bool
 * mask from {@code index == arange(n)}, {@code where(mask, input, 0)} and a sum over the class
 * axis. The backward is that composition's: where passes the gradient through the mask and the
 * sum's backward broadcasts it, which together is the scatter-add into zeros of PyTorch's rule.
 * Indices are validated on the host first ({@code toLongArray}, which waits for pending GPU work);
 * on the meta device, which holds no values, only shapes and dtypes are checked.
 */
final class Indexing {
    private Indexing() {}

    /** Every index in {@code [0, n)} (or equal to {@code allowed}, e.g. an ignore_index), else a typed error. */
    static void checkRange(String op, String what, Tensor index, long n, Long allowed) {
        if (index.device().type() == Device.Type.META || index.numel() == 0) {
            return;
        }
        long[] v = index.toLongArray(); // synchronises with the device
        for (int i = 0; i < v.length; i++) {
            if ((v[i] < 0 || v[i] >= n) && (allowed == null || v[i] != allowed)) {
                throw new IndexOutOfRangeException(op, what + " " + v[i] + " at flat position " + i
                        + " is out of range [0, " + n + ")" + (allowed == null ? "" : " (ignore_index is " + allowed + ")"));
            }
        }
    }

    private static int wrap(String op, int dim, int rank) {
        int d = dim < 0 ? dim + Math.max(rank, 1) : dim;
        if (d < 0 || d >= Math.max(rank, 1)) {
            throw new IllegalArgumentException(op + ": dim " + dim + " out of range for a tensor of rank " + rank);
        }
        return d;
    }

    /** The bool mask {@code index.unsqueeze(-1) == arange(n)}, shape {@code index.shape + [n]}. */
    static Tensor oneHotMask(Tensor index, int n) {
        try (Tensor classes = Tensor.arange(index.device(), 0, n, 1)) {
            return index.unsqueeze(index.dim()).eq(classes);
        }
    }

    static Tensor oneHot(Tensor index, int numClasses) {
        Dispatch.nonNull("one_hot", "index", index);
        Dispatch.check("one_hot", DType.INT64.bit, "index", index);
        if (numClasses == -1) {
            if (index.device().type() == Device.Type.META) {
                throw new IllegalArgumentException("one_hot: numClasses -1 (infer) needs index values, which the meta device does not hold");
            }
            long max = -1;
            for (long v : index.toLongArray()) {
                max = Math.max(max, v);
            }
            numClasses = (int) (max + 1);
        } else if (numClasses < 1) {
            throw new IllegalArgumentException("one_hot: numClasses must be positive or -1, got " + numClasses);
        }
        checkRange("one_hot", "class index", index, numClasses, null);
        try (Tensor mask = oneHotMask(index, numClasses)) {
            return mask.to(DType.INT64);
        }
    }

    static Tensor indexSelect(Tensor input, int dim, Tensor index) {
        Dispatch.nonNull("index_select", "index", index);
        Dispatch.checkSameDevice("index_select", "input", input, "index", index); // before any dtype check or work
        Dispatch.checkDType("index_select", DTypes.FLOAT32, "input", input, null);
        Dispatch.checkDType("index_select", DType.INT64.bit, "index", index, null);
        if (index.dim() > 1) {
            throw new ShapeMismatchException("index_select", "index must be 1-d (or 0-d), got " + Shapes.str(index.shapeRef()),
                    index.shapeRef());
        }
        int rank = input.dim();
        int d = wrap("index_select", dim, rank);
        Tensor x = rank == 0 ? input.reshape(1) : input;
        int n = x.size(d);
        checkRange("index_select", "index", index, n, null);
        Tensor idx = index.dim() == 0 ? index.reshape(1) : index;
        Tensor moved = x.transpose(d, x.dim() - 1);            // [..., n]
        Tensor mask = oneHotMask(idx, n);                          // [k, n]
        Tensor picked = Functional.where(mask, moved.unsqueeze(moved.dim() - 1), Tensor.zeros(x.device(), new int[0]));
        Tensor out = picked.sum(moved.dim(), false).transpose(d, x.dim() - 1); // [..., k, ...]
        if (rank == 0) {
            return out.reshape(new int[0]);
        }
        return out;
    }

    static Tensor gather(Tensor input, int dim, Tensor index) {
        Dispatch.nonNull("gather", "index", index);
        Dispatch.checkSameDevice("gather", "input", input, "index", index); // before any dtype check or work
        Dispatch.checkDType("gather", DTypes.FLOAT32, "input", input, null);
        Dispatch.checkDType("gather", DType.INT64.bit, "index", index, null);
        int rank = input.dim();
        if (index.dim() != rank) {
            throw new ShapeMismatchException("gather", "index " + Shapes.str(index.shapeRef()) + " must have the same rank as input "
                    + Shapes.str(input.shapeRef()), index.shapeRef(), input.shapeRef());
        }
        int d = wrap("gather", dim, rank);
        if (rank == 0) {
            checkRange("gather", "index", index, 1, null);
            return input.reshape(new int[0]).mul(1f);
        }
        Tensor x = input;
        for (int i = 0; i < rank; i++) {
            if (i != d && index.size(i) > input.size(i)) {
                throw new ShapeMismatchException("gather", "index " + Shapes.str(index.shapeRef()) + " is larger than input "
                        + Shapes.str(input.shapeRef()) + " in dim " + i, index.shapeRef(), input.shapeRef());
            }
            if (i != d && index.size(i) < input.size(i)) {
                x = x.narrow(i, 0, index.size(i));
            }
        }
        int n = input.size(d);
        checkRange("gather", "index", index, n, null);
        Tensor moved = x.transpose(d, rank - 1);               // [..., n]
        Tensor idx = index.transpose(d, rank - 1);             // [..., k]
        Tensor mask = oneHotMask(idx, n);                      // [..., k, n]
        Tensor picked = Functional.where(mask, moved.unsqueeze(rank - 1), Tensor.zeros(x.device(), new int[0]));
        return picked.sum(rank, false).transpose(d, rank - 1);
    }
}
