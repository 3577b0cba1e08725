package dev.tensorj;


/**
 * Reshape and the other view-like ops (unsqueeze, squeeze, flatten: views sharing memory, their
 * gradient a reshape back) and 2-d transpose (a copy).
 */
final class ShapeOps {
    private ShapeOps() {}

    static Tensor reshape(Tensor x, int[] requested) {
        Dispatch.nonNull("reshape", "shape", requested);
        Dispatch.check("reshape", DTypes.ANY, x);
        int[] shape = inferShape(x, requested);
        Tensor out = Tensor.view(x, shape);
        int[] original = x.shape();
        Autograd.record(out, "reshape", new Tensor[] {x}, Autograd.NOTHING_SAVED, g -> new Tensor[] {g.reshape(original)});
        return out;
    }

    private static int[] inferShape(Tensor x, int[] requested) {
        int[] shape = requested.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1 && infer < 0) {
                infer = i;
            } else if (shape[i] < 0) {
                throw new ShapeMismatchException("reshape", "invalid shape " + Shapes.str(requested)
                        + ": only one dimension may be -1 and none may be negative", requested);
            } else {
                try { // a count that wraps around could match the input's, and fail later under another name
                    known = Math.multiplyExact(known, shape[i]);
                } catch (ArithmeticException e) {
                    throw new ShapeMismatchException("reshape", "shape " + Shapes.str(requested)
                            + " has more elements than a long can count", requested, x.shapeRef());
                }
            }
        }
        if (infer >= 0) {
            if (known == 0 || x.numel() % known != 0) {
                throw new ShapeMismatchException("reshape", "shape " + Shapes.str(requested)
                        + " is invalid for input of shape " + Shapes.str(x.shapeRef()), requested, x.shapeRef());
            }
            long inferred = x.numel() / known;
            if (inferred > Integer.MAX_VALUE) {
                throw new ShapeMismatchException("reshape", "shape " + Shapes.str(requested) + " for input of shape "
                        + Shapes.str(x.shapeRef()) + " would make dimension " + infer + " " + inferred
                        + ", more than the " + Integer.MAX_VALUE + " a dimension holds", requested, x.shapeRef());
            }
            shape[infer] = (int) inferred;
            known *= inferred;
        }
        if (known != x.numel()) {
            throw new ShapeMismatchException("reshape", "shape " + Shapes.str(requested) + " is invalid for input of "
                    + "shape " + Shapes.str(x.shapeRef()) + " (" + x.numel() + " elements)", requested, x.shapeRef());
        }
        return shape;
    }

    static Tensor transpose(Tensor x) {
        DeviceBackend be = Dispatch.check("t", DTypes.FLOAT32, x);
        if (x.dim() < 2) {
            return x;
        }
        if (x.dim() > 2) {
            throw new ShapeMismatchException("t", "expects a tensor with at most 2 dimensions, got "
                    + Shapes.str(x.shapeRef()), x.shapeRef());
        }
        int rows = x.size(0);
        int cols = x.size(1);
        Tensor out = Tensor.empty("t", be, new int[] {cols, rows});
        if (out.numel() > 0) {
            be.transpose(x.storage(), rows, cols, out.storage());
        }
        Autograd.record(out, "t", new Tensor[] {x}, Autograd.NOTHING_SAVED, g -> new Tensor[] {g.t()});
        return out;
    }

    // ---------------------------------------------------------------- view-like ops (shape and creation)

    /** A view of {@code x} in {@code shape} (same element count), recorded as {@code op}: the gradient is reshaped back. */
    private static Tensor viewAs(String op, Tensor x, int[] shape) {
        Tensor out = Tensor.view(x, shape);
        int[] original = x.shape();
        Autograd.record(out, op, new Tensor[] {x}, Autograd.NOTHING_SAVED, g -> new Tensor[] {g.reshape(original)});
        return out;
    }

    /** PyTorch's {@code unsqueeze}: a size-1 dimension inserted at {@code dim}, in [-(rank+1), rank]. */
    static Tensor unsqueeze(Tensor x, int dim) {
        Dispatch.check("unsqueeze", DTypes.ANY, x);
        int rank = x.dim();
        int d = dim < 0 ? dim + rank + 1 : dim;
        if (d < 0 || d > rank) {
            throw new IllegalArgumentException("unsqueeze: dimension " + dim + " out of range for a " + rank
                    + "-d tensor of shape " + Shapes.str(x.shapeRef()) + " (expected in [" + (-rank - 1) + ", "
                    + rank + "])");
        }
        int[] shape = new int[rank + 1];
        for (int i = 0, j = 0; i <= rank; i++) {
            shape[i] = i == d ? 1 : x.shapeRef()[j++];
        }
        return viewAs("unsqueeze", x, shape);
    }

    /** PyTorch's {@code squeeze()}: every size-1 dimension removed. */
    static Tensor squeeze(Tensor x) {
        Dispatch.check("squeeze", DTypes.ANY, x);
        int[] shape = java.util.Arrays.stream(x.shapeRef()).filter(s -> s != 1).toArray();
        return viewAs("squeeze", x, shape);
    }

    /** PyTorch's {@code squeeze(dim)}: dimension {@code dim} removed if its size is 1, else the shape is kept. */
    static Tensor squeeze(Tensor x, int dim) {
        Dispatch.check("squeeze", DTypes.ANY, x);
        int rank = x.dim();
        int d = Shapes.dim("squeeze", dim, rank);
        int[] s = x.shapeRef();
        if (rank == 0 || s[d] != 1) {
            return viewAs("squeeze", x, s.clone());
        }
        int[] shape = new int[rank - 1];
        for (int i = 0, j = 0; i < rank; i++) {
            if (i != d) {
                shape[j++] = s[i];
            }
        }
        return viewAs("squeeze", x, shape);
    }

    /**
     * PyTorch's {@code flatten(startDim, endDim)}: dimensions {@code startDim..endDim} merged into
     * one; a 0-d tensor becomes 1-d of one element.
     */
    static Tensor flatten(Tensor x, int startDim, int endDim) {
        Dispatch.check("flatten", DTypes.ANY, x);
        int rank = x.dim();
        int start = Shapes.dim("flatten", startDim, rank);
        int end = Shapes.dim("flatten", endDim, rank);
        if (start > end) {
            throw new IllegalArgumentException("flatten: startDim " + startDim + " (dimension " + start
                    + ") comes after endDim " + endDim + " (dimension " + end + ") for shape "
                    + Shapes.str(x.shapeRef()));
        }
        if (rank == 0) {
            return viewAs("flatten", x, new int[] {1});
        }
        int[] s = x.shapeRef();
        long merged = 1;
        for (int i = start; i <= end; i++) {
            merged *= s[i];
        }
        if (merged > Integer.MAX_VALUE) {
            throw new ShapeMismatchException("flatten", "flattening dimensions " + start + ".." + end + " of shape "
                    + Shapes.str(s) + " gives " + merged + " elements, more than the " + Integer.MAX_VALUE
                    + " a dimension holds", s);
        }
        int[] shape = new int[rank - (end - start)];
        int j = 0;
        for (int i = 0; i < start; i++) {
            shape[j++] = s[i];
        }
        shape[j++] = (int) merged;
        for (int i = end + 1; i < rank; i++) {
            shape[j++] = s[i];
        }
        return viewAs("flatten", x, shape);
    }
}
