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
 * called directly, for sgemm and six training steps (S1-S3, and the cases users run: the digits MLP
 * at two batch sizes and an MLP with LayerNorm and GELU), with batch and thread scaling, allocation
 * per step, GC share and the cost of tensorj's counters. Numbers are reported, never asserted.
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
    /**
     * Pairs of JVMs (counters on, off) the counters comparison runs one after the other: each JVM
     * compiles the step its own way, which moves one pair's ratio by a few percent.
     * {@code -Dsuite.counterPairs=N} changes it.
     */
    static final int COUNTER_PAIRS = Integer.getInteger("suite.counterPairs", 3);
    /** Rounds per pair of the counters comparison: one slot in each of the two JVMs, alternating which goes first. */
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

        // -Dsuite.groups=train,counters reruns some groups only, -Dsuite.cases=D64,LN some training cases
        // only; the report then goes to a -partial file.
        String groups = System.getProperty("suite.groups", "sgemm,train,scaling,counters");
        String cases = System.getProperty("suite.cases", "");
        boolean all = groups.equals("sgemm,train,scaling,counters") && cases.isEmpty();
        List<Results.Result> results = new ArrayList<>();
        if (groups.contains("sgemm")) {
            results.addAll(ChildJvm.start(classpath, work, THREADS, null, null, "sgemm").finish());
        }
        if (groups.contains("train")) {
            for (SuiteWorker.Case c : SuiteWorker.TRAIN_CASES) {
                if (cases.isEmpty() || List.of(cases.split(",")).contains(c.name())) {
                    results.addAll(ChildJvm.start(classpath, work, THREADS, null, null, "train", c.name()).finish());
                }
            }
        }
        if (groups.contains("scaling")) {
            results.addAll(scaling(classpath, work));
        }
        if (groups.contains("counters")) {
            results.addAll(counters(classpath, work, meta));
        }
        meta.loadEnd = Environment.loadAverage();
        meta.parentWaited = Meters.waitedSeconds();
        meta.minutes = (System.nanoTime() - start) / 60e9;

        String report = SuiteReport.markdown(results, meta);
        System.out.println(report);
        // Runs on another Java than 17 get their own file: from 22 on tensorj's products take another path.
        int java = Runtime.version().feature();
        Path out = Path.of("results", LocalDate.now() + "-cpu-suite" + (java == 17 ? "" : "-java" + java)
                + (all ? "" : "-partial") + ".md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
    }

    /**
     * S3 at each batch, 1 thread against 2: a 2-thread and a 1-thread JVM (tensorj's thread count
     * is a static final) each build and warm every batch in both libraries, then the four
     * contenders of a batch take turns ({@link Turns}), so that the thread counts are compared on
     * the same phases of the machine.
     */
    private static List<Results.Result> scaling(String classpath, Path work) throws Exception {
        List<Results.Result> out = new ArrayList<>();
        try (ChildJvm two = ChildJvm.start(classpath, work, THREADS, null, null, "serve", "scaling")) {
            two.await("READY");
            try (ChildJvm one = ChildJvm.start(classpath, work, 1, null, null, "serve", "scaling")) {
                one.await("READY");
                for (int batch : SuiteWorker.SCALING_BATCHES) {
                    System.out.println("[scaling] S3 batch " + batch);
                    List<Turns.Seat> seats = new ArrayList<>();
                    for (String impl : new String[] {"tensorj", "djl"}) {
                        for (ChildJvm jvm : new ChildJvm[] {two, one}) {
                            int threads = jvm == two ? THREADS : 1;
                            seats.add(new Turns.Seat(jvm, "S3 batch " + batch + " " + impl, "scaling",
                                    "S3 batch " + batch + " threads " + threads, impl,
                                    Map.of("flop", String.valueOf(SuiteWorker.S3.withBatch(batch).flop()),
                                            "batch", String.valueOf(batch), "threads", String.valueOf(threads))));
                        }
                    }
                    out.addAll(Turns.run(seats, SuiteWorker.SCALING_ROUNDS, 1.0));
                }
                out.addAll(one.finish());
            }
            out.addAll(two.finish());
        }
        return out;
    }

    /**
     * S2 with counters on and off, in {@link #COUNTER_PAIRS} pairs of JVMs one after the other; the
     * two JVMs of a pair take turns ({@link Turns}), both pinned to the same CPU (with taskset, where
     * there is one): unpinned, a 20 µs step moves between about 17 and 33 µs as the thread and the
     * GC threads move between the two vCPUs, noise far above the 2% to be resolved. Every JVM times
     * blocks of the same number of steps: the first JVM finds it (20 ms of its thread's CPU time,
     * after its warm-up) and the parent passes it to all the others.
     */
    private static List<Results.Result> counters(String classpath, Path work, SuiteReport.Meta meta)
            throws Exception {
        List<Results.Result> out = new ArrayList<>();
        String cpu = String.valueOf(Runtime.getRuntime().availableProcessors() - 1);
        String pin = Files.isExecutable(Path.of("/usr/bin/taskset")) ? cpu : null;
        meta.countersPinning = pin == null ? "not pinned (no /usr/bin/taskset)" : "both pinned to CPU " + pin
                + " with taskset";
        int perBlock = 0;
        for (int pair = 1; pair <= COUNTER_PAIRS; pair++) {
            System.out.println("[counters] pair " + pair + " of " + COUNTER_PAIRS);
            try (ChildJvm on = ChildJvm.start(classpath, work, THREADS, null, pin, "serve", "counters",
                    String.valueOf(perBlock))) {
                perBlock = Integer.parseInt(on.await("READY").substring("READY ".length()));
                try (ChildJvm off = ChildJvm.start(classpath, work, THREADS, "false", pin, "serve", "counters",
                        String.valueOf(perBlock))) {
                    off.await("READY");
                    Map<String, String> info = Map.of("pair", String.valueOf(pair), "per_block",
                            String.valueOf(perBlock));
                    List<Turns.Seat> seats = List.of(
                            new Turns.Seat(on, "S2 tensorj", "counters", "on", "tensorj", info),
                            new Turns.Seat(off, "S2 tensorj", "counters", "off", "tensorj", info));
                    out.addAll(Turns.run(seats, COUNTER_ROUNDS, COUNTER_SLOT_SECONDS));
                    out.addAll(off.finish());
                }
                out.addAll(on.finish());
            }
        }
        return out;
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
