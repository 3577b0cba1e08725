package dev.tensorj.backend.cuda;

import java.util.function.LongSupplier;

/**
 * When the pool should ask the garbage collector for the blocks of unreachable tensors instead of
 * taking fresh memory from the driver. Blocks come back only after a collection, and the Java heap
 * does not feel device memory, so without this a loop that never calls {@code close()} would take
 * a fresh block for every op until the device is full.
 *
 * <p>A collection costs milliseconds; a fresh {@code cuMemAlloc} microseconds and memory. So, on
 * a cache miss, the pool collects when
 * <ul>
 *   <li>it took {@code slackBytes} fresh since the last collection (a memory cap), or
 *   <li>the last collection was at least {@code max(minInterval, 10 × its cost)} ago, and either it
 *       recycled (the collector returned a block of the size then needed: a steady loop, whose
 *       garbage is waiting again) or {@value #PROBE_ALLOCS} fresh blocks were taken since (probing
 *       whether there is garbage at all).
 * </ul>
 * In a steady loop the pool grows until one cycle between collections lasts the interval, then
 * takes nothing more from the driver; collections stay under about a tenth of the time. Not
 * thread-safe: the pool calls it under its lock.
 */
final class GcPolicy {
    static final int PROBE_ALLOCS = 256;

    private final long slackBytes;
    private final long minIntervalNanos;
    private final LongSupplier clock;
    private long freshBytes;
    private long freshCount;
    private boolean recycling;
    private long lastEnd;
    private long lastCost;

    GcPolicy(long slackBytes, long minIntervalNanos, LongSupplier clock) {
        this.slackBytes = slackBytes;
        this.minIntervalNanos = minIntervalNanos;
        this.clock = clock;
        this.lastEnd = clock.getAsLong();
    }

    /** Whether to collect before taking {@code size} fresh bytes. */
    boolean shouldCollect(long size) {
        if (freshBytes + size > slackBytes) {
            return true;
        }
        long since = clock.getAsLong() - lastEnd;
        return since >= Math.max(minIntervalNanos, 10 * lastCost) && (recycling || freshCount >= PROBE_ALLOCS);
    }

    /** A fresh block was taken from the driver. */
    void allocated(long size) {
        freshBytes += size;
        freshCount++;
    }

    long now() {
        return clock.getAsLong();
    }

    /** A collection that began at {@code start} is over; {@code recycled}: it returned the size needed. */
    void collected(long start, boolean recycled) {
        long end = clock.getAsLong();
        lastCost = end - start;
        lastEnd = end;
        recycling = recycled;
        freshBytes = 0;
        freshCount = 0;
    }
}
