package dev.tensorj.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tensorj.NoGrad;
import dev.tensorj.Tensor;
import dev.tensorj.backend.ScalarType;
import dev.tensorj.backend.Storage;
import dev.tensorj.backend.cpu.CpuBackend;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * tensorj's sgemm with oneMKL against tensorj's sgemm with OpenBLAS, on this machine, in one run.
 * tensorj picks its BLAS once per JVM ({@code -Dtensorj.cpu.blas}), so two child JVMs run the same
 * cases, one with {@code =mkl} and one with {@code =openblas} (a pair with 2 threads, then a pair
 * with 1: a single thread is less hurt by a busy machine), both kept warm, and take turns
 * slot by slot (the first one alternating round to round), so both see the same phases of the
 * machine. Reported: median, min and max time per call, GFLOP/s, and the MKL ÷ OpenBLAS time ratio
 * as the median of the per-round ratios. Before timing, both JVMs' products of each case must
 * agree (the sums of their results, within float rounding).
 *
 * <p>Needs MKL on the class path: install the library into a local repository, then from the
 * repository root {@code mvn -q -f benchmarks test -Pmkl -Dtest=MklSgemmBenchmark}. Writes
 * {@code benchmarks/results/<date>-mkl-sgemm.md}.
 */
@Tag("benchmark")
class MklSgemmBenchmark {
    /** tensorj's (and so the BLAS's) thread counts, one pair of JVMs each. */
    static final int[] THREADS = {2, 1};
    static final int ROUNDS = 8;
    static final double SLOT_SECONDS = 0.4;
    /** Between two slots: lets the other JVM's BLAS threads (OpenMP's spin 200 ms by default) go to sleep. */
    static final long GAP_MS = 300;
    static final String[] LIBRARIES = {"mkl", "openblas"};
    /** The most the run waits, per thread count, for other processes to go quiet before a round. */
    static final double WAIT_BUDGET_SECONDS = 120;

    /** One timed operation: a product through tensorj's public API, or a group of backend calls. */
    record Case(String name, long flop) {}

    static List<Case> cases() {
        List<Case> out = new ArrayList<>();
        for (int[] s : SHAPES) {
            out.add(new Case("sgemm " + s[0] + "×" + s[1] + " · " + s[1] + "×" + s[2], 2L * s[0] * s[1] * s[2]));
        }
        out.add(new Case("S3's 8 products (backend calls, the step's transposes)", S3.flop()));
        out.add(new Case("S3 step (784→1024→1024→10, batch 256, SGD)", S3.flop()));
        return out;
    }

    static final int[][] SHAPES = {
        {256, 256, 256}, {512, 512, 512}, {1024, 1024, 1024}, {2048, 2048, 2048},
        {256, 784, 1024}, {256, 1024, 1024}, {256, 1024, 10},
    };
    static final SuiteWorker.Case S3 = SuiteWorker.S3;

