package dev.tensorj;

/**
 * A CUDA driver or cuBLAS call failed. {@link #op()} names the tensorj op that was running and
 * {@link #errorName()} the CUDA error, such as {@code CUDA_ERROR_ILLEGAL_ADDRESS} or
 * {@code CUBLAS_STATUS_EXECUTION_FAILED}. Kernels run asynchronously, so an error raised by a
 * kernel may surface in a later op, typically the next one that waits for the GPU ({@code item()}).
 */
public class CudaException extends TensorjException {
    private final String errorName;

    CudaException(String op, String errorName, String message, Throwable cause) {
        super(op, message, cause);
        this.errorName = errorName;
    }

    /** The CUDA or cuBLAS error name. */
    public String errorName() {
        return errorName;
    }
}
