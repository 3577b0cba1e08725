package dev.tensorj;

import java.util.List;

/** An op was given shapes it cannot combine; the message names the op and every shape. */
public final class ShapeMismatchException extends TensorjException {
    private final List<int[]> shapes;

    ShapeMismatchException(String op, String message, int[]... shapes) {
        super(op, message);
        this.shapes = List.of(shapes.clone());
    }

    /** The shapes involved, in operand order (copies). */
    public List<int[]> shapes() {
        return shapes.stream().map(int[]::clone).toList();
    }
}
