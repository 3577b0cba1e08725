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
import java.util.ArrayList;
import java.util.List;
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
    static final Case S1 = new Case("S1", Recipe.MSE_SGD, 32, 10, 1);
    static final Case S2 = new Case("S2", Recipe.MSE_SGD, 32, 10, 20, 1);
    static final Case S3 = new Case("S3", Recipe.MSE_SGD, 256, 784, 1024, 1024, 10);
    /** The digits example's MLP on the digits data set, batch 64 and 256 (the example itself uses 32 and SGD). */
    static final Case D64 = new Case("D64", Recipe.DIGITS_ADAM, 64, 64, 128, 10);
    static final Case D256 = new Case("D256", Recipe.DIGITS_ADAM, 256, 64, 128, 10);
    /** An MLP with LayerNorm and GELU on MNIST-shaped inputs. */
    static final Case LN = new Case("LN", Recipe.LAYERNORM_GELU_ADAM, 128, 784, 2048, 2048, 10);
    /** The training cases in the order the suite runs and reports them. */
    static final List<Case> TRAIN_CASES = List.of(S1, S2, S3, D64, D256, LN);
    static final int[] SCALING_BATCHES = {64, 128, 256, 512, 1024};
    static final int SGEMM_ROUNDS = 4;
    static final int TRAIN_ROUNDS = 6;
    static final int SCALING_ROUNDS = 4;
    /** Each counters JVM's warm-up on S2, in seconds of the stepping thread's CPU time. */
    static final double COUNTER_WARM_CPU_SECONDS = 3;
    /** The counters' block length: S2 steps making this many seconds of thread CPU time in the first JVM. */
    static final double COUNTER_BLOCK_CPU_SECONDS = 0.02;

    /**
     * What a case's layers, loss, optimizer and data are. Between two Linear layers sits ReLU or
     * LayerNorm (eps 1e-5, with weight and bias) then GELU in its exact erf form, the defaults of
     * PyTorch's {@code nn.LayerNorm} and {@code nn.GELU}; Adam has PyTorch's defaults (lr 1e-3,
     * betas 0.9 and 0.999, eps 1e-8, no weight decay).
     */
    enum Recipe {
        /** ReLU, MSE against random normal targets, SGD lr 0.01 (no momentum), random normal inputs: S1-S3. */
        MSE_SGD(false, false, false),
        /** ReLU, cross-entropy, Adam; the first rows of the digits example's train split and their labels. */
        DIGITS_ADAM(false, true, true),
        /** LayerNorm then GELU, cross-entropy, Adam; random normal inputs, random labels 0..9. */
        LAYERNORM_GELU_ADAM(true, true, true);

        final boolean layerNormGelu;
        final boolean crossEntropy;
        final boolean adam;

        Recipe(boolean layerNormGelu, boolean crossEntropy, boolean adam) {
            this.layerNormGelu = layerNormGelu;
            this.crossEntropy = crossEntropy;
            this.adam = adam;
        }

        boolean digits() {
            return this == DIGITS_ADAM;
        }
    }

    /** A training case: its recipe, batch size and layer widths (input, hidden…, output). */
    record Case(String name, Recipe recipe, int batch, int... widths) {
        Case withBatch(int b) {
            return new Case(name, recipe, b, widths);
        }

        /**
         * Rows in one epoch of the data a users' case stands for: the digits example's train split
         * ({@link DigitsData#TRAIN_ROWS}) for the digits cases, MNIST's 60,000 training images for
         * LN (784 = 28×28 inputs); 0 for S1-S3, which stand for no data set.
         */
        int epochRows() {
            return switch (recipe) {
                case DIGITS_ADAM -> DigitsData.TRAIN_ROWS;
                case LAYERNORM_GELU_ADAM -> 60_000;
                case MSE_SGD -> 0;
            };
        }

        /** Steps in one epoch, the last batch partial (a DataLoader without drop_last); 0 if none. */
        int stepsPerEpoch() {
            return (epochRows() + batch - 1) / batch;
        }

        static Case named(String name) {
            return TRAIN_CASES.stream().filter(c -> c.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown case " + name));
        }

        /**
         * The matrix products of one step, as PyTorch's linear computes them with weights
         * {@code [out, in]}: per layer the forward {@code X·Wᵀ}, the weight gradient {@code Gᵀ·X},
         * and for all but the first layer the input gradient {@code G·W} (the batch needs none).
         */
        List<Product> products() {
            List<Product> ps = new ArrayList<>();
            for (int l = 1; l < widths.length; l++) {
                int in = widths[l - 1];
                int out = widths[l];
                ps.add(new Product(batch, out, in, false, true));
                ps.add(new Product(out, in, batch, true, false));
                if (l > 1) {
                    ps.add(new Product(batch, in, out, false, false));
                }
            }
            return ps;
        }

        /** Matmul FLOPs of one step: the sum over {@link #products()}. */
        long flop() {
            return products().stream().mapToLong(Product::flop).sum();
        }
    }

    /** {@code C[m,n] = op(A)·op(B)} with inner size {@code k}, {@code op} transposing where asked. */
    record Product(int m, int n, int k, boolean transA, boolean transB) {
        long flop() {
            return 2L * m * n * k;
        }
    }

    private final Path out;
    private final int threads;

    private SuiteWorker(Path out, int threads) {
        this.out = out;
        this.threads = threads;
    }

    /**
     * {@code args}: mode, results file, then for {@code train} the case (a {@link #TRAIN_CASES} name) and for
     * {@code serve} the group (scaling, counters; for counters then the steps per block, 0 to find
     * them). Modes: {@code sgemm}; {@code train} (one case per JVM, as JMH forks per benchmark, so
     * that one case's JIT profile and heap state cannot slow down the next); {@code serve}, which times slots on the parent's command so that two JVMs
     * (1 and 2 threads; counters on and off) can take turns.
     */
    public static void main(String[] args) throws Exception {
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
                TensorjCases.warmUp(new int[0][]); // small odd shapes and every transpose, as the other JVMs
                w.training(args[2]);
            }
            case "serve" -> {
                if (args[2].equals("scaling")) {
                    w.describe();
                    w.warmUpSgemm();
                }
                w.serve(args[2], args);
            }
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
        info.put("tensorj_products", TensorjCases.largeProductPath().replace(';', ',').replace('=', ':'));
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
                System.gc();
                List<Rounds.Contender> cs = List.of(new Rounds.Contender("tensorj", TensorjCases.sgemm(ta, tb), 0),
                        new Rounds.Contender("djl", d::run, 0), new Rounds.Contender("openblas", blas, 0));
                int dropped = Rounds.run(cs, SGEMM_ROUNDS, 0.4, 2);
                for (Rounds.Contender c : cs) {
                    Map<String, String> info = new LinkedHashMap<>();
                    info.put("flop", String.valueOf(2L * m * n * k));
                    info.putAll(c.info());
                    info.put("rounds_dropped", String.valueOf(dropped));
                    emit(new Results.Result("sgemm", name, c.impl, info, c.samples()));
                    logResult("sgemm " + name, c);
                }
            }
        }
    }

    /**
     * One training case in both libraries from the same starting point: first a cross-check that
     * three steps give the same losses in both (else the comparison would be meaningless and the
     * run fails), then both are warmed up, timed in interleaved rounds and their allocations
     * counted.
     */
    private void training(String caseName) {
        Case c = Case.named(caseName);
        Tensor.manualSeed(20261127L + caseName.hashCode());
        boolean big = c.flop() > 100_000_000L;
        List<Product> products = c.products();
        // The step's products alone in each BLAS (large cases only), timed in the same rounds as the steps.
        try (var tj = new TensorjCases.Training(c); var dj = new DjlCases.Training(tj.state());
             var blasFloor = big ? new BlasProducts(products, 11) : null;
             var djlFloor = big ? new DjlCases.Products(products, 11) : null) {
            Map<String, String> check = crossCheck(c, tj, dj);
            List<Rounds.Contender> floors = new ArrayList<>();
            if (big) {
                blasFloor.run();
                float[][] ref = blasFloor.results();
                float[][] got = djlFloor.results();
                for (int i = 0; i < ref.length; i++) {
                    check(c.name() + " product " + products.get(i), "djl", got[i], ref[i]);
                }
                floors.add(new Rounds.Contender("djl", djlFloor::run, 0));
                floors.add(new Rounds.Contender("openblas", blasFloor::run, 0));
            }
            log("training step " + c.name());
            List<Results.Result> rs = timeTogether("train", c.name(), c, tj, dj, floors, TRAIN_ROUNDS,
                    big ? 1.0 : 0.6, big ? 0 : 0.02, big ? 3 : 10, check);
            for (Results.Result r : rs) {
                if (r.section().equals("train")) {
                    countAllocations(r, r.impl().equals("tensorj") ? tj : dj);
                }
                emit(r);
            }
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

    /**
     * Warms both libraries up for 2 s each, then times them, and the {@code floors} (the step's
     * products alone, in section "floor"), in interleaved rounds; returns one result per library
     * (tensorj first), then one per floor.
     */
    private List<Results.Result> timeTogether(String section, String name, Case c, TrainingStep tj, TrainingStep dj,
                                              List<Rounds.Contender> floors, int rounds, double slotSeconds,
                                              double blockSeconds, int minBlocks, Map<String, String> extra) {
        Map<String, String> before = new LinkedHashMap<>(extra);
        before.put("loss_before", fmt(tj.loss()));
        warm(tj, 2.0, 5);
        warm(dj, 2.0, 5);
        System.gc();
        List<Rounds.Contender> cs = new ArrayList<>(List.of(new Rounds.Contender("tensorj", tj::step, blockSeconds),
                new Rounds.Contender("djl", dj::step, blockSeconds)));
        cs.addAll(floors);
        long held = dj.heldArrays();
        int dropped = Rounds.run(cs, rounds, slotSeconds, minBlocks);
        List<Results.Result> out = new ArrayList<>();
        for (Rounds.Contender k : cs.subList(0, 2)) {
            TrainingStep t = k.impl.equals("tensorj") ? tj : dj;
            Map<String, String> info = new LinkedHashMap<>(before);
            info.put("flop", String.valueOf(c.flop()));
            info.put("batch", String.valueOf(c.batch()));
            info.put("threads", String.valueOf(threads));
            info.putAll(k.info());
            info.put("rounds_dropped", String.valueOf(dropped));
            info.put("loss_after", fmt(t.loss()));
            if (t == dj) {
                info.put("held_arrays", held + " -> " + dj.heldArrays());
            }
            out.add(new Results.Result(section, name, k.impl, info, k.samples()));
            logResult(section + " " + name, k);
        }
        for (Rounds.Contender k : floors) {
            Map<String, String> info = new LinkedHashMap<>();
            info.put("flop", String.valueOf(c.flop()));
            info.putAll(k.info());
            info.put("rounds_dropped", String.valueOf(dropped));
            out.add(new Results.Result("floor", name, k.impl, info, k.samples()));
            logResult("floor " + name, k);
        }
        return out;
    }

    /**
     * Builds the group's contenders and warms them up (counters: S2 in tensorj; scaling: S3 at each
     * batch in both libraries, from the same start), prints READY (counters: {@code READY <steps per
     * block>}, the length {@code args[3]} gave, or found here when that was 0), then answers each
     * {@code slot <seconds> <contender>} with one line
     * {@code SLOT <other cores> <gc ms> <gc count> <seconds> <ops> <ms,ms,…> <cpu ms,cpu ms,…>} (per
     * block, ms per operation by the wall clock and by this thread's CPU time) until {@code quit}.
     */
    private void serve(String group, String[] args) throws java.io.IOException {
        Map<String, Rounds.Contender> cs = new LinkedHashMap<>();
        List<AutoCloseable> open = new ArrayList<>();
        int minBlocks;
        String ready = "READY";
        if (group.equals("counters")) {
            Tensor.manualSeed(20261127L + "S2".hashCode());
            var t = new TensorjCases.Training(S2);
            open.add(t);
            // Warmed up on this thread's CPU time: on a busy machine 3 s of wall clock can leave the
            // JIT unfinished when the rounds begin.
            warmCpu(t, COUNTER_WARM_CPU_SECONDS);
            // Every counters JVM times blocks of the same number of steps: a median over short blocks
            // skips interruptions that long blocks average in, so blocks that each JVM sized itself
            // (one of them perhaps while its JIT was still compiling) would bias the ratio. The
            // parent passes the length; the first JVM, given 0, finds it on its CPU time and says it.
            int perBlock = Integer.parseInt(args[3]);
            if (perBlock == 0) {
                perBlock = Rounds.Contender.perBlock(t::step, COUNTER_BLOCK_CPU_SECONDS, true);
            }
            ready = "READY " + perBlock;
            cs.put("S2 tensorj", Rounds.Contender.withBlock("tensorj", t::step, perBlock));
            minBlocks = 5;
        } else if (group.equals("scaling")) {
            for (int batch : SCALING_BATCHES) {
                Case c = S3.withBatch(batch);
                Tensor.manualSeed(batch);
                var tj = new TensorjCases.Training(c);
                var dj = new DjlCases.Training(tj.state());
                open.add(tj);
                open.add(dj);
                log("warming up S3 batch " + batch + ", " + threads + " thread(s)");
                warm(tj, 2.0, 3);
                warm(dj, 2.0, 3);
                cs.put("S3 batch " + batch + " tensorj", new Rounds.Contender("tensorj", tj::step, 0));
                cs.put("S3 batch " + batch + " djl", new Rounds.Contender("djl", dj::step, 0));
            }
            minBlocks = 2;
        } else {
            throw new IllegalArgumentException("unknown group " + group);
        }
        System.out.println(ready);
        var in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in));
        for (String line; (line = in.readLine()) != null && line.startsWith("slot "); ) {
            String[] f = line.split(" ", 3);
            Rounds.Contender c = cs.get(f[2]);
            if (c == null) {
                throw new IllegalArgumentException("no contender " + f[2] + " in " + cs.keySet());
            }
            Rounds.Slot s = c.slot(Double.parseDouble(f[1]), minBlocks);
            StringBuilder sb = new StringBuilder("SLOT ").append(fmt(s.otherCores())).append(' ').append(s.gcMillis())
                    .append(' ').append(s.gcCount()).append(' ').append(fmt(s.seconds())).append(' ').append(s.ops())
                    .append(' ');
            for (int i = 0; i < s.ms().length; i++) {
                sb.append(i > 0 ? "," : "").append(fmt(s.ms()[i]));
            }
            sb.append(' ');
            for (int i = 0; i < s.cpuMs().length; i++) {
                sb.append(i > 0 ? "," : "").append(fmt(s.cpuMs()[i]));
            }
            System.out.println(sb);
        }
        for (AutoCloseable a : open) {
            try {
                a.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** An untimed pass of steps (about a third as many as were timed) counting what one step allocates. */
    private static void countAllocations(Results.Result r, TrainingStep t) {
        Map<String, String> info = r.info();
        int n = (int) Math.max(5, Math.min(20_000, r.samples().operations / 3));
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
        if (r.impl().equals("tensorj")) {
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
    }

    /** Runs steps for {@code seconds} of this thread's CPU time. */
    private static void warmCpu(TrainingStep t, double seconds) {
        long c0 = Meters.threadCpuNanos();
        while (Meters.threadCpuNanos() - c0 < seconds * 1e9) {
            for (int i = 0; i < 100; i++) {
                t.step();
            }
        }
    }

    /** Runs steps for {@code seconds} and at least {@code minSteps} times. */
    private static void warm(TrainingStep t, double seconds, int minSteps) {
        long t0 = System.nanoTime();
        for (int i = 0; i < minSteps || System.nanoTime() - t0 < seconds * 1e9; i++) {
            t.step();
        }
    }

    private static void logResult(String what, Rounds.Contender c) {
        Timing.Samples s = c.samples();
        log(String.format(Locale.ROOT, "  %s %s: median %.4f ms (min %.4f, max %.4f; %d samples, %d ops)", what, c.impl,
                s.median(), s.min(), s.max(), s.count(), s.operations));
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
        info.put("waited_s", fmt(Meters.waitedSeconds()));
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
