package dev.tensorj.bench;

import dev.tensorj.Counters;
import dev.tensorj.Device;
import dev.tensorj.Tensor;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;

/**
 * The measuring half of {@link CpuBenchmarkSuite}, run in a child JVM so that each thread count and
 * counter setting (static finals read at class initialisation) gets a fresh process:
 * {@code SuiteWorker <main|scaling|counters> <results file>}. Appends one {@link Results.Result}
 * per measurement to the file.
 */
final class SuiteWorker {
    /** m, k, n of {@code [m,k]·[k,n]}: square sizes, then the MLP's products. */
    static final int[][] SGEMM_SHAPES = {
        {256, 256, 256}, {512, 512, 512}, {1024, 1024, 1024}, {2048, 2048, 2048},
        {256, 784, 1024}, {256, 1024, 1024}, {256, 1024, 10},
    };
    static final Case S1 = new Case("S1", 32, 10, 1);
    static final Case S2 = new Case("S2", 32, 10, 20, 1);
    static final Case S3 = new Case("S3", 256, 784, 1024, 1024, 10);
    static final int[] SCALING_BATCHES = {64, 128, 256, 512, 1024};
    /** Other processes using more than this many cores make a measurement run again (twice at most). */
    static final double DISTURBED_CORES = 0.25;

    /** A training case: batch size and layer widths (input, hidden…, output), ReLU between layers. */
    record Case(String name, int batch, int... widths) {
        Case withBatch(int b) {
            return new Case(name, b, widths);
        }

        /**
         * Matmul FLOPs of one step: forward and weight gradient for every layer, input gradient
         * for all but the first (the batch needs no gradient).
         */
        long flop() {
            long f = 0;
            for (int l = 1; l < widths.length; l++) {
                long layer = 2L * batch * widths[l - 1] * widths[l];
                f += l == 1 ? 2 * layer : 3 * layer;
            }
            return f;
        }
    }

    private final Path out;
    private final int threads;

    private SuiteWorker(Path out, int threads) {
        this.out = out;
        this.threads = threads;
    }

    /**
     * {@code args}: mode, results file, and for {@code train} the case (S1, S2, S3). Modes:
     * {@code sgemm}; {@code train} (one case per JVM, as JMH forks per benchmark, so that one case's
     * JIT profile and heap state cannot slow down the next); {@code scaling}; {@code counters}.
     */
    public static void main(String[] args) {
        int threads = Integer.getInteger("tensorj.cpu.threads", Runtime.getRuntime().availableProcessors());
        var w = new SuiteWorker(Path.of(args[1]), threads);
        switch (args[0]) {
            case "sgemm" -> {
                w.describe();
                w.warmUpSgemm();
                w.sgemm();
            }
            case "train" -> {
                w.describe();
                w.training(args[2]);
            }
            case "scaling" -> {
                w.describe();
                w.warmUpSgemm();
                w.scaling();
            }
            case "counters" -> w.counters();
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
        w.totals(args[0] + (args.length > 2 ? " " + args[2] : ""));
        System.exit(0); // native libraries may hold non-daemon threads
    }

    private void describe() {
        openblas.blas_set_num_threads(threads);
        Map<String, String> info = new LinkedHashMap<>();
        info.put("tensorj_threads", String.valueOf(threads));
        info.put("djl", DjlCases.describe());
        info.put("openblas_threads", String.valueOf(openblas.blas_get_num_threads()));
        info.put("gc", Meters.collectors());
        info.put("heap_max_mib", String.valueOf(Runtime.getRuntime().maxMemory() >> 20));
        info.put("jvm_args", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments())
                .replace(';', ',').replace('=', ':'));
        emit(new Results.Result("info", "threads" + threads, "all", info, new Timing.Samples(new double[0])));
    }

    private void warmUpSgemm() {
        log("warming up tensorj and DJL");
        TensorjCases.warmUp(SGEMM_SHAPES);
        for (int[] s : SGEMM_SHAPES) {
            var rnd = new SplittableRandom(7);
            try (var d = new DjlCases.Sgemm(TensorjCases.random(rnd, s[0] * s[1]),
                    TensorjCases.random(rnd, s[1] * s[2]), s[0], s[1], s[2])) {
                for (int i = 0; i < 3; i++) {
                    d.run();
                }
            }
        }
    }

