package dev.tensorj.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.backend.BackendException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The pool's bookkeeping against a fake device with a fixed capacity; no GPU needed. */
class BlockPoolTest {

    /** A device of {@code capacity} bytes; blocks are numbered. Records the order of calls. */
    static final class FakeDevice implements RawAllocator<Long> {
        final long capacity;
        long used;
        long next;
        final List<String> calls = new ArrayList<>();
        final java.util.Map<Long, Long> sizes = new java.util.HashMap<>();

        FakeDevice(long capacity) {
            this.capacity = capacity;
        }

        @Override
        public synchronized Long allocate(long bytes) {
            if (used + bytes > capacity) {
                calls.add("oom");
                return null;
            }
            used += bytes;
            sizes.put(++next, bytes);
            calls.add("alloc");
            return next;
        }

        @Override
        public synchronized void free(Long block) {
            used -= sizes.remove(block);
            calls.add("free");
        }

        @Override
        public synchronized void synchronize() {
            calls.add("sync");
        }

        @Override
        public synchronized long[] memoryInfo() {
            return new long[] {capacity - used, capacity};
        }
    }

    /** Blocks the test has dropped: the fake collector "finds" them and returns them. */
    static final class FakeHeap implements BlockPool.Collector {
        final List<BlockPool.Block<Long>> unreachable = new ArrayList<>();
        BlockPool<Long> pool;
        int collections;

        @Override
        public void collect(java.util.function.LongSupplier releases) {
            collections++;
            for (BlockPool.Block<Long> b : unreachable) {
                pool.release(b.handle(), b.size());
            }
            unreachable.clear();
        }
    }

    private static final long NO_GC = Long.MAX_VALUE / 4;

    private static BlockPool<Long> pool(FakeDevice dev, long slack, FakeHeap heap) {
        return pool(dev, slack, 0, heap, () -> 0);
    }

    private static BlockPool<Long> pool(FakeDevice dev, long slack, long intervalNs, FakeHeap heap,
                                        java.util.function.LongSupplier clock) {
        BlockPool<Long> p = new BlockPool<>(dev, slack, intervalNs, heap, clock);
        heap.pool = p;
        return p;
    }

    @Test
    void sizeClassesRoundUpToFixedSteps() {
        assertEquals(512, BlockPool.sizeClass(1));
        assertEquals(512, BlockPool.sizeClass(512));
        assertEquals(1024, BlockPool.sizeClass(513));
        assertEquals(1 << 20, BlockPool.sizeClass(1 << 20));
        assertEquals((1 << 20) + (128 << 10), BlockPool.sizeClass((1 << 20) + 1)); // 2 MiB / 16 steps
        assertEquals(3L << 20, BlockPool.sizeClass(3L << 20));
        assertEquals((1L << 30) + (128L << 20), BlockPool.sizeClass((1L << 30) + 1));
        assertThrows(IllegalArgumentException.class, () -> BlockPool.sizeClass(0));
    }

    @Test
    void sizeClassWastesAtMostAnEighthAndIsStable() {
        Random r = new Random(1);
        for (int i = 0; i < 100_000; i++) {
            long bytes = 1 + (long) (Math.pow(2, 40 * r.nextDouble()));
            long c = BlockPool.sizeClass(bytes);
            assertTrue(c >= bytes, "class " + c + " < " + bytes);
            assertTrue(c - bytes < Math.max(512, bytes / 8 + 1), bytes + " -> " + c);
            assertEquals(c, BlockPool.sizeClass(c), "a class is its own class");
            assertTrue(BlockPool.sizeClass(bytes + 1) >= c, "monotonic");
        }
    }

