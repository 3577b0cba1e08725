package dev.tensorj;

/**
 * In {@link IdleGpuPolicy.Mode#STRICT} mode: a model or optimizer was about to run on the CPU while
 * a CUDA device is available. Thrown before anything is computed.
 */
public final class IdleGpuException extends TensorjException {
    IdleGpuException(String op, String message) {
        super(op, message);
    }
}
