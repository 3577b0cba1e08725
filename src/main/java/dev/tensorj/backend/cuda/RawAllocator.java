package dev.tensorj.backend.cuda;

/**
 * What {@link BlockPool} needs from a device: raw allocations. An interface so that the pool's
 * bookkeeping is tested without a GPU; {@link DeviceMemory} is the CUDA one.
 *
 * @param <B> a block handle (a device pointer)
 */
interface RawAllocator<B> {

    /** A new block of exactly {@code bytes}, or {@code null} when the device is out of memory. */
    B allocate(long bytes);

    /** Returns a block to the device. The pool calls {@link #synchronize()} first. */
    void free(B block);

    /** Waits for all queued device work, so that freeing a block cannot race a kernel using it. */
    void synchronize();

    /** {@code {free, total}} bytes of device memory. */
    long[] memoryInfo();
}