    @Test
    void mklAgainstOpenBlas() throws Exception {
        assumeTrue(isOnClassPath("org.bytedeco.mkl.global.mkl_rt"),
                "org.bytedeco:mkl is not on the class path: run with -Pmkl");
        List<Case> cases = cases();
        String load0 = Environment.loadAverage();
        long t0 = System.nanoTime();
        List<String> sections = new ArrayList<>();
        for (int threads : THREADS) {
            sections.add(section(threads, cases));
        }
        StringBuilder sb = new StringBuilder();
        sb.append("# tensorj sgemm: oneMKL against OpenBLAS\n\n");
        sb.append("- Date: ").append(LocalDate.now()).append("; commit ").append(Environment.commit()).append('\n');
        sb.append("- Command: `mvn -q -f benchmarks test -Pmkl -Dtest=MklSgemmBenchmark` (took ")
                .append(String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 60e9)).append(" min)\n");
        sb.append("- CPU: ").append(Environment.cpuModel()).append(" (").append(vendor()).append("); ")
                .append(Runtime.getRuntime().availableProcessors()).append(" CPUs; ")
                .append(Environment.memoryGb()).append(" GB RAM\n");
        sb.append("- JVM: ").append(Environment.jvm()).append("; for each thread count two child JVMs,")
                .append(" `-Dtensorj.cpu.blas=mkl` and `=openblas`\n");
        sb.append("- Load average at start ").append(load0).append(", at end ").append(Environment.loadAverage())
                .append(" (1, 5, 15 min). The machine was shared with other engineers' builds: \"others\" is")
                .append(" the CPU that other processes (the other child JVM included) took during that library's")
                .append(" slots, in cores, mean over the kept rounds. Before each round the run waits for other")
                .append(" processes to take under ").append(Rounds.DISTURBED_CORES / 2).append(" cores (")
                .append(WAIT_BUDGET_SECONDS).append(" s at most per thread count); a round in which they took more")
                .append(" than ").append(Rounds.DISTURBED_CORES).append(" cores in any slot is run again, at most ")
                .append(ROUNDS).append(" times.\n\n");
        sb.append("Method: ").append(ROUNDS).append(" rounds; in each, every case gets one ")
                .append(SLOT_SECONDS).append(" s slot in each JVM (at least 3 calls, one sample per call), ")
                .append(GAP_MS).append(" ms apart, the first JVM alternating. Plain products: `a.matmul(b)` under")
                .append(" NoGrad, the product closed. S3's products: the 8 `CpuBackend.matmul` calls of an S3 step")
                .append(" (forward X·Wᵀ, weight gradients Gᵀ·X, input gradients G·W) into outputs made once. S3 step:")
                .append(" zeroGrad, forward, MSE, backward, SGD (lr 0.01); GFLOP/s counts its matmul FLOPs only.")
                .append(" Ratio: MKL's time ÷ OpenBLAS's, the median of the per-round ratios of slot medians")
                .append(" (below 1: MKL faster), with the lowest and highest round.\n");
        for (String s : sections) {
            sb.append('\n').append(s);
        }
        sb.append("\nNo Intel result exists yet: the rule that turns MKL on by default on Intel CPUs rests on the")
                .append(" issue's PyTorch-with-oneMKL measurement on Intel Xeon hosts; run this benchmark there to check it.\n");
        String report = sb.toString();
        System.out.println(report);
        Path out = Path.of("results", LocalDate.now() + "-mkl-sgemm.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
    }

