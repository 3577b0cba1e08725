package dev.tensorj;


/** Reshape (a view sharing memory) and 2-d transpose (a copy). */
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
}
