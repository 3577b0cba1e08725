package dev.tensorj.backend.cuda;

import dev.tensorj.backend.BackendException;

/**
 * Turns JCuda's exceptions (whose message is the bare error name, such as
 * {@code CUDA_ERROR_ILLEGAL_ADDRESS}) into tensorj's, naming the op and the device.
 */
final class CudaErrors {
    static final String OUT_OF_MEMORY = "CUDA_ERROR_OUT_OF_MEMORY";

    private CudaErrors() {}

    static BackendException wrap(String op, String device, jcuda.CudaException e) {
        String name = String.valueOf(e.getMessage());
        String message = name + " on " + device;
        if (name.equals("CUDA_ERROR_ILLEGAL_ADDRESS") || name.equals("CUDA_ERROR_LAUNCH_FAILED")
                || name.equals("CUDA_ERROR_ILLEGAL_INSTRUCTION") || name.equals("CUDA_ERROR_MISALIGNED_ADDRESS")) {
            // Sticky errors: the context is unusable from now on, and the kernel at fault may
            // belong to an earlier op, because kernels run asynchronously.
            message += " (a kernel failed; it may belong to an earlier op, since kernels run asynchronously; "
                    + "the device cannot be used again in this process)";
        }
        return BackendException.deviceError(op, name, message, e);
    }
}
