package dev.tensorj;

/** In {@link AnomalyMode}: a backward rule produced a NaN; {@link #op()} names the op. */
public final class AnomalyException extends TensorjException {
    AnomalyException(String op, String message) {
        super(op, message);
    }
}