    private void sgemm() {
        for (int[] s : SGEMM_SHAPES) {
            int m = s[0];
            int k = s[1];
            int n = s[2];
            String name = m + "×" + k + " · " + k + "×" + n;
            log("sgemm " + name);
            var rnd = new SplittableRandom(42);
            float[] a = TensorjCases.random(rnd, m * k);
            float[] b = TensorjCases.random(rnd, k * n);
            Map<String, String> info = new LinkedHashMap<>();
            info.put("flop", String.valueOf(2L * m * n * k));
            try (var pa = new FloatPointer(a); var pb = new FloatPointer(b); var pc = new FloatPointer((long) m * n);
                 Tensor ta = Tensor.of(a, m, k); Tensor tb = Tensor.of(b, k, n);
                 var d = new DjlCases.Sgemm(a, b, m, k, n)) {
                Runnable blas = () -> openblas.cblas_sgemm(openblas.CblasRowMajor, openblas.CblasNoTrans,
                        openblas.CblasNoTrans, m, n, k, 1f, pa, k, pb, n, 0f, pc, n);
                blas.run();
                float[] ref = new float[m * n];
                pc.get(ref);
                check(name, "tensorj", ta.matmul(tb).toFloatArray(), ref);
                check(name, "djl", d.product(), ref);
                emit(measure("sgemm", name, "tensorj", () -> Timing.calls(TensorjCases.sgemm(ta, tb), 1.5, 11), info));
                emit(measure("sgemm", name, "djl", () -> Timing.calls(d::run, 1.5, 11), info));
                emit(measure("sgemm", name, "openblas", () -> Timing.calls(blas, 1.5, 11), info));
            }
        }
    }

    /**
     * One training case in both libraries from the same starting point: first a cross-check that
     * three steps give the same losses in both (else the comparison would be meaningless and the
     * run fails), then each is warmed up, timed and its allocations counted.
     */
    private void training(String caseName) {
        Case c = switch (caseName) {
            case "S1" -> S1;
            case "S2" -> S2;
            case "S3" -> S3;
            default -> throw new IllegalArgumentException("unknown case " + caseName);
        };
        Tensor.manualSeed(20261127L + caseName.hashCode());
        try (var tj = new TensorjCases.Training(c.batch(), c.widths()); var dj = new DjlCases.Training(tj.state())) {
            Map<String, String> info = crossCheck(c, tj, dj);
            log("training step " + c.name() + ", tensorj");
            trainingCase("train", c.name(), "tensorj", c, tj, true, info);
            log("training step " + c.name() + ", DJL");
            trainingCase("train", c.name(), "djl", c, dj, true, info);
        }
    }

    private static Map<String, String> crossCheck(Case c, TrainingStep tj, TrainingStep dj) {
        StringBuilder a = new StringBuilder();
        StringBuilder b = new StringBuilder();
        double worst = 0;
        for (int i = 0; i <= 3; i++) {
            if (i > 0) {
                tj.step();
                dj.step();
                a.append(" / ");
                b.append(" / ");
            }
            float lt = tj.loss();
            float ld = dj.loss();
            a.append(fmt(lt));
            b.append(fmt(ld));
            worst = Math.max(worst, Math.abs(lt - ld) / Math.max(Math.abs(ld), 1e-6));
        }
        if (!(worst < 1e-3)) {
            throw new AssertionError(c.name() + ": tensorj and DJL disagree from the same start, losses " + a
                    + " against " + b);
        }
        Map<String, String> info = new LinkedHashMap<>();
        info.put("xcheck_tensorj", a.toString());
        info.put("xcheck_djl", b.toString());
        info.put("xcheck_rel_diff", fmt(worst));
        return info;
    }

    private void scaling() {
        for (int batch : SCALING_BATCHES) {
            Case c = S3.withBatch(batch);
            Tensor.manualSeed(batch);
            try (var tj = new TensorjCases.Training(c.batch(), c.widths()); var dj = new DjlCases.Training(tj.state())) {
                String name = "S3 batch " + batch + " threads " + threads;
                log("scaling " + name);
                trainingCase("scaling", name, "tensorj", c, tj, false, Map.of());
                trainingCase("scaling", name, "djl", c, dj, false, Map.of());
            }
        }
    }

    /** S2 in tensorj only, for the counters-on/off comparison (the parent runs this in both settings). */
    private void counters() {
        Tensor.manualSeed(20261127L + "S2".hashCode());
        try (TrainingStep t = new TensorjCases.Training(S2.batch(), S2.widths())) {
            warm(t, 1.0, 5);
            trainingCase("counters", "S2 counters " + System.getProperty("tensorj.counters", "default"), "tensorj",
                    S2, t, false, Map.of());
        }
    }

