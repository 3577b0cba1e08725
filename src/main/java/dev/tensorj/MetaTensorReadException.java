package dev.tensorj;

/**
 * Values were asked of a {@code meta} tensor, which has a shape but no data: {@code toFloatArray},
 * {@code item}, {@code to} another device, or a backward whose gradient would have to leave
 * {@code meta} through a {@code to(meta)} in the graph. Thrown before anything is allocated or
 * computed; {@link #op()} names the op that read.
 */
public final class MetaTensorReadException extends TensorjException {
    MetaTensorReadException(String op, String message) {
        super(op, message);
    }
}
