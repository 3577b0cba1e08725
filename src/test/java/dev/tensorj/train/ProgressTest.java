package dev.tensorj.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Device;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import org.apache.commons.csv.CSVFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link Progress} on a fake clock: its numbers, its log lines, its live line, CSV and PNG. */
class ProgressTest {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private final AtomicLong now = new AtomicLong();
    private final List<String> lines = new ArrayList<>();

    /** A logger that keeps each info line, as SLF4J would print it. */
    private Logger capturing() {
        return (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class},
                (proxy, m, args) -> switch (m.getName()) {
                    case "info" -> {
                        lines.add((String) args[0]);
                        yield null;
                    }
                    case "getName" -> Progress.LOGGER;
                    default -> m.getReturnType() == boolean.class ? true : null;
                });
    }

    private Progress progress(Device d) {
        return new Progress(d, now::get, capturing());
    }

    private void at(double seconds) {
        now.set(Math.round(seconds * 1e9));
    }

    /** Two epochs written out by hand: the CSV below is exact. */
    private Progress twoEpochs() {
        Progress p = progress(Device.CPU).logEvery(2);
        at(1);
        p.step(1.0, 10);
        at(2);
        p.step(2.0, 30);
        at(4);
        p.endEpoch(Map.of("accuracy", 0.5));
        at(5);
        p.step(0.5, 20);
        at(6);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", 0.75);
        m.put("top5", 0.9);
        p.endEpoch(m);
        return p;
    }

    @Test
    void numbersOfHandWrittenEpochs() {
        List<EpochRecord> h = twoEpochs().history();
        assertEquals(2, h.size());
        assertEquals(new EpochRecord(1, 1.75, Map.of("accuracy", 0.5), 40, 4.0, 20.0), h.get(0));
        assertEquals(2, h.get(1).epoch());
        assertEquals(0.5, h.get(1).loss());
        assertEquals(20, h.get(1).samples());
        assertEquals(2.0, h.get(1).seconds());
        assertEquals(20.0, h.get(1).samplesPerSecond(), "the epoch starts at the previous one's end");
        assertEquals(List.of("accuracy", "top5"), List.copyOf(h.get(1).metrics().keySet()));
    }

    /** Random steps and times against a plain double-precision tally. */
    @Test
    void numbersOverManyRandomSteps() {
        Random r = new Random(14);
        Progress p = progress(Device.META);
        long t = 0;
        for (int epoch = 1; epoch <= 5; epoch++) {
            long start = t;
            long lastStep = t;
            double weighted = 0;
            long samples = 0;
            int steps = 1 + r.nextInt(60);
            for (int s = 0; s < steps; s++) {
                t += 1 + r.nextInt(50_000_000);
                now.set(t);
                double loss = r.nextGaussian() * 3;
                long batch = 1 + r.nextInt(64);
                p.step(loss, batch);
                weighted += loss * batch;
                samples += batch;
                lastStep = t;
            }
            t += r.nextInt(1_000_000_000);
            now.set(t);
            double acc = r.nextDouble();
            EpochRecord e = p.endEpoch(Map.of("accuracy", acc));
            assertEquals(epoch, e.epoch());
            assertEquals(weighted / samples, e.loss(), 1e-12);
            assertEquals(samples, e.samples());
            assertEquals((t - start) / 1e9, e.seconds(), 1e-12);
            assertEquals(samples / ((lastStep - start) / 1e9), e.samplesPerSecond(), 1e-9);
            assertEquals(acc, e.metrics().get("accuracy"));
        }
        assertEquals(5, p.history().size());
    }

    @Test
    void anEpochWithoutStepsHasNaNLossAndNoRate() {
        Progress p = progress(Device.CPU);
        at(3);
        EpochRecord e = p.endEpoch();
        assertTrue(Double.isNaN(e.loss()));
        assertEquals(0, e.samples());
        assertEquals(0.0, e.samplesPerSecond());
        assertEquals(3.0, e.seconds());
        assertEquals(List.of("epoch 1: loss NaN, 0.0 samples/s, 3.00 s on cpu"), lines);
    }

    @Test
    void logLinesPerEpochAndEveryNSteps() {
        twoEpochs();
        assertEquals(List.of(
                "epoch 1 step 2: loss 1.750000, 20.0 samples/s",
                "epoch 1: loss 1.750000, accuracy 0.500000, 20.0 samples/s, 4.00 s on cpu",
                "epoch 2: loss 0.500000, accuracy 0.750000, top5 0.900000, 20.0 samples/s, 2.00 s on cpu"), lines);
    }

    @Test
    void theLoggerNameIsStableAndTheDeviceIsNamed() {
        assertEquals("dev.tensorj.progress", Progress.LOGGER);
        assertEquals("dev.tensorj.progress", LoggerFactory.getLogger(Progress.LOGGER).getName());
        Progress p = progress(Device.META);
        p.step(1, 1);
        p.endEpoch();
        assertTrue(lines.get(0).endsWith(" on meta"), lines.get(0));
    }

    @Test
    void liveLineIsRewrittenAtMostEvery200msAndClearedBeforeTheEpochLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress p = progress(Device.CPU).stepsPerEpoch(3).liveLine(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        at(1);
        p.step(2.0, 4);
        at(1.1);
        p.step(1.0, 4); // within 200 ms: not drawn
        at(1.3);
        p.step(0.0, 2);
        at(2);
        p.endEpoch();
        String first = "epoch 1 step 1/3: loss 2.000000, 4.0 samples/s";
        String third = "epoch 1 step 3/3: loss 1.200000, 7.7 samples/s";
        String pad = " ".repeat(first.length() - third.length());
        assertEquals("\r" + first + "\r" + third + pad + "\r" + " ".repeat(third.length()) + "\r",
                bytes.toString(StandardCharsets.UTF_8));
        assertEquals(1, lines.size());
    }

    @Test
    void withoutLiveLineNothingIsDrawn() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress p = progress(Device.CPU).liveLine(new PrintStream(bytes)).withoutLiveLine();
        at(1);
        p.step(1, 1);
        p.endEpoch();
        assertEquals(0, bytes.size());
    }

    @Test
    void badArgumentsAreRejectedAndChangeNothing() {
        Progress p = progress(Device.CPU);
        assertThrows(IllegalArgumentException.class, () -> p.step(1, 0));
        assertThrows(IllegalArgumentException.class, () -> p.logEvery(-1));
        assertThrows(IllegalArgumentException.class, () -> p.stepsPerEpoch(-1));
        at(1);
        assertEquals(0, p.endEpoch().samples());
    }

    @Test
    void csvIsExact(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("history.csv");
        twoEpochs().writeCsv(f);
        assertEquals("epoch,loss,accuracy,top5,samples_per_second,seconds\n"
                + "1,1.75,0.5,,20.0,4.0\n"
                + "2,0.5,0.75,0.9,20.0,2.0\n", Files.readString(f));
    }

    @Test
    void csvQuotesMetricNamesThatNeedIt(@TempDir Path dir) throws Exception {
        Progress p = progress(Device.CPU);
        at(1);
        p.step(1, 1);
        p.endEpoch(Map.of("f1, macro", 0.25));
        Path f = dir.resolve("h.csv");
        p.writeCsv(f);
        var records = CSVFormat.DEFAULT.parse(Files.newBufferedReader(f)).getRecords();
        assertEquals("f1, macro", records.get(0).get(2));
        assertEquals("0.25", records.get(1).get(2));
    }

    @Test
    void chartIsAReadablePng(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("history.png");
        twoEpochs().writeChart(f);
        BufferedImage img = ImageIO.read(f.toFile());
        assertEquals(800, img.getWidth());
        assertEquals(500, img.getHeight());
    }

    /** A run resumed after epoch 8: its lines, live line, records, CSV and chart count on from 9. */
    @Test
    void aResumedRunContinuesTheNumbering(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream live = new ByteArrayOutputStream();
        Progress p = progress(Device.CPU).logEvery(1).liveLine(new PrintStream(live, true, StandardCharsets.UTF_8))
                .startingAt(9);
        at(1);
        p.step(1.0, 4);
        at(2);
        p.endEpoch(Map.of("accuracy", 0.5));
        at(3);
        p.step(0.5, 4);
        at(4);
        p.endEpoch(Map.of("accuracy", 0.75));
        assertEquals(List.of(9, 10), p.history().stream().map(EpochRecord::epoch).toList());
        assertEquals(List.of(
                "epoch 9 step 1: loss 1.000000, 4.0 samples/s",
                "epoch 9: loss 1.000000, accuracy 0.500000, 4.0 samples/s, 2.00 s on cpu",
                "epoch 10 step 1: loss 0.500000, 4.0 samples/s",
                "epoch 10: loss 0.500000, accuracy 0.750000, 4.0 samples/s, 2.00 s on cpu"), lines);
        assertTrue(live.toString(StandardCharsets.UTF_8).startsWith("\repoch 9 step 1: "), live.toString());
        Path csv = dir.resolve("h.csv");
        p.writeCsv(csv);
        assertEquals("epoch,loss,accuracy,samples_per_second,seconds\n"
                + "9,1.0,0.5,4.0,2.0\n"
                + "10,0.5,0.75,4.0,2.0\n", Files.readString(csv));
        var chart = ProgressChart.chart(p.history(), List.of("accuracy"));
        for (String series : List.of("loss", "accuracy")) {
            assertArrayEquals(new double[] {9, 10}, chart.getSeriesMap().get(series).getXData(), series);
        }
        p.writeChart(dir.resolve("h.png"));
        assertEquals(800, ImageIO.read(dir.resolve("h.png").toFile()).getWidth());
    }

    @Test
    void theFirstEpochMustBeSetBeforeAnyEndsAndBePositive() {
        Progress p = progress(Device.CPU);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> p.startingAt(0)).getMessage()
                .contains("Progress.startingAt"));
        p.step(1, 1);
        p.startingAt(3); // steps of the current epoch are fine: it is not numbered until it ends
        assertEquals(3, p.endEpoch().epoch());
        IllegalStateException late = assertThrows(IllegalStateException.class, () -> p.startingAt(7));
        assertTrue(late.getMessage().contains("Progress.startingAt") && late.getMessage().contains("endEpoch"),
                late.getMessage());
        assertEquals(4, p.endEpoch().epoch(), "the numbering is unchanged");
    }

    /** No epoch: a clear error naming the method before XChart is asked, and no file; the CSV is its header. */
    @Test
    void anEmptyHistoryHasNoChartAndAHeaderOnlyCsv(@TempDir Path dir) throws Exception {
        Progress p = progress(Device.CPU);
        p.step(1, 1); // an epoch under way is not recorded yet
        Path png = dir.resolve("empty.png");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.writeChart(png));
        assertTrue(e.getMessage().startsWith("Progress.writeChart: no epoch recorded"), e.getMessage());
        assertTrue(Files.notExists(png));
        Path csv = dir.resolve("empty.csv");
        p.writeCsv(csv);
        assertEquals("epoch,loss,samples_per_second,seconds\n", Files.readString(csv));
    }

    /** One epoch, and an epoch without steps (loss NaN): still a chart. */
    @Test
    void aChartOfOneEpochOrOfNaNLossesIsDrawn(@TempDir Path dir) throws Exception {
        Progress one = progress(Device.CPU);
        at(1);
        one.step(1, 1);
        one.endEpoch(Map.of("accuracy", 0.5));
        one.writeChart(dir.resolve("one.png"));
        assertEquals(500, ImageIO.read(dir.resolve("one.png").toFile()).getHeight());
        Progress noSteps = progress(Device.CPU);
        noSteps.endEpoch();
        noSteps.endEpoch();
        noSteps.writeChart(dir.resolve("nan.png"));
        assertEquals(500, ImageIO.read(dir.resolve("nan.png").toFile()).getHeight());
    }

    /** Without XChart (a class loader that lacks it), writeChart names the missing library. */
    @Test
    void chartWithoutXChartNamesTheLibrary(@TempDir Path dir) throws Exception {
        URL[] urls = {
            Progress.class.getProtectionDomain().getCodeSource().getLocation(),
            Logger.class.getProtectionDomain().getCodeSource().getLocation(),
            CSVFormat.class.getProtectionDomain().getCodeSource().getLocation(),
        };
        try (URLClassLoader loader = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader())) {
            Class<?> device = loader.loadClass(Device.class.getName());
            Class<?> progress = loader.loadClass(Progress.class.getName());
            Object p = progress.getConstructor(device).newInstance(device.getField("CPU").get(null));
            InvocationTargetException empty = assertThrows(InvocationTargetException.class,
                    () -> progress.getMethod("writeChart", Path.class).invoke(p, dir.resolve("c.png")));
            assertTrue(empty.getCause().getMessage().contains("no epoch recorded"), "asked before XChart");
            progress.getMethod("endEpoch").invoke(p);
            InvocationTargetException e = assertThrows(InvocationTargetException.class,
                    () -> progress.getMethod("writeChart", Path.class).invoke(p, dir.resolve("c.png")));
            assertEquals(IllegalStateException.class, e.getCause().getClass());
            assertTrue(e.getCause().getMessage().contains("org.knowm.xchart:xchart"), e.getCause().getMessage());
            assertTrue(Files.notExists(dir.resolve("c.png")));
        }
    }
}
