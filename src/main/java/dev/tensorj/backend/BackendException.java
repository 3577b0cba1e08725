package dev.tensorj.backend;

/**
 * A backend call failed. Backends know nothing of the public API, so they throw this; the engine
 * turns it into the public exception of its {@link Kind} in one place, keeping the op, the error
 * name and the message.
 */
public final class BackendException extends RuntimeException {
    /** What went wrong, which decides the public exception. */
    public enum Kind {
        /** A driver or library call failed ({@code CudaException}). */
        DEVICE_ERROR,
        /** The device has no memory left ({@code CudaOutOfMemoryException}). */
        OUT_OF_MEMORY,
        /** The device cannot be used at all ({@code CudaUnavailableException}). */
        UNAVAILABLE
    }

    private final Kind kind;
    private final String op;
    private final String errorName;
    private final long[] memory; // {requested, free, total} bytes for OUT_OF_MEMORY

    private BackendException(Kind kind, String op, String errorName, String message, Throwable cause, long[] memory) {
        super(message, cause);
        this.kind = kind;
        this.op = op;
        this.errorName = errorName;
        this.memory = memory;
    }

    /** A failed driver or library call, {@code errorName} such as {@code CUDA_ERROR_ILLEGAL_ADDRESS}. */
    public static BackendException deviceError(String op, String errorName, String message, Throwable cause) {
        return new BackendException(Kind.DEVICE_ERROR, op, errorName, message, cause, null);
    }

    /** An allocation of {@code requested} bytes failed with {@code free} of {@code total} bytes free. */
    public static BackendException outOfMemory(String op, long requested, long free, long total) {
        return new BackendException(Kind.OUT_OF_MEMORY, op, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory", null,
                new long[] {requested, free, total});
    }

    /** The device cannot be used; {@code message} says why. */
    public static BackendException unavailable(String message, Throwable cause) {
        return new BackendException(Kind.UNAVAILABLE, null, null, message, cause, null);
    }

    public Kind kind() {
        return kind;
    }

    public String op() {
        return op;
    }

    public String errorName() {
        return errorName;
    }

    /** {@code {requested, free, total}} bytes of an {@link Kind#OUT_OF_MEMORY}; null otherwise. */
    public long[] memory() {
        return memory == null ? null : memory.clone();
    }
}