    /**
     * Warms the step up, times it, then (with {@code memory}) runs an untimed pass that counts what
     * one step allocates.
     */
    private void trainingCase(String section, String name, String impl, Case c, TrainingStep t, boolean memory,
                              Map<String, String> extra) {
        boolean big = c.flop() > 100_000_000L;
        Map<String, String> info = new LinkedHashMap<>(extra);
        info.put("flop", String.valueOf(c.flop()));
        info.put("batch", String.valueOf(c.batch()));
        info.put("threads", String.valueOf(threads));
        info.put("loss_before", fmt(t.loss()));
        warm(t, 2.0, big ? 5 : 100);
        long held0 = t.heldArrays();
        Results.Result r = measure(section, name, impl, () -> big ? Timing.steps(t::step, 4.0, 0, 9)
                : Timing.steps(t::step, 4.0, 0.02, 25), info);
        long steps = r.samples().operations;
        info = r.info();
        info.put("steps", String.valueOf(steps));
        info.put("loss_after", fmt(t.loss()));
        if (!memory) {
            emit(r);
            return;
        }
        info.put("held_arrays", held0 + " -> " + t.heldArrays());
        // What one step allocates, counted over about a second of steps outside the timed runs.
        int n = (int) Math.max(5, Math.min(20_000, steps / 3));
        System.gc();
        Counters.Snapshot before = Counters.snapshot(Device.CPU);
        Meters m0 = Meters.now();
        for (int i = 0; i < n; i++) {
            t.step();
        }
        Meters m1 = Meters.now();
        Counters.Snapshot done = Counters.snapshot(Device.CPU).minus(before);
        info.put("alloc_steps", String.valueOf(n));
        info.put("heap_bytes_per_step", String.valueOf((m1.heapBytes - m0.heapBytes) / n));
        if (impl.equals("tensorj")) {
            info.put("tj_allocations_per_step", fmt((double) done.allocations() / n));
            info.put("tj_bytes_per_step", String.valueOf(done.bytesAllocated() / n));
            info.put("tj_ops_per_step", fmt((double) done.ops() / n));
            info.put("tj_flops_per_step", String.valueOf(done.flops() / n));
        } else {
            long nat = 0;
            for (int i = 0; i < 3; i++) {
                nat += t.nativeBytesPerStep();
            }
            info.put("native_bytes_per_step", String.valueOf(nat / 3));
        }
        emit(r);
    }

    /** Runs steps for {@code seconds} and at least {@code minSteps} times. */
    private static void warm(TrainingStep t, double seconds, int minSteps) {
        long t0 = System.nanoTime();
        for (int i = 0; i < minSteps || System.nanoTime() - t0 < seconds * 1e9; i++) {
            t.step();
        }
    }

    /**
     * Times one case after a collection and a pause; if other processes took more than
     * {@link #DISTURBED_CORES} of the machine meanwhile, times it again (twice at most) and keeps
     * the least disturbed attempt.
     */
    private Results.Result measure(String section, String name, String impl, Supplier<Timing.Samples> timed,
                                   Map<String, String> info) {
        Timing.Samples best = null;
        double bestOthers = Double.MAX_VALUE;
        Map<String, String> bestInfo = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            System.gc();
            Timing.pause(300);
            Meters before = Meters.now();
            Timing.Samples s = timed.get();
            Meters after = Meters.now();
            double others = after.otherCores(before);
            if (others < bestOthers) {
                best = s;
                bestOthers = others;
                bestInfo = new LinkedHashMap<>(info);
                double window = after.seconds(before);
                bestInfo.put("window_s", fmt(window));
                bestInfo.put("gc_ms", String.valueOf(after.gcMillis - before.gcMillis));
                bestInfo.put("gc_count", String.valueOf(after.gcCount - before.gcCount));
                bestInfo.put("gc_share", fmt((after.gcMillis - before.gcMillis) / 1e3 / window));
                bestInfo.put("other_cores", fmt(others));
            }
            bestInfo.put("attempts", String.valueOf(attempt));
            if (others <= DISTURBED_CORES) {
                break;
            }
            log(String.format(Locale.ROOT, "  other processes used %.2f cores during %s %s %s; measuring again",
                    others, section, name, impl));
            Timing.pause(2000);
        }
        log(String.format(Locale.ROOT, "  %s %s %s: median %.4f ms (min %.4f, max %.4f, n=%d)", section, name, impl,
                best.median(), best.min(), best.max(), best.count()));
        return new Results.Result(section, name, impl, bestInfo, best);
    }

    /** GC time as a share of this JVM's whole run. */
    private void totals(String mode) {
        Meters m = Meters.now();
        long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
        Map<String, String> info = new LinkedHashMap<>();
        info.put("mode", mode);
        info.put("uptime_ms", String.valueOf(uptime));
        info.put("gc_ms", String.valueOf(m.gcMillis));
        info.put("gc_count", String.valueOf(m.gcCount));
        info.put("gc_share", fmt(m.gcMillis / (double) uptime));
        info.put("counters", System.getProperty("tensorj.counters", "default"));
        emit(new Results.Result("run", "threads" + threads, "all", info, new Timing.Samples(new double[0])));
    }

    private static void check(String name, String impl, float[] got, float[] ref) {
        double err = SgemmBenchmark.relError(got, ref);
        if (!(err < 1e-3)) {
            throw new AssertionError(impl + " computed a wrong product for " + name + ": max relative error " + err);
        }
    }

    private void emit(Results.Result r) {
        Results.append(out, r);
    }

    private static void log(String s) {
        System.out.println(s);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }
}
