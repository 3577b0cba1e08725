package dev.tensorj.junit;

import dev.tensorj.Cuda;
import dev.tensorj.Device;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.function.Executable;

/**
 * Timings for benchmarks run from JUnit that a GPU's launch queue cannot fool: the device is
 * synchronised before the clock is read at the start and again before it is read at the end
 * ({@link Cuda#synchronize}), so a CUDA block is timed until its last kernel has finished, not
 * until the last one was queued. Warm-up runs come first (JIT, pools, kernel loading), then the
 * measured repeats; the result reports their median, min and max.
 * <pre>{@code
 * Timing.Result step = Timing.on(Device.cuda(0)).warmup(5).repeats(20).measure(() -> trainOneStep());
 * Timing.Comparison c = Timing.on(Device.cuda(0)).compare(() -> fused(x), () -> composed(x));
 * System.out.println(c); // fused: median 1.20 ms ..., composed: ... ratio 0.61
 * }</pre>
 * A comparison measures the two candidates in alternating rounds (A, B, A, B, ...) so that a
 * machine that slows down or speeds up part-way through affects both alike.
 */
public final class Timing {
    private final Device device;
    private final int warmup;
    private final int repeats;
    private final Runnable sync;
    private final LongSupplier clock;

    private Timing(Device device, int warmup, int repeats, Runnable sync, LongSupplier clock) {
        this.device = device;
        this.warmup = warmup;
        this.repeats = repeats;
        this.sync = sync;
        this.clock = clock;
    }

    /** Timings of work on {@code device}: 3 warm-up runs and 10 measured ones until changed. */
    public static Timing on(Device device) {
        Objects.requireNonNull(device, "device");
        return new Timing(device, 3, 10, () -> Cuda.synchronize(device), System::nanoTime);
    }

    /** For tests of this class: a synchronisation and a clock of their own. */
    static Timing withClock(Device device, Runnable sync, LongSupplier clock) {
        return new Timing(device, 3, 10, sync, clock);
    }

    /**
     * The same timing with {@code runs} unmeasured runs first (each candidate's, in a comparison).
     *
     * @throws IllegalArgumentException if {@code runs} is negative
     */
    public Timing warmup(int runs) {
        if (runs < 0) {
            throw new IllegalArgumentException("warmup: runs must be >= 0, got " + runs);
        }
        return new Timing(device, runs, repeats, sync, clock);
    }

    /**
     * The same timing with {@code runs} measured runs (each candidate's, in a comparison).
     *
     * @throws IllegalArgumentException if {@code runs} is less than 1
     */
    public Timing repeats(int runs) {
        if (runs < 1) {
            throw new IllegalArgumentException("repeats: runs must be >= 1, got " + runs);
        }
        return new Timing(device, warmup, runs, sync, clock);
    }

    /** Times {@code block}: the warm-up runs, then each measured run between two synchronisations. */
    public Result measure(Executable block) {
        Objects.requireNonNull(block, "block");
        for (int i = 0; i < warmup; i++) {
            Throwables.run(block);
        }
        long[] nanos = new long[repeats];
        for (int i = 0; i < repeats; i++) {
            nanos[i] = once(block);
        }
        return new Result(device, nanos);
    }

    /**
     * Times {@code candidate} against {@code baseline} in alternating rounds: both warm up (A, B,
     * A, B, ...), then each round times the candidate once and the baseline once.
     */
    public Comparison compare(Executable candidate, Executable baseline) {
        Objects.requireNonNull(candidate, "candidate");
        Objects.requireNonNull(baseline, "baseline");
        for (int i = 0; i < warmup; i++) {
            Throwables.run(candidate);
            Throwables.run(baseline);
        }
        long[] a = new long[repeats];
        long[] b = new long[repeats];
        for (int i = 0; i < repeats; i++) {
            a[i] = once(candidate);
            b[i] = once(baseline);
        }
        return new Comparison(new Result(device, a), new Result(device, b));
    }

    private long once(Executable block) {
        sync.run(); // what earlier code queued must not be timed as this block's
        long start = clock.getAsLong();
        Throwables.run(block);
        sync.run(); // the block's own queued work must be
        return clock.getAsLong() - start;
    }

    /** The measured runs of one block, in nanoseconds, in the order they ran. */
    public static final class Result {
        private final Device device;
        private final long[] nanos;
        private final long[] sorted;

        Result(Device device, long[] nanos) {
            this.device = device;
            this.nanos = nanos.clone();
            this.sorted = nanos.clone();
            Arrays.sort(sorted);
        }

        /** The device that was synchronised around each run. */
        public Device device() {
            return device;
        }

        /** Each measured run's time, in the order they ran. */
        public long[] nanos() {
            return nanos.clone();
        }

        /** The median run (of an even number, the mean of the two middle ones). */
        public Duration median() {
            int n = sorted.length;
            return Duration.ofNanos(n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2);
        }

        /** The fastest run. */
        public Duration min() {
            return Duration.ofNanos(sorted[0]);
        }

        /** The slowest run. */
        public Duration max() {
            return Duration.ofNanos(sorted[sorted.length - 1]);
        }

        /** Like {@code median 1.234 ms (min 1.200 ms, max 1.400 ms; 10 runs on cuda:0)}. */
        @Override
        public String toString() {
            return "median " + millis(median()) + " (min " + millis(min()) + ", max " + millis(max()) + "; "
                    + nanos.length + " runs on " + device + ")";
        }
    }

    /** Two candidates timed in alternating rounds. */
    public static final class Comparison {
        private final Result candidate;
        private final Result baseline;

        Comparison(Result candidate, Result baseline) {
            this.candidate = candidate;
            this.baseline = baseline;
        }

        /** The first block's runs. */
        public Result candidate() {
            return candidate;
        }

        /** The second block's runs. */
        public Result baseline() {
            return baseline;
        }

        /** The candidate's median over the baseline's: below 1 when the candidate is faster. */
        public double ratio() {
            return (double) candidate.median().toNanos() / baseline.median().toNanos();
        }

        /** Like {@code candidate median 1.2 ms (...), baseline median 2.0 ms (...): ratio 0.60}. */
        @Override
        public String toString() {
            return "candidate " + candidate + ", baseline " + baseline + ": ratio "
                    + String.format(Locale.ROOT, "%.2f", ratio());
        }
    }

    private static String millis(Duration d) {
        return String.format(Locale.ROOT, "%.3f ms", d.toNanos() / 1e6);
    }
}
