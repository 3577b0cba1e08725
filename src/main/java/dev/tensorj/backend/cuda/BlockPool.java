package dev.tensorj.backend.cuda;

import dev.tensorj.backend.BackendException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A caching allocator for one device: freed blocks go to a free list of their size class and are
 * handed out again, so steady training makes no {@code cuMemAlloc}/{@code cuMemFree} calls.
 *
 * <p>Frees are stream-ordered: a block is released as soon as its storage is freed, possibly while
 * queued kernels still use it. That is safe because every op of a device runs on that device's one
 * stream, so whoever gets the block next queues its work behind those kernels. Only returning
 * blocks to the driver needs a synchronisation ({@link #emptyCache()}).
 *
 * <p>Blocks of unreachable tensors come back through a {@link java.lang.ref.Cleaner}, that is,
 * only after a garbage collection, which the pool requests itself: on some cache misses (see
 * {@link GcPolicy}) and when the device is out of memory.
 *
 * <p>Thread-safe: one lock guards the lists and counters; the driver is called outside it, so the
 * cleaner thread can return blocks while an allocation waits for the collector.
 */
final class BlockPool<B> {
    /** Sizes up to 1 MiB round up to 512-byte steps; larger ones to 16 steps per power of two. */
    static final long SMALL_STEP = 512;
    static final long SMALL_LIMIT = 1L << 20;
    static final int STEPS_PER_DOUBLING = 16;

    /** Runs a garbage collection and waits for the cleaner to return what it found. */
    interface Collector {
        void collect(LongSupplier releases);
    }

    /** A block and its size class, which {@link #release} needs back. */
    record Block<B>(B handle, long size) {}

    private final RawAllocator<B> raw;
    private final long gcSlack;
    private final GcPolicy policy;
    private final Collector collector;
    private final Object lock = new Object();
    private final Map<Long, ArrayDeque<B>> free = new HashMap<>();
    private long inUse;
    private long cached;
    private long deviceAllocs;
    private long gcRequests;
    private long releases;

    /**
     * @param gcSlack       fresh bytes after which a cache miss always collects first
     * @param gcIntervalNs  the least time between collections that are not forced by the slack
     */
    BlockPool(RawAllocator<B> raw, long gcSlack, long gcIntervalNs, Collector collector,
              LongSupplier clock) {
        this.raw = raw;
        this.gcSlack = gcSlack;
        this.policy = new GcPolicy(gcSlack, gcIntervalNs, clock);
        this.collector = collector;
    }

    /** The size class of a request: what is actually reserved for it. */
    static long sizeClass(long bytes) {
        if (bytes <= 0 || bytes > (1L << 60)) {
            throw new IllegalArgumentException("cannot allocate " + bytes + " bytes");
        }
        if (bytes <= SMALL_LIMIT) {
            return roundUp(bytes, SMALL_STEP);
        }
        long nextPow2 = Long.highestOneBit(bytes - 1) << 1;
        return roundUp(bytes, nextPow2 / STEPS_PER_DOUBLING); // at most 1/8 wasted
    }

    private static long roundUp(long n, long step) {
        return (n + step - 1) / step * step;
    }

    /**
     * A block of at least {@code bytes}.
     *
     * @throws BackendException (out of memory) when the device cannot provide it even after the cache is
     *     emptied and the garbage collector has returned the blocks of unreachable tensors
     */
    Block<B> acquire(String op, long bytes) {
        long size = sizeClass(bytes);
        boolean askCollector;
        synchronized (lock) {
            B b = take(size);
            if (b != null) {
                return new Block<>(b, size);
            }
            askCollector = policy.shouldCollect(size);
        }
        if (askCollector) {
            B b = collectAndTake(size);
            if (b != null) {
                return new Block<>(b, size);
            }
        }
        B b = allocateRaw(size);
        if (b == null) {
            // Out of memory. The cache may hold blocks of other sizes, and unreachable tensors more.
            emptyCache();
            b = allocateRaw(size);
        }
        if (b == null) {
            b = collectAndTake(size);
        }
        if (b == null) {
            emptyCache();
            b = allocateRaw(size);
        }
        if (b == null) {
            long[] info = raw.memoryInfo();
            throw BackendException.outOfMemory(op, bytes, info[0], info[1]);
        }
        return new Block<>(b, size);
    }

    /** Puts a block back on its free list. Called by storages and by the cleaner thread. */
    void release(B block, long size) {
        synchronized (lock) {
            free.computeIfAbsent(size, s -> new ArrayDeque<>()).push(block);
            inUse -= size;
            cached += size;
            releases++;
        }
    }

    /** Returns every cached block to the driver, after the device has finished using them. */
    void emptyCache() {
        List<B> drop = new ArrayList<>();
        synchronized (lock) {
            for (ArrayDeque<B> list : free.values()) {
                drop.addAll(list);
                list.clear();
            }
            cached = 0;
        }
        if (!drop.isEmpty()) {
            raw.synchronize();
            for (B b : drop) {
                raw.free(b);
            }
        }
    }

    PoolStats stats() {
        synchronized (lock) {
            return new PoolStats(inUse, cached, deviceAllocs, gcRequests);
        }
    }

    private long releases() {
        synchronized (lock) {
            return releases;
        }
    }

    /** Under the lock: a cached block of exactly this class, or null. */
    private B take(long size) {
        ArrayDeque<B> list = free.get(size);
        B b = list == null ? null : list.poll();
        if (b != null) {
            cached -= size;
            inUse += size;
        }
        return b;
    }

    private B allocateRaw(long size) {
        B b = raw.allocate(size);
        if (b != null) {
            synchronized (lock) {
                inUse += size;
                deviceAllocs++;
                policy.allocated(size);
            }
        }
        return b;
    }

    /**
     * Collects garbage, then takes a returned block if one fits. When the collector returned only
     * other sizes (shapes changed), a large cache is dropped so that stale sizes cannot pile up.
     */
    private B collectAndTake(long size) {
        long start;
        synchronized (lock) {
            gcRequests++;
            start = policy.now();
        }
        collector.collect(this::releases);
        B b;
        boolean stale;
        synchronized (lock) {
            b = take(size);
            stale = b == null && cached > gcSlack / 2;
            policy.collected(start, b != null);
        }
        if (stale) {
            emptyCache();
        }
        return b;
    }

    /**
     * The default collector: {@code System.gc()}, then wait until the cleaner thread has stopped
     * returning blocks (3 ms without a release), at most about 100 ms. When nothing was unreachable
     * it gives up after about 20 ms.
     */
    static void gcAndWait(LongSupplier releases) {
        long before = releases.getAsLong();
        System.gc();
        long last = before;
        int quiet = 0;
        for (int i = 0; i < 100 && quiet < 3; i++) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long now = releases.getAsLong();
            if (now != last) {
                last = now;
                quiet = 0;
            } else if (now != before || i >= 20) {
                quiet++;
            }
        }
    }
}