    /** Both libraries at one thread count, in interleaved rounds: the report's section for it. */
    private static String section(int threads, List<Case> cases) throws Exception {
        Worker[] jvms = new Worker[LIBRARIES.length];
        try {
            for (int j = 0; j < jvms.length; j++) {
                jvms[j] = Worker.start(LIBRARIES[j], threads);
            }
            String[] paths = new String[jvms.length];
            double[][] checks = new double[jvms.length][];
            for (int j = 0; j < jvms.length; j++) {
                String[] ready = jvms[j].await("READY\t").split("\t");
                paths[j] = ready[1];
                checks[j] = Arrays.stream(ready[2].split(",")).mapToDouble(Double::parseDouble).toArray();
            }
            for (int c = 0; c < cases.size(); c++) { // the same products in both JVMs, before any timing
                double rel = Math.abs(checks[0][c] - checks[1][c]) / Math.abs(checks[1][c]);
                assertTrue(rel < 1e-4, cases.get(c).name() + ": MKL " + checks[0][c] + " vs OpenBLAS " + checks[1][c]);
            }
            List<List<List<Double>>> ms = new ArrayList<>(); // [case][library] -> samples
            List<List<Double>> ratios = new ArrayList<>(); // [case] -> per-round ratio of slot medians
            double[][] others = new double[cases.size()][jvms.length];
            for (int c = 0; c < cases.size(); c++) {
                ms.add(List.of(new ArrayList<>(), new ArrayList<>()));
                ratios.add(new ArrayList<>());
            }
            double waited0 = Meters.waitedSeconds();
            int dropped = 0;
            int disturbedKept = 0;
            for (int kept = 0, r = 0; kept < ROUNDS; r++) {
                // A round is all cases once in both JVMs; one in which other processes took more than
                // Rounds.DISTURBED_CORES in any slot is run again (at most ROUNDS times in all).
                Meters.awaitQuiet(Rounds.DISTURBED_CORES / 2, waited0 + WAIT_BUDGET_SECONDS);
                double[][][] round = new double[cases.size()][jvms.length][];
                double[][] roundOthers = new double[cases.size()][jvms.length];
                double worst = 0;
                for (int c = 0; c < cases.size(); c++) {
                    for (int i = 0; i < jvms.length; i++) {
                        int j = (r + i) % jvms.length;
                        Timing.pause(GAP_MS);
                        jvms[j].send("slot " + c);
                        String[] f = jvms[j].await("SLOT\t").split("\t");
                        roundOthers[c][j] = Double.parseDouble(f[1]);
                        worst = Math.max(worst, roundOthers[c][j]);
                        round[c][j] = Arrays.stream(f[2].split(",")).mapToDouble(Double::parseDouble).toArray();
                    }
                }
                boolean disturbed = worst > Rounds.DISTURBED_CORES;
                if (disturbed && dropped < ROUNDS) {
                    dropped++;
                    System.out.printf(Locale.ROOT, "round dropped: other processes took %.2f cores%n", worst);
                    continue;
                }
                disturbedKept += disturbed ? 1 : 0;
                for (int c = 0; c < cases.size(); c++) {
                    for (int j = 0; j < jvms.length; j++) {
                        others[c][j] += roundOthers[c][j] / ROUNDS;
                        for (double v : round[c][j]) {
                            ms.get(c).get(j).add(v);
                        }
                    }
                    ratios.get(c).add(new Timing.Samples(round[c][0]).median() / new Timing.Samples(round[c][1]).median());
                }
                kept++;
                System.out.println(threads + " thread(s): round " + kept + " of " + ROUNDS + " kept");
            }
            for (Worker w : jvms) {
                w.finish();
            }
            StringBuilder sb = new StringBuilder();
            sb.append("## ").append(threads).append(threads == 1 ? " thread" : " threads").append(" (`-Dtensorj.cpu.threads=")
                    .append(threads).append("`)\n\n");
            for (int j = 0; j < LIBRARIES.length; j++) {
                sb.append("- `-Dtensorj.cpu.blas=").append(LIBRARIES[j]).append("`: ").append(paths[j]).append('\n');
            }
            sb.append(String.format(Locale.ROOT, "- Rounds: %d disturbed rounds run again, %d disturbed rounds kept,"
                    + " %.0f s waited for quiet%n%n", dropped, disturbedKept, Meters.waitedSeconds() - waited0));
            sb.append("| case | BLAS | calls | median ms | min ms | max ms | GFLOP/s | MKL ÷ OpenBLAS time | others |\n");
            sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
            for (int c = 0; c < cases.size(); c++) {
                Case k = cases.get(c);
                double[] rs = ratios.get(c).stream().mapToDouble(Double::doubleValue).toArray();
                for (int j = 0; j < LIBRARIES.length; j++) {
                    Timing.Samples s = new Timing.Samples(ms.get(c).get(j).stream().mapToDouble(Double::doubleValue).toArray());
                    String ratio = j > 0 ? "—" : String.format(Locale.ROOT, "%.3f× (rounds %.3f–%.3f)",
                            new Timing.Samples(rs).median(), new Timing.Samples(rs).min(), new Timing.Samples(rs).max());
                    sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %.1f | %s | %.2f |%n", k.name(),
                            j == 0 ? "oneMKL" : "OpenBLAS", s.count(), ms(s.median()), ms(s.min()), ms(s.max()),
                            k.flop() / s.median() / 1e6, ratio, others[c][j]));
                }
            }
            return sb.toString();
        } finally {
            for (Worker w : jvms) {
                if (w != null) {
                    w.close();
                }
            }
        }
    }

    private static String ms(double v) {
        return v >= 10 ? String.format(Locale.ROOT, "%.1f", v)
                : v >= 1 ? String.format(Locale.ROOT, "%.3f", v) : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String vendor() {
        return Environment.read("/proc/cpuinfo").lines().filter(l -> l.startsWith("vendor_id"))
                .map(l -> l.replaceFirst("vendor_id\\s*:\\s*", "")).findFirst().orElse("vendor unknown");
    }

    private static boolean isOnClassPath(String name) {
        try {
            Class.forName(name, false, MklSgemmBenchmark.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** A child JVM running {@link #main} with one BLAS, and the lines it prints. */
    static final class Worker implements AutoCloseable {
        private static final String EOF = "\u0000eof";
        private final Process process;
        private final String tag;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final Writer stdin;

        private Worker(Process process, String tag) {
            this.process = process;
            this.tag = tag;
            this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread reader = new Thread(() -> {
                try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    lines.add("output lost: " + e);
                }
                lines.add(EOF);
            });
            reader.setDaemon(true);
            reader.start();
        }

        static Worker start(String blas, int threads) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(Environment.javaExecutable(), "-XX:+UseG1GC",
                    "-Dtensorj.cpu.threads=" + threads, "-Dtensorj.cpu.blas=" + blas,
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
            if (Runtime.version().feature() >= 22) {
                cmd.add("--enable-native-access=ALL-UNNAMED");
            }
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), MklSgemmBenchmark.class.getName()));
            var pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("OPENBLAS_NUM_THREADS", String.valueOf(threads));
            pb.environment().put("OMP_NUM_THREADS", String.valueOf(threads));
            String tag = "[" + blas + ", " + threads + "T] ";
            System.out.println(tag + "starting child JVM");
            return new Worker(pb.start(), tag);
        }

        void send(String command) throws IOException {
            stdin.write(command + "\n");
            stdin.flush();
        }

        String await(String prefix) throws InterruptedException {
            while (true) {
                String line = lines.poll(10, TimeUnit.MINUTES);
                if (line == null || line.equals(EOF)) {
                    throw new IllegalStateException(tag + "child JVM ended or hung before printing " + prefix.strip());
                }
                if (line.startsWith(prefix)) {
                    return line;
                }
                System.out.println(tag + line);
            }
        }

        void finish() throws IOException, InterruptedException {
            send("quit");
            stdin.close();
            for (String line; !EOF.equals(line = lines.poll(5, TimeUnit.MINUTES)); ) {
                if (line == null) {
                    throw new IllegalStateException(tag + "child JVM did not end");
                }
                System.out.println(tag + line);
            }
            assertEquals(0, process.waitFor(), tag + "child JVM failed (its output is above)");
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    /**
     * The child: builds and warms every case, prints {@code READY}, the large-product path and a
     * check sum per case, then runs one slot per {@code slot <case>} line.
     */
    public static void main(String[] args) throws IOException {
        List<Runnable> ops = new ArrayList<>();
        List<Double> sums = new ArrayList<>();
        var rnd = new SplittableRandom(7);
        for (int[] s : SHAPES) {
            Tensor a = Tensor.of(TensorjCases.random(rnd, s[0] * s[1]), s[0], s[1]);
            Tensor b = Tensor.of(TensorjCases.random(rnd, s[1] * s[2]), s[1], s[2]);
            try (NoGrad g = NoGrad.enter(); Tensor c = a.matmul(b)) {
                sums.add(sum(c.toFloatArray()));
            }
            ops.add(TensorjCases.sgemm(a, b));
        }
        List<SuiteWorker.Product> products = S3.products();
        float[][][] operands = BlasProducts.operands(products, 11);
        CpuBackend be = CpuBackend.INSTANCE;
        Storage[][] st = new Storage[products.size()][];
        for (int i = 0; i < st.length; i++) {
            SuiteWorker.Product p = products.get(i);
            st[i] = new Storage[] {be.fromHost(operands[i][0]), be.fromHost(operands[i][1]),
                be.allocate(ScalarType.F32, (long) p.m() * p.n())};
        }
        Runnable s3Products = () -> {
            for (int i = 0; i < st.length; i++) {
                SuiteWorker.Product p = products.get(i);
                be.matmul(st[i][0], st[i][1], st[i][2], p.m(), p.n(), p.k(), p.transA(), p.transB());
            }
        };
        s3Products.run();
        double total = 0;
        for (Storage[] s : st) {
            float[] c = new float[(int) s[2].numel()];
            be.toHost(s[2], c);
            total += sum(c);
        }
        sums.add(total);
        ops.add(s3Products);
        Tensor.manualSeed(5);
        var step = new TensorjCases.Training(S3);
        sums.add((double) step.loss());
        ops.add(step::step);

        List<Rounds.Contender> contenders = new ArrayList<>();
        for (Runnable op : ops) {
            contenders.add(new Rounds.Contender("tensorj", op, 0)); // 0.2 s of untimed calls each
        }
        StringBuilder check = new StringBuilder();
        for (double s : sums) {
            check.append(check.length() == 0 ? "" : ",").append(s);
        }
        System.out.println("READY\t" + TensorjCases.largeProductPath() + "\t" + check);
        var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null && !line.equals("quit"); ) {
            int c = Integer.parseInt(line.substring("slot ".length()));
            Rounds.Slot slot = contenders.get(c).slot(SLOT_SECONDS, 3);
            StringBuilder sb = new StringBuilder("SLOT\t").append(slot.otherCores()).append('\t');
            for (int i = 0; i < slot.ms().length; i++) {
                sb.append(i == 0 ? "" : ",").append(slot.ms()[i]);
            }
            System.out.println(sb);
        }
    }

    /** Sum of |x| in double: equal products give equal sums up to rounding. */
    private static double sum(float[] x) {
        double s = 0;
        for (float v : x) {
            s += Math.abs(v);
        }
        return s;
    }
}
