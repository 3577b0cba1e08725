package dev.tensorj.backend.cuda;

/**
 * A snapshot of one device's memory pool.
 *
 * @param bytesInUse     bytes held by live storages (rounded up to their size class)
 * @param bytesCached    bytes held by the pool, free for reuse, not returned to the driver
 * @param deviceAllocs   raw allocations ({@code cuMemAlloc}) so far: flat in a steady loop
 * @param gcRequests     times the pool asked the garbage collector for unreachable blocks
 */
public record PoolStats(long bytesInUse, long bytesCached, long deviceAllocs, long gcRequests) {

    /** Bytes taken from the driver: in use plus cached. */
    public long bytesReserved() {
        return bytesInUse + bytesCached;
    }
}
