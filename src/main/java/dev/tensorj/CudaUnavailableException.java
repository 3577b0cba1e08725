package dev.tensorj;

/**
 * A CUDA device was used where CUDA cannot run: no driver, missing natives or cuBLAS, or no such
 * device. The message carries the reason found when CUDA was probed ({@link Device#cudaStatus()}).
 * tensorj never falls back to the CPU instead.
 */
public final class CudaUnavailableException extends TensorjException {
    CudaUnavailableException(String message, Throwable cause) {
        super(null, message, cause);
    }
}
