package dev.tensorj;

/**
 * Whether CUDA can be used in this process, and if not, why: the answer of
 * {@link Device#cudaStatus()}. Probed once, on first use, and logged once.
 *
 * @param available   whether at least one CUDA device can run tensorj's ops
 * @param reason      the category of the answer
 * @param message     one line for people: what was found, or what is missing and how to get it
 * @param deviceCount usable CUDA devices (0 when unavailable)
 * @param driverVersion the CUDA driver API version (such as 13000 for 13.0), 0 when no driver answered
 * @param cause       the underlying error, or {@code null}
 */
public record CudaAvailability(boolean available, Reason reason, String message, int deviceCount,
                               int driverVersion, Throwable cause) {

    /** Why CUDA is or is not available. */
    public enum Reason {
        AVAILABLE,
        /** No NVIDIA driver: {@code libcuda.so.1} could not be loaded. */
        NO_DRIVER,
        /** JCuda's native libraries for this platform are not on the classpath. */
        NATIVES_MISSING,
        /** The driver is older than JCuda 12.6 needs (CUDA 12.0). */
        DRIVER_TOO_OLD,
        /** The driver loaded but reports no device (or none visible, e.g. CUDA_VISIBLE_DEVICES). */
        NO_DEVICE,
        /** {@code libcublas.so.12} is missing (CUDA 13-only machines: see README). */
        CUBLAS_MISSING,
        /** A {@code libcublas.so.12} was found, but not one with the symbols JCublas2 needs. */
        CUBLAS_WRONG_VERSION,
        /** The driver failed to initialise for another reason (see {@link #cause()}). */
        INIT_FAILED
    }

    @Override
    public String toString() {
        return message;
    }
}
