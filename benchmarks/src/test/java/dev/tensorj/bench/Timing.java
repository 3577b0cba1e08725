package dev.tensorj.bench;

import java.util.Arrays;

/**
 * Timing shared by the benchmarks: {@link Samples} (milliseconds per operation, one value per timed
 * sample, so a table can show the median with min and max) and a call-by-call loop. The CPU suite
 * times its contenders in interleaved rounds instead ({@link Rounds}).
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

        /** NaN when there are no samples (a group left out of a partial run). */
        double median() {
            int n = ms.length;
            return n == 0 ? Double.NaN : n % 2 == 1 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
        }

        double min() {
            return ms.length == 0 ? Double.NaN : ms[0];
        }

        double max() {
            return ms.length == 0 ? Double.NaN : ms[ms.length - 1];
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

    /** Lets spinning worker threads (OpenBLAS, OpenMP) go to sleep before the next method is timed. */
    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
