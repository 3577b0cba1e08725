package dev.tensorj.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

/**
 * The CPU backend's worker pool: one thread per core (system property {@code tensorj.cpu.threads}
 * overrides). The common pool is not used because it has cores - 1 workers.
 */
final class CpuThreads {
    /**
     * Below this many elements an elementwise kernel runs on the calling thread. Waking a parked
     * worker cost 60-80 µs on the development machine (a 2-vCPU KVM guest): an add over 64K
     * floats took 31 µs on one thread and 96 µs split in two, and up to 512K floats one thread
     * was as fast as two for add and mul (two win from 1M on). {@code -Dtensorj.cpu.parallelMinElements}.
     */
    static final int PARALLEL_MIN_ELEMENTS = Integer.getInteger("tensorj.cpu.parallelMinElements", 1 << 19);

    static final int THREADS = Math.max(1,
            Integer.getInteger("tensorj.cpu.threads", Runtime.getRuntime().availableProcessors()));

    private static final ForkJoinPool POOL = THREADS == 1 ? null : new ForkJoinPool(THREADS, pool -> {
        var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
        t.setDaemon(true);
        t.setName("tensorj-cpu-" + t.getPoolIndex());
        return t;
    }, null, false);

    /** A loop body over a half-open range. */
    interface RangeBody {
        void run(int from, int to);
    }

    private CpuThreads() {}

    /**
     * Whether {@link #parallelFor} would run {@code [0, n)} on the calling thread. Hot kernels ask
     * first and then run their loop directly: a small step's ops would otherwise each allocate the
     * capturing lambda that only a split needs (the heap a small training step costs).
     */
    static boolean serial(int n, int grain) {
        return POOL == null || n < grain || n < 2 || ForkJoinTask.getPool() == POOL; // no nested fan-out
    }

    /**
     * Runs {@code body} over {@code [0, n)}, split into one chunk per thread when {@code n} is at
     * least {@code grain}; otherwise on the calling thread.
     */
    static void parallelFor(int n, int grain, RangeBody body) {
        if (serial(n, grain)) {
            body.run(0, n);
            return;
        }
        int chunks = Math.min(THREADS, n);
        POOL.invoke(new RecursiveAction() {
            @Override
            protected void compute() {
                ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[chunks - 1];
                for (int c = 1; c < chunks; c++) {
                    int from = (int) ((long) n * c / chunks);
                    int to = (int) ((long) n * (c + 1) / chunks);
                    tasks[c - 1] = ForkJoinTask.adapt(() -> body.run(from, to)).fork();
                }
                body.run(0, (int) ((long) n / chunks));
                for (ForkJoinTask<?> t : tasks) {
                    t.join();
                }
            }
        });
    }
}
