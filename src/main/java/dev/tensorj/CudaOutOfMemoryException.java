package dev.tensorj;

import java.util.Locale;

/**
 * A CUDA device ran out of memory, even after tensorj released its cached blocks and let the
 * garbage collector return the blocks of unreachable tensors. The process and the device stay
 * usable: free memory (close tensors, drop references) and retry, or use smaller batches.
 */
public final class CudaOutOfMemoryException extends CudaException {
    private final Device device;
    private final long requestedBytes;
    private final long freeBytes;
    private final long totalBytes;

    CudaOutOfMemoryException(String op, Device device, long requestedBytes, long freeBytes, long totalBytes) {
        super(op, "CUDA_ERROR_OUT_OF_MEMORY", String.format(Locale.ROOT,
                "CUDA out of memory on %s: tried to allocate %s (%d bytes); the device has %s free of %s total "
                        + "(%d of %d bytes). Close tensors you no longer need, or use smaller batches",
                device, human(requestedBytes), requestedBytes, human(freeBytes), human(totalBytes),
                freeBytes, totalBytes), null);
        this.device = device;
        this.requestedBytes = requestedBytes;
        this.freeBytes = freeBytes;
        this.totalBytes = totalBytes;
    }

    public Device device() {
        return device;
    }

    /** The size of the allocation that failed, in bytes. */
    public long requestedBytes() {
        return requestedBytes;
    }

    /** The device's free memory after the failed attempt, in bytes ({@code cuMemGetInfo}). */
    public long freeBytes() {
        return freeBytes;
    }

    /** The device's total memory, in bytes. */
    public long totalBytes() {
        return totalBytes;
    }

    private static String human(long bytes) {
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        if (bytes < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
        }
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
    }
}
