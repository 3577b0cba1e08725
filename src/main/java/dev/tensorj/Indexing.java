package dev.tensorj;

import dev.tensorj.backend.IndexPlan;
import java.util.Arrays;

/**
 * index_select, gather, scatter_add, embedding and one_hot. The first four run on two backend
 * kernels over an {@link IndexPlan}: a gather ({@code out[.., j, ..] = x[.., index, ..]}) and its
 * adjoint, a scatter-add, each other's backward. index_select's 1-d index is read with stride 0
 * outside its dim (one index for every other position), gather's and scatter_add's index of its own
 * shape with its own strides, the input and src with theirs, so an index smaller than them in some
 * dim reads or writes them in place. one_hot is {@code index == arange(n)}. Indices are
 * validated on the host first ({@code toLongArray}, which waits for pending GPU work), so no kernel
 * reads out of bounds on any device; on the meta device, which holds no values, only shapes and
 * dtypes are checked.
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

    /**
     * index_select's and embedding's plan: a 1-d index of {@code k} values along dim {@code d} of
     * {@code shape}, read with stride 0 everywhere but along d (one index for every other position);
     * the dense side is the output ({@code shape} with k along d), the indexed side the input.
     */
    private static IndexPlan selectPlan(int[] shape, int d, int k) {
        int[] outShape = shape.clone();
        outShape[d] = k;
        long[] indexStrides = new long[shape.length];
        indexStrides[d] = 1;
        return IndexPlan.of(outShape, d, indexStrides, Shapes.strides(outShape), Shapes.strides(shape));
    }

    /**
     * gather's and scatter_add's plan: every position of an index of {@code indexShape}, the dense
     * side (gather's output, scatter_add's src) of {@code denseShape} and the indexed side of
     * {@code indexedShape}, each read with its own strides (no copy of a region where index is smaller).
     */
    private static IndexPlan gatherPlan(int[] indexShape, int d, int[] denseShape, int[] indexedShape) {
        return IndexPlan.of(indexShape, d, Shapes.strides(indexShape), Shapes.strides(denseShape),
                Shapes.strides(indexedShape));
    }

    /**
     * The gather kernel into a new tensor of {@code shape} (the plan's dense side; zeros where the
     * plan does not reach, when {@code zeroed}); nothing recorded.
     */
    private static Tensor gatherKernel(String op, DeviceBackend be, Tensor x, Tensor index, IndexPlan p, int[] shape,
            boolean zeroed) {
        Tensor out = Tensor.empty(op, be, shape);
        if (zeroed && out.numel() > 0) {
            be.fill(out.storage(), 0f);
        }
        if (p.numel > 0) {
            be.gather(x.storage(), index.storage(), out.storage(), p);
        }
        return out;
    }

    /**
     * A gradient's gather ({@code g} at the index, zeros beyond the plan's reach): dispatched like
     * every backward rule, so {@code g} is checked (open, device) and the op counted.
     */
    private static Tensor gatherGrad(String op, Tensor g, Tensor index, IndexPlan p, int[] shape, boolean zeroed) {
        DeviceBackend be = Dispatch.check(op, DTypes.FLOAT32, "grad", g);
        return gatherKernel(op, be, g, index, p, shape, zeroed);
    }

    /**
     * Zeros of {@code shape} (the plan's indexed side) with {@code src} scatter-added at the index:
     * the gradient of a gather. Nothing recorded.
     */
    private static Tensor scatterKernel(String op, Tensor src, Tensor index, IndexPlan p, int[] shape) {
        DeviceBackend be = Dispatch.check(op, DTypes.FLOAT32, "grad", src);
        Tensor out = Tensor.zeroed(op, be, DType.FLOAT32, shape); // scatter-add accumulates
        if (out.numel() > 0 && p.numel > 0) {
            be.scatterAdd(src.storage(), index.storage(), out.storage(), p);
        }
        return out;
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
        int[] s = rank == 0 ? new int[] {1} : input.shape();
        int k = (int) index.numel();
        if (rank == 0 && k != 1) {
            throw new ShapeMismatchException("index_select", "an index into a 0-d input must hold one value, got "
                    + Shapes.str(index.shapeRef()), index.shapeRef());
        }
        DeviceBackend be = Backends.forOp(input.device()); // counted once the arguments are known good
        checkRange("index_select", "index", index, s[d], null);
        int[] outShape = s.clone();
        outShape[d] = k;
        IndexPlan p = selectPlan(s, d, k);
        Tensor out = gatherKernel("index_select", be, input, index, p, rank == 0 ? new int[0] : outShape, false);
        int[] inShape = input.shape();
        Autograd.record(out, "index_select", new Tensor[] {input}, new Tensor[] {index},
                g -> new Tensor[] {scatterKernel("index_select_backward", g, index, p, inShape)});
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
        for (int i = 0; i < rank; i++) {
            if (i != d && index.size(i) > input.size(i)) {
                throw new ShapeMismatchException("gather", "index " + Shapes.str(index.shapeRef()) + " is larger than input "
                        + Shapes.str(input.shapeRef()) + " in dim " + i, index.shapeRef(), input.shapeRef());
            }
        }
        if (rank == 0) {
            checkRange("gather", "index", index, 1, null);
            return input.reshape(new int[0]).mul(1f);
        }
        DeviceBackend be = Backends.forOp(input.device()); // counted once the arguments are known good
        int n = input.size(d);
        checkRange("gather", "index", index, n, null);
        int[] inShape = input.shape();
        IndexPlan p = gatherPlan(index.shapeRef(), d, index.shapeRef(), inShape);
        Tensor out = gatherKernel("gather", be, input, index, p, index.shape(), false);
        Autograd.record(out, "gather", new Tensor[] {input}, new Tensor[] {index},
                g -> new Tensor[] {scatterKernel("gather_backward", g, index, p, inShape)});
        return out;
    }

    /**
     * A copy of {@code input} with {@code src[..j..]} added at {@code index[..j..]} along dim, as
     * {@code torch.scatter_add}. The three share a rank; index is no larger than src in any dim and no
     * larger than input but along dim (only index's extent of src is read). Gradients: the input's is
     * the output's; src's is the output's gathered at index (zero beyond index's extent).
     */
    static Tensor scatterAdd(Tensor input, int dim, Tensor index, Tensor src) {
        String op = "scatter_add";
        Device device = Dispatch.sameDevice(op, "input", input, "index", index, "src", src);
        Dispatch.checkDType(op, DTypes.FLOAT32, "input", input, null);
        Dispatch.checkDType(op, DType.INT64.bit, "index", index, null);
        Dispatch.checkDType(op, DTypes.FLOAT32, "src", src, null);
        int rank = input.dim();
        int[] is = index.shapeRef();
        if (index.dim() != rank || src.dim() != rank) {
            throw new ShapeMismatchException(op, "index " + Shapes.str(is) + ", src " + Shapes.str(src.shapeRef())
                    + " and input " + Shapes.str(input.shapeRef()) + " must have the same rank", is, src.shapeRef(),
                    input.shapeRef());
        }
        int d = wrap(op, dim, rank);
        for (int i = 0; i < rank; i++) {
            if (is[i] > src.size(i) || (i != d && is[i] > input.size(i))) {
                throw new ShapeMismatchException(op, "index " + Shapes.str(is) + " must be no larger than src "
                        + Shapes.str(src.shapeRef()) + " in every dim and than input " + Shapes.str(input.shapeRef())
                        + " in every dim but " + d + "; it is larger in dim " + i, is, src.shapeRef(), input.shapeRef());
            }
        }
        if (rank == 0) { // as the 1-d case of one element
            return scatterAdd(input.reshape(1), 0, index.reshape(1), src.reshape(1)).reshape(new int[0]);
        }
        DeviceBackend be = Backends.forOp(device);
        int[] shape = input.shape();
        checkRange(op, "index", index, shape[d], null);
        int[] srcShape = src.shape();
        IndexPlan p = gatherPlan(is, d, srcShape, shape);
        Tensor out = Tensor.empty(op, be, shape);
        be.copy(input.storage(), out.storage());
        if (p.numel > 0) {
            be.scatterAdd(src.storage(), index.storage(), out.storage(), p);
        }
        boolean partial = !Arrays.equals(is, srcShape); // src's gradient is zero beyond index's extent
        Autograd.record(out, op, new Tensor[] {input, src}, new Tensor[] {index}, g -> new Tensor[] {g,
                src.requiresGrad() ? gatherGrad(op + "_backward", g, index, p, srcShape, partial) : null});
        return out;
    }

    /**
     * Rows of {@code weight} {@code [num, dim]} at {@code input}'s int64 indices, shaped
     * {@code input.shape + [dim]}, as {@code torch.nn.functional.embedding}. The gradient
     * scatter-adds into zeros of weight's shape; the row {@code paddingIdx} (null: none; negative
     * counts from the end) receives none.
     */
    static Tensor embedding(Tensor input, Tensor weight, Integer paddingIdx) {
        String op = "embedding";
        Device device = Dispatch.sameDevice(op, "input", input, "weight", weight);
        Dispatch.checkDType(op, DType.INT64.bit, "input", input, null);
        Dispatch.checkDType(op, DTypes.FLOAT32, "weight", weight, null);
        DeviceBackend be = Backends.forOp(device);
        int[] ws = weight.shape();
        if (ws.length != 2) {
            throw new ShapeMismatchException(op, "weight must be 2-d [numEmbeddings, embeddingDim], got " + Shapes.str(ws), ws);
        }
        int num = ws[0];
        Integer pad = paddingIdx;
        if (pad != null) {
            if (pad < -num || pad >= num) {
                throw new IllegalArgumentException(op + ": paddingIdx " + pad + " must lie in [-" + num + ", " + num
                        + ") for a weight of shape " + Shapes.str(ws));
            }
            pad = pad < 0 ? pad + num : pad;
        }
        checkRange(op, "index", input, num, null);
        int rank = input.dim();
        int[] outShape = Arrays.copyOf(input.shapeRef(), rank + 1);
        outShape[rank] = ws[1];
        IndexPlan p = selectPlan(ws, 0, (int) input.numel());
        Tensor out = gatherKernel(op, be, weight, input, p, outShape, false);
        Integer row = pad;
        Autograd.record(out, op, new Tensor[] {weight}, new Tensor[] {input}, g -> {
            Tensor contributing = g;
            if (row != null) { // PyTorch's padding_idx: that row's entries pass no gradient
                try (Tensor padRow = Tensor.full(input.device(), (long) row, new int[0]);
                        Tensor isPad = input.eq(padRow).unsqueeze(rank)) {
                    contributing = g.maskedFill(isPad, 0f);
                }
            }
            return new Tensor[] {scatterKernel("embedding_backward", contributing, input, p, ws)};
        });
        return out;
    }
}
