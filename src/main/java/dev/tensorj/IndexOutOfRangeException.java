package dev.tensorj;

/**
 * An int64 index (for index_select, gather, one_hot, or a class index of a loss) outside its valid
 * range; checked on the host before any kernel runs, identically on every device.
 */
public final class IndexOutOfRangeException extends TensorjException {
    IndexOutOfRangeException(String op, String message) {
        super(op, message);
    }
}
