package dev.tensorj;

/** A tensor was used after {@link Tensor#close()}. */
public final class TensorClosedException extends TensorjException {
    TensorClosedException(String op, String role, int[] shape, Device device) {
        super(op, role + " tensor " + Shapes.str(shape) + " on " + device
                + " was closed; its memory is gone. Keep it open until its last use");
    }
}
