package dev.tensorj.data;

import java.lang.ref.Cleaner;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * One epoch of a {@link DataLoader}: its batches in order. With prefetching, a background thread
 * builds them ahead into a bounded queue; {@link #close()} stops it and waits for it to end (as does
 * reaching the end of the epoch, or, failing both, the iterator being garbage collected). After
 * {@code close()} the epoch has no more batches; closing twice does nothing.
 *
 * @param <B> the type of one batch
 */
public final class BatchIterator<B> implements Iterator<B>, AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final List<int[]> batches;
    private final Function<int[], B> load;
    private final Producer producer; // null: batches are built in next()
    private final Cleaner.Cleanable cleanable;
    private int next;
    private Object pending; // with a producer: the item taken from the queue and not yet returned
    private boolean done;

    BatchIterator(List<int[]> batches, Function<int[], B> load, int prefetch) {
        this.batches = batches;
        this.load = load;
        if (prefetch > 0 && !batches.isEmpty()) {
            producer = new Producer(batches, load, prefetch);
            // The action holds the producer only, never this iterator, so an abandoned iterator is collected.
            cleanable = CLEANER.register(this, producer::stop);
            producer.thread.start();
        } else {
            producer = null;
            cleanable = null;
        }
    }

    @Override
    public boolean hasNext() {
        if (done) {
            return false;
        }
        if (producer == null) {
            return next < batches.size();
        }
        if (pending == null) {
            try {
                pending = producer.queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new IllegalStateException("DataLoader: interrupted while waiting for the next batch", e);
            }
        }
        if (pending == Producer.END) {
            close();
            return false;
        }
        return true;
    }

    /**
     * The next batch.
     *
     * @throws NoSuchElementException at the end of the epoch
     * @throws RuntimeException (or Error) what building this batch threw, unchanged, also on the prefetch thread
     */
    @Override
    @SuppressWarnings("unchecked")
    public B next() {
        if (!hasNext()) {
            throw new NoSuchElementException("DataLoader: the epoch has no more batches");
        }
        if (producer == null) {
            return load.apply(batches.get(next++));
        }
        Object item = pending;
        pending = null;
        if (item instanceof Failure) {
            close();
            Throwable t = ((Failure) item).cause;
            if (t instanceof RuntimeException) {
                throw (RuntimeException) t;
            }
            if (t instanceof Error) {
                throw (Error) t;
            }
            throw new IllegalStateException("DataLoader: building a batch failed", t);
        }
        next++;
        return (B) item;
    }

    /** Stops the prefetch thread, if any, and waits for it to end; the epoch then has no more batches. */
    @Override
    public void close() {
        if (done) {
            return;
        }
        done = true;
        pending = null;
        if (producer == null) {
            return;
        }
        cleanable.clean();
        boolean interrupted = false;
        while (producer.thread.isAlive()) {
            try {
                producer.thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** What building a batch threw, carried to the consumer in its place. */
    private static final class Failure {
        final Throwable cause;

        Failure(Throwable cause) {
            this.cause = cause;
        }
    }

    /** The background thread and its bounded queue; it never refers to the iterator. */
    private static final class Producer implements Runnable {
        static final Object END = new Object();
        final BlockingQueue<Object> queue;
        final Thread thread;
        private final List<int[]> batches;
        private final Function<int[], ?> load;
        private volatile boolean stopped;

        Producer(List<int[]> batches, Function<int[], ?> load, int prefetch) {
            this.batches = batches;
            this.load = load;
            this.queue = new ArrayBlockingQueue<>(prefetch);
            this.thread = new Thread(this, "tensorj-data-loader-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
        }

        void stop() {
            stopped = true;
            thread.interrupt();
        }

        @Override
        public void run() {
            try {
                for (int[] batch : batches) {
                    Object item;
                    try {
                        item = load.apply(batch);
                    } catch (Throwable t) {
                        put(new Failure(t));
                        return;
                    }
                    if (!put(item)) {
                        return;
                    }
                }
                put(END);
            } catch (InterruptedException e) {
                // stopped: the consumer closed the epoch
            }
        }

        /** Waits for room unless stopped; false when stopped. */
        private boolean put(Object item) throws InterruptedException {
            while (!stopped) {
                if (queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
                    return true;
                }
            }
            return false;
        }
    }
}
