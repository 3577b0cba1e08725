package dev.tensorj.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The CPU benchmark suite: tensorj against DJL 0.36 with the PyTorch engine and against OpenBLAS
 * called directly, for sgemm and three training steps, with batch and thread scaling, allocation per
 * step, GC share and the cost of tensorj's counters. Numbers are reported, never asserted.
 *
 * <p>Run from the repository root: {@code mvn -q -o install -DskipTests && mvn -q -f benchmarks test
 * -Dtest=CpuBenchmarkSuite}. The class name matches none of Surefire's default patterns, so it runs
 * only when named. It prints a Markdown report and writes it to
 * {@code benchmarks/results/<date>-cpu-suite.md}.
 *
 * <p>Every measurement runs in a child JVM ({@link SuiteWorker}): tensorj's thread count and its
 * counter switch are static finals read once, so one thread against two, and counters on against
 * off, need separate processes; the children share one set of JVM flags. The children load a
 * private copy of the tensorj jar, checked to be this checkout's build, so that another checkout
 * installing tensorj into the shared local repository mid-run cannot change what is measured.
 */
@Tag("benchmark")
class CpuBenchmarkSuite {
    static final int THREADS = 2;
    /** Rounds of the counters comparison: one slot in each of the two JVMs, alternating which goes first. */
    static final int COUNTER_ROUNDS = 20;
    static final double COUNTER_SLOT_SECONDS = 0.5;
    static final String LIBRARY_JAR = "tensorj-0.1.0-SNAPSHOT.jar";