    @Test
    void freedBlockIsReusedForTheSameClassWithoutTheDevice() {
        FakeDevice dev = new FakeDevice(1 << 20);
        BlockPool<Long> pool = pool(dev, NO_GC, new FakeHeap());
        BlockPool.Block<Long> a = pool.acquire("t", 1000);
        assertEquals(new PoolStats(1024, 0, 1, 0), pool.stats());
        pool.release(a.handle(), a.size());
        assertEquals(new PoolStats(0, 1024, 1, 0), pool.stats());
        BlockPool.Block<Long> b = pool.acquire("t", 900);
        assertSame(a.handle(), b.handle());
        assertEquals(new PoolStats(1024, 0, 1, 0), pool.stats());
        BlockPool.Block<Long> c = pool.acquire("t", 2000); // another class: a fresh block
        assertNotEquals(b.handle(), c.handle());
        assertEquals(2, pool.stats().deviceAllocs());
        assertEquals(List.of("alloc", "alloc"), dev.calls);
    }

    @Test
    void emptyCacheSynchronisesBeforeFreeing() {
        FakeDevice dev = new FakeDevice(1 << 20);
        BlockPool<Long> pool = pool(dev, NO_GC, new FakeHeap());
        BlockPool.Block<Long> a = pool.acquire("t", 512);
        BlockPool.Block<Long> b = pool.acquire("t", 4096);
        pool.release(a.handle(), a.size());
        pool.release(b.handle(), b.size());
        pool.emptyCache();
        assertEquals(List.of("alloc", "alloc", "sync", "free", "free"), dev.calls);
        assertEquals(0, dev.used);
        assertEquals(new PoolStats(0, 0, 2, 0), pool.stats());
        pool.emptyCache(); // nothing cached: no sync
        assertEquals(5, dev.calls.size());
    }

    @Test
    void outOfMemoryFirstReturnsCachedBlocksOfOtherSizes() {
        FakeDevice dev = new FakeDevice(4096);
        BlockPool<Long> pool = pool(dev, NO_GC, new FakeHeap());
        BlockPool.Block<Long> a = pool.acquire("t", 2048);
        pool.release(a.handle(), a.size());
        pool.acquire("t", 3072);
        assertEquals(List.of("alloc", "oom", "sync", "free", "alloc"), dev.calls);
        assertEquals(new PoolStats(3072, 0, 2, 0), pool.stats());
    }

    @Test
    void outOfMemoryThenAsksTheCollectorForUnreachableBlocks() {
        FakeDevice dev = new FakeDevice(4096);
        FakeHeap heap = new FakeHeap();
        BlockPool<Long> pool = pool(dev, NO_GC, heap);
        heap.unreachable.add(pool.acquire("t", 2048));
        heap.unreachable.add(pool.acquire("t", 2048));
        BlockPool.Block<Long> c = pool.acquire("t", 2000); // same class: taken from what the GC returned
        assertEquals(1, heap.collections);
        assertEquals(2, pool.stats().deviceAllocs());
        assertEquals(new PoolStats(2048, 2048, 2, 1), pool.stats());
        assertTrue(c.handle() == 1L || c.handle() == 2L);
    }

    @Test
    void outOfMemoryThrowsWithSizesAndThePoolStaysUsable() {
        FakeDevice dev = new FakeDevice(4096);
        BlockPool<Long> pool = pool(dev, NO_GC, new FakeHeap());
        pool.acquire("t", 1024);
        BackendException e = assertThrows(BackendException.class, () -> pool.acquire("matmul", 8192));
        assertEquals(BackendException.Kind.OUT_OF_MEMORY, e.kind());
        assertArrayEquals(new long[] {8192, 3072, 4096}, e.memory()); // requested, free, total
        assertEquals("matmul", e.op());
        pool.acquire("t", 1024); // the device is still usable
        assertEquals(2048, pool.stats().bytesInUse());
    }

