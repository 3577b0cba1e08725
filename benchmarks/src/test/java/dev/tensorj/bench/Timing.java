package dev.tensorj.bench;

import java.util.Arrays;

/**
 * The timing loops shared by the benchmarks. Each returns {@link Samples}: milliseconds per
 * operation, one value per timed sample, so a table can show the median with min and max.
 */
final class Timing {
    private Timing() {}

    /** Sorted milliseconds per operation, and how many operations were timed in all. */
    static final class Samples {
        final double[] ms;
        final long operations;

        Samples(double[] ms) {
            this(ms, ms.length);
        }

        Samples(double[] ms, long operations) {
            this.ms = ms.clone();
            Arrays.sort(this.ms);
            this.operations = operations;
        }

        double median() {
            int n = ms.length;
            return n % 2 == 1 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
        }

        double min() {
            return ms[0];
        }

        double max() {
            return ms[ms.length - 1];
        }

        int count() {
            return ms.length;
        }
    }

    /**
     * Times {@code body} call by call for about {@code seconds} (at least {@code minReps} calls), after
     * untimed calls for 0.2 s (at least 3, at most 50). Suits operations of a millisecond or more.
     */
    static Samples calls(Runnable body, double seconds, int minReps) {
        long t0 = System.nanoTime();
        int warm = 0;
        while (warm < 3 || System.nanoTime() - t0 < 200_000_000L && warm < 50) {
            body.run();
            warm++;
        }
        double once = (System.nanoTime() - t0) / 1e9 / warm;
        int reps = (int) Math.max(minReps, Math.min(2000, seconds / once));
        double[] ms = new double[reps];
        for (int i = 0; i < reps; i++) {
            long s = System.nanoTime();
            body.run();
            ms[i] = (System.nanoTime() - s) / 1e6;
        }
        return new Samples(ms);
    }

    /**
     * Times {@code step} in blocks of consecutive steps, each block about {@code blockSeconds} long,
     * for about {@code seconds} in all (at least {@code minBlocks} blocks); a sample is a block's time
     * divided by its steps. Blocks make microsecond steps measurable and spread a garbage
     * collection over the steps whose allocations caused it, as a training loop sees it.
     */
    static Samples steps(Runnable step, double seconds, double blockSeconds, int minBlocks) {
        long t0 = System.nanoTime();
        int probe = 0;
        while (probe < 3 || System.nanoTime() - t0 < 50_000_000L) {
            step.run();
            probe++;
        }
        double once = (System.nanoTime() - t0) / 1e9 / probe;
        int perBlock = (int) Math.max(1, Math.round(blockSeconds / once));
        int blocks = (int) Math.max(minBlocks, Math.round(seconds / (perBlock * once)));
        double[] ms = new double[blocks];
        for (int b = 0; b < blocks; b++) {
            long s = System.nanoTime();
            for (int i = 0; i < perBlock; i++) {
                step.run();
            }
            ms[b] = (System.nanoTime() - s) / 1e6 / perBlock;
        }
        return new Samples(ms, (long) blocks * perBlock);
    }

    /** Lets spinning worker threads (OpenBLAS, OpenMP) go to sleep before the next method is timed. */
    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