    @Test
    void cpuSuite() throws Exception {
        long start = System.nanoTime();
        Path work = Path.of("target", "cpu-suite");
        if (Files.isDirectory(work)) {
            try (Stream<Path> old = Files.list(work)) {
                for (Path p : old.collect(Collectors.toList())) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(work);
        var meta = new SuiteReport.Meta();
        meta.loadStart = Environment.loadAverage();
        String classpath = privateClasspath(work, meta);
        meta.openblasCore = Environment.openblasCore();

        List<Results.Result> results = new ArrayList<>();
        results.addAll(Child.start(classpath, work, THREADS, null, "sgemm").finish());
        for (String c : new String[] {"S1", "S2", "S3"}) {
            results.addAll(Child.start(classpath, work, THREADS, null, "train", c).finish());
        }
        results.addAll(Child.start(classpath, work, THREADS, null, "scaling").finish());
        results.addAll(Child.start(classpath, work, 1, null, "scaling").finish());
        results.addAll(counters(classpath, work));
        meta.loadEnd = Environment.loadAverage();
        meta.minutes = (System.nanoTime() - start) / 60e9;

        String report = SuiteReport.markdown(results, meta);
        System.out.println(report);
        Path out = Path.of("results", LocalDate.now() + "-cpu-suite.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
    }

    /**
     * S2 with counters on and off: both JVMs start and warm up, then take turns, one short slot
     * each per round, so that both see the same phases of the machine. A round in which other
     * processes took more than {@link Rounds#DISTURBED_CORES} in either slot is run again (at most
     * {@link #COUNTER_ROUNDS} times).
     */
    private static List<Results.Result> counters(String classpath, Path work) throws Exception {
        List<Results.Result> out = new ArrayList<>();
        try (Child on = Child.start(classpath, work, THREADS, null, "counters")) {
            on.await("READY");
            try (Child off = Child.start(classpath, work, THREADS, "false", "counters")) {
                off.await("READY");
                int dropped = 0;
                for (int round = 0; out.size() < 2 * COUNTER_ROUNDS; round++) {
                    Child[] order = round % 2 == 0 ? new Child[] {on, off} : new Child[] {off, on};
                    Results.Result[] slot = new Results.Result[2];
                    double worst = 0;
                    for (int i = 0; i < 2; i++) {
                        order[i].send("slot " + COUNTER_SLOT_SECONDS);
                        String[] f = order[i].await("SLOT ").split(" ");
                        double others = Double.parseDouble(f[1]);
                        worst = Math.max(worst, others);
                        double[] ms = java.util.Arrays.stream(f[2].split(",")).mapToDouble(Double::parseDouble).toArray();
                        Map<String, String> info = new LinkedHashMap<>();
                        info.put("round", String.valueOf(out.size() / 2 + 1));
                        info.put("first", order[0] == on ? "on" : "off");
                        info.put("other_cores", String.valueOf(others));
                        slot[i] = new Results.Result("counters", order[i] == on ? "on" : "off", "tensorj", info,
                                new Timing.Samples(ms));
                    }
                    if (worst > Rounds.DISTURBED_CORES && dropped < COUNTER_ROUNDS) {
                        dropped++;
                        System.out.printf("[counters] round dropped: other processes took %.2f cores%n", worst);
                        Thread.sleep(1000);
                        continue;
                    }
                    for (Results.Result r : slot) {
                        r.info().put("rounds_dropped", String.valueOf(dropped));
                        out.add(r);
                    }
                }
                out.addAll(off.finish());
            }
            out.addAll(on.finish());
        }
        return out;
    }

    /** A running {@link SuiteWorker} and the lines it prints. */
    private static final class Child implements AutoCloseable {
        private static final String EOF = "\u0000eof";
        private final Process process;
        private final String tag;
        private final Path file;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final Writer stdin;

        private Child(Process process, String tag, Path file) {
            this.process = process;
            this.tag = tag;
            this.file = file;
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

        static Child start(String classpath, Path work, int threads, String counters, String... mode)
                throws IOException {
            Path file = Files.createTempFile(work, mode[0] + "-", ".tsv");
            List<String> cmd = new ArrayList<>(List.of(Environment.javaExecutable(),
                    "-Dtensorj.cpu.threads=" + threads,
                    "-Dai.djl.pytorch.num_threads=" + threads,
                    "-Dai.djl.pytorch.num_interop_threads=1",
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                    // DJL probes for CUDA even with the CPU natives; on a machine without a GPU that is noise.
                    "-Dorg.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils=error"));
            if (counters != null) {
                cmd.add("-Dtensorj.counters=" + counters);
            }
            cmd.addAll(List.of("-cp", classpath, SuiteWorker.class.getName(), mode[0], file.toString()));
            cmd.addAll(List.of(mode).subList(1, mode.length));
            var pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("OPENBLAS_NUM_THREADS", String.valueOf(threads));
            pb.environment().put("OMP_NUM_THREADS", String.valueOf(threads));
            String tag = "[" + String.join(" ", mode) + (counters != null ? " counters=" + counters : "") + ", "
                    + threads + "T] ";
            System.out.println(tag + "starting child JVM");
            return new Child(pb.start(), tag, file);
        }

        void send(String command) throws IOException {
            stdin.write(command + "\n");
            stdin.flush();
        }

        /** Echoes lines until one starts with {@code prefix}, and returns that one. */
        String await(String prefix) throws InterruptedException {
            while (true) {
                String line = lines.poll(10, TimeUnit.MINUTES);
                if (line == null || line.equals(EOF)) {
                    throw new IllegalStateException(tag + "child JVM ended or hung before printing " + prefix);
                }
                if (line.startsWith(prefix)) {
                    return line;
                }
                System.out.println(tag + line);
            }
        }

        /** Closes its input, echoes the rest of its output and reads back what it measured. */
        List<Results.Result> finish() throws IOException, InterruptedException {
            try {
                send("quit");
                stdin.close();
            } catch (IOException e) {
                // it has ended already; its exit status tells how
            }
            for (String line; !EOF.equals(line = lines.poll(20, TimeUnit.MINUTES)); ) {
                if (line == null) {
                    process.destroyForcibly();
                    throw new IllegalStateException(tag + "child JVM printed nothing for 20 minutes; killed");
                }
                System.out.println(tag + line);
            }
            if (!process.waitFor(1, TimeUnit.MINUTES)) {
                process.destroyForcibly().waitFor();
            }
            assertEquals(0, process.exitValue(), tag + "child JVM failed (its output is above)");
            return Results.read(file);
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    /**
     * The test classpath with the tensorj jar replaced by a private copy. The jar Maven resolved
     * (from the local repository, shared by every checkout on this machine) must equal this
     * checkout's {@code target/} build, else the run would measure someone else's library.
     */
    private static String privateClasspath(Path work, SuiteReport.Meta meta) throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> entries = new ArrayList<>(List.of(cp.split(java.io.File.pathSeparator)));
        int idx = -1;
        for (int i = 0; i < entries.size(); i++) {
            if (Path.of(entries.get(i)).getFileName().toString().equals(LIBRARY_JAR)) {
                idx = i;
            }
        }
        if (idx < 0) {
            throw new IllegalStateException("no " + LIBRARY_JAR + " on the test classpath: " + cp);
        }
        Path resolved = Path.of(entries.get(idx));
        Path built = Path.of("..", "target", LIBRARY_JAR);
        if (!Files.exists(built) || Files.mismatch(resolved, built) != -1) {
            throw new IllegalStateException("the tensorj jar Maven resolved (" + resolved + ") is not this checkout's"
                    + " build (" + built.toAbsolutePath().normalize() + "); another checkout may have installed"
                    + " since. Run `mvn -q -o install -DskipTests` in the repository root again, then the suite.");
        }
        Path copy = work.resolve(LIBRARY_JAR);
        Files.copy(resolved, copy);
        entries.set(idx, copy.toAbsolutePath().toString());
        byte[] sha = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(copy));
        meta.libraryJar = "sha-256 " + HexFormat.of().formatHex(sha, 0, 6) + "…, identical to ../target/" + LIBRARY_JAR
                + " (built " + Files.getLastModifiedTime(built) + ")";
        return String.join(java.io.File.pathSeparator, entries);
    }
}
