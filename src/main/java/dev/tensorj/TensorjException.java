package dev.tensorj;

/** The root of tensorj's unchecked exceptions; {@link #op()} names the op that failed, if any. */
public class TensorjException extends RuntimeException {
    private final String op;

    TensorjException(String op, String message) {
        this(op, message, null);
    }

    TensorjException(String op, String message, Throwable cause) {
        super(op == null ? message : op + ": " + message, cause);
        this.op = op;
    }

    /** The op that failed, such as {@code "matmul"}, or {@code null} when not tied to one op. */
    public String op() {
        return op;
    }
}