    @Test
    void theSlackCapsFreshMemoryBetweenCollections() {
        FakeDevice dev = new FakeDevice(1L << 40);
        FakeHeap heap = new FakeHeap();
        long slack = 64 << 10;
        BlockPool<Long> pool = pool(dev, slack, heap);
        BlockPool.Block<Long> params = pool.acquire("t", 10_000); // stays live
        long maxReserved = 0;
        for (int step = 0; step < 10_000; step++) {
            for (long bytes : new long[] {4096, 512, 8192, 4096}) {
                heap.unreachable.add(pool.acquire("t", bytes)); // dropped without close()
            }
            maxReserved = Math.max(maxReserved, pool.stats().bytesReserved());
        }
        PoolStats s = pool.stats();
        long step = 4096 + 512 + 8192 + 4096;
        assertTrue(maxReserved <= params.size() + slack + step, "reserved " + maxReserved);
        // Once the first collection has run, every size comes back from the collector.
        assertTrue(s.deviceAllocs() <= 1 + (slack / step + 1) * 4, "allocations " + s.deviceAllocs());
        assertTrue(heap.collections < 10_000 / 2, "collections " + heap.collections);
        heap.collect(() -> 0);
        assertEquals(params.size(), pool.stats().bytesInUse());
    }

    /** One training step's blocks, all dropped without close(). */
    private static void step(BlockPool<Long> pool, FakeHeap heap) {
        for (long bytes : new long[] {4096, 512, 8192, 4096}) {
            heap.unreachable.add(pool.acquire("t", bytes));
        }
    }

    @Test
    void aSteadyLoopRecyclesAfterOneProbe() {
        FakeDevice dev = new FakeDevice(1L << 40);
        FakeHeap heap = new FakeHeap();
        BlockPool<Long> pool = pool(dev, NO_GC, heap);
        for (int i = 0; i < 10_000; i++) {
            step(pool, heap);
        }
        // PROBE_ALLOCS fresh blocks, one collection, then every miss is met by the collector.
        assertTrue(pool.stats().deviceAllocs() <= GcPolicy.PROBE_ALLOCS + 4, "" + pool.stats());
    }

    @Test
    void collectionsWaitForTheIntervalAndThePoolStopsGrowing() {
        FakeDevice dev = new FakeDevice(1L << 40);
        FakeHeap heap = new FakeHeap();
        long[] now = {0};
        BlockPool<Long> pool = pool(dev, NO_GC, 10_000, heap, () -> now[0]);
        long allocsAtHalf = 0;
        for (int i = 0; i < 20_000; i++) {
            now[0] += 40; // each step takes 40 ns of fake time: a cycle needs >= 250 steps
            step(pool, heap);
            if (i == 10_000) {
                allocsAtHalf = pool.stats().deviceAllocs();
            }
        }
        PoolStats s = pool.stats();
        assertEquals(allocsAtHalf, s.deviceAllocs(), "still taking memory: " + s);
        assertTrue(s.deviceAllocs() < 4 * 600, "" + s);
        assertTrue(heap.collections <= 20_000 * 40 / 10_000 + 1, "collections " + heap.collections);
    }

    @Test
    void withNothingToRecycleItCollectsOncePerProbe() {
        FakeDevice dev = new FakeDevice(1L << 40);
        FakeHeap heap = new FakeHeap();
        BlockPool<Long> pool = pool(dev, NO_GC, heap);
        for (int i = 0; i < 10 * GcPolicy.PROBE_ALLOCS; i++) {
            pool.acquire("t", 512); // kept: a growing workload
        }
        assertEquals(9, heap.collections);
    }

    @Test
    void concurrentAcquireAndReleaseKeepTheCountsExact() throws Exception {
        FakeDevice dev = new FakeDevice(1L << 40);
        BlockPool<Long> pool = pool(dev, NO_GC, new FakeHeap());
        ExecutorService ex = Executors.newFixedThreadPool(4);
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int seed = t;
            fs.add(ex.submit(() -> {
                Random r = new Random(seed);
                for (int i = 0; i < 20_000; i++) {
                    BlockPool.Block<Long> b = pool.acquire("t", 1 + r.nextInt(1 << 16));
                    pool.release(b.handle(), b.size());
                }
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        ex.shutdown();
        PoolStats s = pool.stats();
        assertEquals(0, s.bytesInUse());
        assertEquals(dev.used, s.bytesCached());
    }
}
