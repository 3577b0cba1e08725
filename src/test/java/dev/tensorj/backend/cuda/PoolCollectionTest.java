package dev.tensorj.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.backend.cuda.BlockPoolTest.FakeDevice;
import dev.tensorj.backend.cuda.BlockPoolTest.FakeHeap;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/**
 * When the pool asks the garbage collector for unreachable blocks ({@link GcPolicy}, on a fake
 * clock), how long the default collector waits for the cleaner ({@link BlockPool#gcAndWait}, by
 * the number of times it looks), and the stale cache it drops when a collection brought back only
 * other sizes. No GPU needed.
 */
class PoolCollectionTest {

    @Test
    void theSlackIsAHardCapOnFreshBytes() {
        GcPolicy p = new GcPolicy(1000, Long.MAX_VALUE / 4, () -> 0);
        assertFalse(p.shouldCollect(1000), "exactly the slack is still allowed");
        assertTrue(p.shouldCollect(1001));
        p.allocated(600);
        assertFalse(p.shouldCollect(400));
        assertTrue(p.shouldCollect(401));
        p.collected(0, false); // a collection starts the count afresh
        assertFalse(p.shouldCollect(1000));
    }

    @Test
    void aRecyclingLoopCollectsOncePerIntervalOrTenTimesItsCost() {
        long[] now = {0};
        GcPolicy p = new GcPolicy(Long.MAX_VALUE / 4, 100, () -> now[0]);
        now[0] = 5;
        p.collected(0, true); // took 5 ns and recycled: the interval (100) rules
        now[0] = 5 + 99;
        assertFalse(p.shouldCollect(1));
        now[0] = 5 + 100;
        assertTrue(p.shouldCollect(1));
        assertEquals(105, p.now());
        now[0] = 1000;
        p.collected(980, true); // took 20 ns: ten times that (200) is longer than the interval
        now[0] = 1000 + 199;
        assertFalse(p.shouldCollect(1));
        now[0] = 1000 + 200;
        assertTrue(p.shouldCollect(1));
    }

    @Test
    void withoutRecyclingItProbesOnlyEveryProbeAllocs() {
        long[] now = {0};
        GcPolicy p = new GcPolicy(Long.MAX_VALUE / 4, 100, () -> now[0]);
        p.collected(0, false); // found nothing of the size needed
        now[0] = 1_000_000; // long past the interval
        for (int i = 0; i < GcPolicy.PROBE_ALLOCS - 1; i++) {
            p.allocated(1);
            assertFalse(p.shouldCollect(1), "after " + (i + 1) + " fresh blocks");
        }
        p.allocated(1);
        assertTrue(p.shouldCollect(1));
        // and before the interval even the probe waits
        p.collected(now[0], false);
        for (int i = 0; i < GcPolicy.PROBE_ALLOCS; i++) {
            p.allocated(1);
        }
        assertFalse(p.shouldCollect(1));
    }

    /** Counts the collector's looks at the release counter, which advances as {@code counts} says. */
    private static int looks(LongSupplier counts) {
        AtomicInteger calls = new AtomicInteger();
        BlockPool.gcAndWait(() -> {
            calls.incrementAndGet();
            return counts.getAsLong();
        });
        return calls.get();
    }

    @Test
    void theCollectorWaitsForTheCleanerToGoQuiet() {
        // Nothing comes back: it gives up after 20 looks and 3 quiet ones (plus the first read).
        assertEquals(1 + 23, looks(() -> 7));
        // Three releases, then quiet: 3 quiet looks after the last, without the 20 of the empty case.
        AtomicInteger n = new AtomicInteger();
        assertEquals(1 + 3 + 3, looks(() -> Math.min(n.getAndIncrement(), 3)));
        // Releases that never stop: at most 100 looks after the first.
        AtomicInteger m = new AtomicInteger();
        assertEquals(1 + 100, looks(m::getAndIncrement));
    }

    @Test
    void anInterruptedCollectorReturnsAtOnceAndKeepsTheInterrupt() {
        Thread.currentThread().interrupt();
        try {
            assertEquals(1, looks(() -> 0));
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }

    /**
     * A collection that returns only other sizes (the shapes changed) drops a cache larger than half
     * the slack, so that stale sizes cannot pile up; a smaller one is kept.
     */
    @Test
    void aCollectionThatFoundOnlyOtherSizesDropsALargeCache() {
        for (int cachedBlocks : new int[] {5, 4}) {
            FakeDevice dev = new FakeDevice(1 << 20);
            FakeHeap heap = new FakeHeap();
            BlockPool<Long> pool = new BlockPool<>(dev, 4096, Long.MAX_VALUE / 4, heap, () -> 0);
            heap.pool = pool;
            List<BlockPool.Block<Long>> small = new java.util.ArrayList<>();
            for (int i = 0; i < cachedBlocks; i++) {
                small.add(pool.acquire("t", 512));
            }
            for (BlockPool.Block<Long> b : small) {
                pool.release(b.handle(), b.size()); // cached: 2560 bytes, or 2048 (exactly half the slack)
            }
            dev.calls.clear();
            pool.acquire("t", 4096); // slack exceeded: collect first; nothing of this size comes back
            assertEquals(1, heap.collections);
            if (cachedBlocks == 5) {
                assertEquals(List.of("sync", "free", "free", "free", "free", "free", "alloc"), dev.calls);
                assertEquals(new PoolStats(4096, 0, cachedBlocks + 1, 1), pool.stats());
            } else {
                assertEquals(List.of("alloc"), dev.calls);
                assertEquals(new PoolStats(4096, 2048, cachedBlocks + 1, 1), pool.stats());
            }
        }
    }
}
