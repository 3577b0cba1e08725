package dev.tensorj.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
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
    /** Pairs of counters-on/off JVMs, alternating which goes first. */
    static final int COUNTER_ROUNDS = 6;
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
        results.addAll(child(classpath, work, THREADS, null, "sgemm"));
        for (String c : new String[] {"S1", "S2", "S3"}) {
            results.addAll(child(classpath, work, THREADS, null, "train", c));
        }
        results.addAll(child(classpath, work, THREADS, null, "scaling"));
        results.addAll(child(classpath, work, 1, null, "scaling"));
        for (int round = 0; round < COUNTER_ROUNDS; round++) {
            String[] order = round % 2 == 0 ? new String[] {null, "false"} : new String[] {"false", null};
            for (String counters : order) {
                results.addAll(child(classpath, work, THREADS, counters, "counters"));
            }
        }
        meta.loadEnd = Environment.loadAverage();
        meta.minutes = (System.nanoTime() - start) / 60e9;

        String report = SuiteReport.markdown(results, meta);
        System.out.println(report);
        Path out = Path.of("results", LocalDate.now() + "-cpu-suite.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
    }

    /** Runs one {@link SuiteWorker} and reads back what it measured. */
    private static List<Results.Result> child(String classpath, Path work, int threads, String counters,
                                              String... mode) throws IOException, InterruptedException {
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
        String tag = "[" + String.join(" ", mode) + (counters != null ? " counters=" + counters : "") + ", " + threads + "T] ";
        System.out.println(tag + "starting child JVM");
        Process p = pb.start();
        Thread echo = new Thread(() -> {
            try (var in = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                for (String line; (line = in.readLine()) != null; ) {
                    System.out.println(tag + line);
                }
            } catch (IOException e) {
                System.out.println(tag + "output lost: " + e);
            }
        });
        echo.setDaemon(true);
        echo.start();
        if (!p.waitFor(20, TimeUnit.MINUTES)) {
            p.destroyForcibly().waitFor();
        }
        echo.join(5000);
        assertEquals(0, p.exitValue(), tag + "child JVM failed or timed out (its output is above)");
        return Results.read(file);
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
