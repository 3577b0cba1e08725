package dev.tensorj.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The prefetch thread of a {@link BatchIterator}: what a consumer can rely on when it closes an
 * epoch, is interrupted, or a batch fails with something other than a RuntimeException. Items are
 * plain integers (a one-item batch is its item), so no tensor is involved.
 */
class PrefetchThreadTest {
    @AfterEach
    void clearInterrupt() {
        Thread.interrupted(); // a test that leaves the flag set must not disturb the next one
    }

    /** {@code size} items, each made by {@code item}, in one-item batches. */
    private static DataLoader<Integer, Integer> loader(int size, IntFunction<Integer> item, int prefetch) {
        Dataset<Integer> items = new Dataset<>() {
            @Override
            public int size() {
                return size;
            }

            @Override
            public Integer get(int index) {
                return item.apply(index);
            }
        };
        return DataLoader.of(items, 1, batch -> batch.get(0)).prefetch(prefetch);
    }

    private static Optional<Thread> loaderThread() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("tensorj-data-loader-")).findFirst();
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(20, TimeUnit.SECONDS), "the prefetch thread did not get there");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** The loader thread is a daemon: an epoch left unfinished does not keep the JVM from exiting. */
    @Test
    void theThreadIsADaemon() {
        CountDownLatch building = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (BatchIterator<Integer> it = loader(3, i -> {
            building.countDown();
            await(release);
            return i;
        }, 1).iterator()) {
            await(building);
            Thread thread = loaderThread().orElseThrow();
            assertTrue(thread.isDaemon(), thread + " is not a daemon");
            release.countDown();
            assertEquals(0, it.next());
        }
    }

    /** close() waits for the batch being built to finish, even one that ignores interrupts. */
    @Test
    void closeWaitsForTheBatchBeingBuilt() {
        CountDownLatch building = new CountDownLatch(1);
        AtomicInteger finished = new AtomicInteger();
        BatchIterator<Integer> it = loader(5, i -> {
            if (i == 1) {
                building.countDown();
                long end = System.nanoTime() + 300_000_000L;
                while (System.nanoTime() < end) {
                    Thread.onSpinWait(); // deaf to the interrupt of close()
                }
                finished.incrementAndGet();
            }
            return i;
        }, 1).iterator();
        assertEquals(0, it.next());
        await(building);
        it.close();
        assertEquals(1, finished.get(), "close() returned while batch 1 was still being built");
        assertFalse(loaderThread().isPresent(), "the thread outlived close()");
        assertFalse(it.hasNext());
    }

    /** close() interrupts a build that waits (a blocked read), rather than waiting for it. */
    @Test
    void closeInterruptsABuildThatWaits() {
        CountDownLatch building = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        AtomicInteger interrupted = new AtomicInteger();
        BatchIterator<Integer> it = loader(5, i -> {
            if (i == 1) {
                building.countDown();
                try {
                    never.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    interrupted.incrementAndGet();
                    throw new IllegalStateException("read interrupted", e);
                }
            }
            return i;
        }, 1).iterator();
        assertEquals(0, it.next());
        await(building);
        long start = System.nanoTime();
        it.close();
        assertTrue(System.nanoTime() - start < 30_000_000_000L, "close() waited for the blocked read");
        assertEquals(1, interrupted.get(), "the blocked read was interrupted");
        assertFalse(loaderThread().isPresent());
    }

    /** After close() no further batch is built: the thread stops instead of running through the epoch. */
    @Test
    void noBatchIsBuiltAfterClose() {
        AtomicInteger built = new AtomicInteger();
        BatchIterator<Integer> it = loader(2_000, i -> {
            built.incrementAndGet();
            return i;
        }, 1).iterator();
        assertEquals(0, it.next());
        it.close();
        int atClose = built.get();
        assertTrue(atClose <= 4, atClose + " batches built for one taken with a prefetch of 1");
        assertEquals(atClose, built.get());
    }

    /**
     * A consumer interrupted while it waits for a batch gets an IllegalStateException, keeps its
     * interrupt flag, and the epoch is closed: its thread ended, no more batches.
     */
    @Test
    void anInterruptedConsumerClosesTheEpoch() {
        CountDownLatch never = new CountDownLatch(1);
        BatchIterator<Integer> it = loader(3, i -> {
            try {
                never.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return i;
        }, 1).iterator();
        Thread.currentThread().interrupt();
        IllegalStateException e = assertThrows(IllegalStateException.class, it::hasNext);
        assertTrue(e.getMessage().contains("interrupted"), e.getMessage());
        assertTrue(e.getCause() instanceof InterruptedException, String.valueOf(e.getCause()));
        assertTrue(Thread.interrupted(), "the interrupt flag is kept");
        assertFalse(loaderThread().isPresent(), "the epoch's thread ended");
        assertFalse(it.hasNext());
    }

    /** close() itself, called with the interrupt flag set, still waits for the thread and keeps the flag. */
    @Test
    void closeWhileInterruptedStillWaitsAndKeepsTheFlag() {
        CountDownLatch building = new CountDownLatch(1);
        AtomicInteger finished = new AtomicInteger();
        BatchIterator<Integer> it = loader(5, i -> {
            if (i == 1) {
                building.countDown();
                long end = System.nanoTime() + 200_000_000L;
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
                finished.incrementAndGet();
            }
            return i;
        }, 1).iterator();
        assertEquals(0, it.next());
        await(building);
        Thread.currentThread().interrupt();
        it.close();
        assertTrue(Thread.interrupted(), "close() keeps the caller's interrupt");
        assertEquals(1, finished.get());
        assertFalse(loaderThread().isPresent());
    }

    /** An Error while building a batch is thrown as itself; a checked exception, wrapped with its cause. */
    @Test
    void errorsAndCheckedExceptionsReachTheConsumer() {
        AssertionError error = new AssertionError("item 1 is corrupt");
        BatchIterator<Integer> it = loader(3, i -> {
            if (i == 1) {
                throw error;
            }
            return i;
        }, 2).iterator();
        assertEquals(0, it.next());
        assertSame(error, assertThrows(AssertionError.class, it::next));
        assertFalse(it.hasNext());

        IOException io = new IOException("disk gone");
        BatchIterator<Integer> checked = loader(3, i -> {
            if (i == 0) {
                throw PrefetchThreadTest.<RuntimeException>sneaky(io);
            }
            return i;
        }, 2).iterator();
        IllegalStateException e = assertThrows(IllegalStateException.class, checked::next);
        assertSame(io, e.getCause());
        assertTrue(e.getMessage().contains("building a batch failed"), e.getMessage());
        assertFalse(checked.hasNext());
        assertFalse(loaderThread().isPresent());
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
