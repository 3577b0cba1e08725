package dev.tensorj.train;

import dev.tensorj.Device;
import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress a person can watch: told about each training step ({@link #step}) and each epoch's end
 * ({@link #endEpoch}), it measures samples per second, logs one line per epoch (and, with
 * {@link #logEvery}, one every n steps) through SLF4J under the logger {@value #LOGGER}, keeps a
 * live line on a terminal, and writes the history as CSV ({@link #writeCsv}) or as a PNG chart
 * ({@link #writeChart}, with XChart on the class path). PyTorch has no such class; it is a helper
 * of our own, and nothing of it is needed to train.
 *
 * <pre>{@code
 * Progress progress = new Progress(device);
 * for (int epoch = 0; epoch < 10; epoch++) {
 *     for (Tensor[] batch : loader) {
 *         ...
 *         progress.step(loss.item(), batch[0].shape()[0]);
 *     }
 *     progress.endEpoch(Map.of("accuracy", testAccuracy));
 * }
 * progress.writeCsv(Path.of("history.csv"));
 * }</pre>
 *
 * <p>The live line: when {@link System#console()} is not null (the output is a terminal; from
 * Java 22 on, when it also says {@code isTerminal()}), the
 * current epoch, step, running loss and samples per second are rewritten in place on
 * {@code System.err} with a carriage return, at most every 200 ms, and cleared before each epoch's
 * log line; elsewhere (files, CI) there is none and only log lines are written. No progress-bar
 * library is used: a carriage-return line needs no dependency. {@link #liveLine} and
 * {@link #withoutLiveLine} override the choice.
 *
 * <p>Epochs are numbered from 1, or from {@link #startingAt}'s number in a resumed run.
 *
 * <p>Timing: an epoch starts when this object is made or the previous epoch ended. Its samples per
 * second are its samples over the time from its start to its last step, so the evaluation run
 * before {@code endEpoch} does not count; its seconds run to {@code endEpoch}. Not thread-safe:
 * call it from the training loop's thread.
 */
public final class Progress {
    /** The SLF4J logger's name, stable so that applications can configure it. */
    public static final String LOGGER = "dev.tensorj.progress";

    private static final long LIVE_INTERVAL_NANOS = 200_000_000L;

    private final String device;
    private final LongSupplier clock;
    private final Logger log;
    private final List<EpochRecord> history = new ArrayList<>();
    private PrintStream live;
    private int logEvery;
    private int stepsPerEpoch;
    private int firstEpoch = 1;

    private long epochStart;
    private long lastStep;
    private int steps;
    private long samples;
    private double lossSum;
    private long lastLive = Long.MIN_VALUE;
    private int liveWidth;

    /**
     * A progress report for training on {@code device}.
     *
     * @param device the device trained on, named in each epoch's line
     */
    public Progress(Device device) {
        this(device, System::nanoTime, LoggerFactory.getLogger(LOGGER));
        if (onTerminal()) {
            live = System.err;
        }
    }

    /**
     * Whether the output is a terminal: {@link System#console()} is not null, and, from Java 22 on
     * (where a console exists for redirected output too), its {@code isTerminal()} says so.
     */
    private static boolean onTerminal() {
        Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(c);
        } catch (NoSuchMethodException e) {
            return true; // before Java 22 a console exists only on a terminal
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    /** With a clock and logger of the caller's (the tests'); no live line. */
    Progress(Device device, LongSupplier nanoClock, Logger log) {
        this.device = Objects.requireNonNull(device, "Progress: device is null").toString();
        this.clock = nanoClock;
        this.log = log;
        this.epochStart = nanoClock.getAsLong();
        this.lastStep = epochStart;
    }

    /**
     * Also logs a line every {@code n} steps of an epoch: the epoch's running loss and samples per
     * second so far. {@code 0}, the default, logs per epoch only.
     *
     * @param n the number of steps between two lines, or 0
     * @return this
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public Progress logEvery(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("Progress.logEvery: n must be >= 0, got " + n);
        }
        logEvery = n;
        return this;
    }

    /**
     * The number of steps in an epoch, when known (e.g. the loader's size): the live line then
     * shows {@code step/total}. {@code 0}, the default, leaves it out.
     *
     * @param n the steps per epoch, or 0
     * @return this
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public Progress stepsPerEpoch(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("Progress.stepsPerEpoch: n must be >= 0, got " + n);
        }
        stepsPerEpoch = n;
        return this;
    }

    /**
     * Numbers the epochs from {@code firstEpoch} instead of 1, for a run resumed after epoch
     * {@code firstEpoch - 1} (e.g. {@code startingAt(checkpoint.epoch() + 1)}): its log lines, live
     * line, {@link #history()}, CSV and chart then continue the numbering of the run it resumes. They
     * hold this object's epochs only: to keep the first run's CSV, write this one to another file.
     *
     * @param firstEpoch the number of this object's first epoch, at least 1
     * @return this
     * @throws IllegalArgumentException if {@code firstEpoch} is less than 1
     * @throws IllegalStateException if an epoch has already ended (its number is taken)
     */
    public Progress startingAt(int firstEpoch) {
        if (firstEpoch < 1) {
            throw new IllegalArgumentException("Progress.startingAt: firstEpoch must be >= 1, got " + firstEpoch);
        }
        if (!history.isEmpty()) {
            throw new IllegalStateException("Progress.startingAt: " + history.size() + " epoch(s) already ended,"
                    + " numbered from " + this.firstEpoch + "; set the first epoch before the first endEpoch");
        }
        this.firstEpoch = firstEpoch;
        return this;
    }

    /**
     * Keeps the live line on {@code out}, terminal or not.
     *
     * @param out where the line is rewritten with carriage returns
     * @return this
     */
    public Progress liveLine(PrintStream out) {
        live = Objects.requireNonNull(out, "Progress.liveLine: out is null");
        return this;
    }

    /**
     * No live line, even on a terminal: log lines only.
     *
     * @return this
     */
    public Progress withoutLiveLine() {
        live = null;
        return this;
    }

    /**
     * Records one training step.
     *
     * @param loss the step's loss (the mean over its batch, as PyTorch's losses return by default)
     * @param batchSize the samples in the step's batch
     * @throws IllegalArgumentException if {@code batchSize} is not positive
     */
    public void step(double loss, long batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("Progress.step: batchSize must be > 0, got " + batchSize);
        }
        lastStep = clock.getAsLong();
        steps++;
        samples += batchSize;
        lossSum += loss * batchSize;
        if (logEvery > 0 && steps % logEvery == 0) {
            clearLive();
            log.info(String.format(Locale.ROOT, "epoch %d step %d: loss %.6f, %.1f samples/s",
                    epoch(), steps, lossSum / samples, samplesPerSecond()));
        }
        if (live != null && (lastLive == Long.MIN_VALUE || lastStep - lastLive >= LIVE_INTERVAL_NANOS)) {
            lastLive = lastStep;
            String stepText = stepsPerEpoch > 0 ? steps + "/" + stepsPerEpoch : Integer.toString(steps);
            String line = String.format(Locale.ROOT, "epoch %d step %s: loss %.6f, %.1f samples/s",
                    epoch(), stepText, lossSum / samples, samplesPerSecond());
            live.print("\r" + line + " ".repeat(Math.max(0, liveWidth - line.length())));
            live.flush();
            liveWidth = line.length();
        }
    }

    /**
     * Ends the epoch without metrics.
     *
     * @return the epoch's record, also added to {@link #history()}
     */
    public EpochRecord endEpoch() {
        return endEpoch(Map.of());
    }

    /**
     * Ends the epoch: logs its line (loss, metrics, samples per second, seconds, device), adds it to
     * the history and starts the next one.
     *
     * @param metrics metrics of the epoch such as {@code "accuracy"}, logged and written in their
     *     iteration order (use a {@link LinkedHashMap} to fix it)
     * @return the epoch's record, also added to {@link #history()}
     */
    public EpochRecord endEpoch(Map<String, Double> metrics) {
        Objects.requireNonNull(metrics, "Progress.endEpoch: metrics is null");
        long now = clock.getAsLong();
        EpochRecord r = new EpochRecord(epoch(), steps == 0 ? Double.NaN : lossSum / samples,
                metrics, samples, (now - epochStart) / 1e9, samplesPerSecond());
        history.add(r);
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "epoch %d: loss %.6f", r.epoch(), r.loss()));
        r.metrics().forEach((k, v) -> line.append(String.format(Locale.ROOT, ", %s %.6f", k, v)));
        line.append(String.format(Locale.ROOT, ", %.1f samples/s, %.2f s on %s", r.samplesPerSecond(), r.seconds(), device));
        clearLive();
        log.info(line.toString());
        epochStart = now;
        lastStep = now;
        steps = 0;
        samples = 0;
        lossSum = 0;
        lastLive = Long.MIN_VALUE;
        return r;
    }

    /**
     * The epochs ended so far.
     *
     * @return an unmodifiable copy, in order
     */
    public List<EpochRecord> history() {
        return List.copyOf(history);
    }

    /**
     * Writes the history as CSV (RFC 4180, {@code \n} line ends): a header
     * {@code epoch,loss,<metrics...>,samples_per_second,seconds}, then one row per epoch. The
     * metric columns are every metric name in the order first seen; an epoch without one leaves
     * its cell empty. Numbers are written as {@link Double#toString(double)} (exact). With no epoch
     * recorded the file holds the header alone (a valid CSV of no rows).
     *
     * @param path the file, created or replaced
     * @throws UncheckedIOException if it cannot be written
     */
    public void writeCsv(Path path) {
        Objects.requireNonNull(path, "Progress.writeCsv: path is null");
        List<String> names = metricNames();
        List<String> header = new ArrayList<>(List.of("epoch", "loss"));
        header.addAll(names);
        header.addAll(List.of("samples_per_second", "seconds"));
        CSVFormat format = CSVFormat.DEFAULT.builder().setRecordSeparator("\n").build();
        try (Writer w = Files.newBufferedWriter(path, StandardCharsets.UTF_8);
                CSVPrinter csv = new CSVPrinter(w, format)) {
            csv.printRecord(header);
            for (EpochRecord r : history) {
                List<String> row = new ArrayList<>();
                row.add(Integer.toString(r.epoch()));
                row.add(Double.toString(r.loss()));
                for (String n : names) {
                    Double v = r.metrics().get(n);
                    row.add(v == null ? "" : Double.toString(v));
                }
                row.add(Double.toString(r.samplesPerSecond()));
                row.add(Double.toString(r.seconds()));
                csv.printRecord(row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Progress.writeCsv: cannot write " + path, e);
        }
    }

    /**
     * Draws the history as a PNG chart: loss per epoch on the left axis, each metric (such as
     * accuracy) on the right one. Needs XChart ({@code org.knowm.xchart:xchart}), an optional
     * dependency of tensorj that the application adds; works headless.
     *
     * @param path the PNG file, created or replaced
     * @throws IllegalStateException if no epoch has ended yet (a chart needs one; the file is not
     *     touched), or if XChart is not on the class or module path
     * @throws UncheckedIOException if the file cannot be written
     */
    public void writeChart(Path path) {
        Objects.requireNonNull(path, "Progress.writeChart: path is null");
        if (history.isEmpty()) { // asked before XChart, which would refuse an empty series with its own words
            throw new IllegalStateException("Progress.writeChart: no epoch recorded, nothing to draw (call endEpoch"
                    + " at the end of each epoch; a resumed run that had no epoch left to train has none)");
        }
        if (!xchartPresent()) {
            throw new IllegalStateException("Progress.writeChart needs XChart (org.knowm.xchart:xchart), an optional"
                    + " dependency of tensorj: add it to your project to draw charts");
        }
        ProgressChart.write(history, metricNames(), path);
    }

    /** Asked here, not in ProgressChart: verifying that class would already need XChart. */
    private static boolean xchartPresent() {
        try {
            Class.forName("org.knowm.xchart.XYChart", false, Progress.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private List<String> metricNames() {
        Set<String> names = new LinkedHashSet<>();
        history.forEach(r -> names.addAll(r.metrics().keySet()));
        return List.copyOf(names);
    }

    /** The current epoch's number. */
    private int epoch() {
        return firstEpoch + history.size();
    }

    private double samplesPerSecond() {
        long nanos = lastStep - epochStart;
        return nanos <= 0 ? 0 : samples / (nanos / 1e9);
    }

    private void clearLive() {
        if (live != null && liveWidth > 0) {
            live.print("\r" + " ".repeat(liveWidth) + "\r");
            live.flush();
            liveWidth = 0;
        }
    }
}
