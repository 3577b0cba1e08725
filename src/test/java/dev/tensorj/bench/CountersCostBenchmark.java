package dev.tensorj.bench;

import dev.tensorj.Tensor;
import dev.tensorj.nn.Linear;
import dev.tensorj.nn.MSELoss;
import dev.tensorj.nn.Module;
import dev.tensorj.nn.ReLU;
import dev.tensorj.nn.Sequential;
import dev.tensorj.optim.SGD;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The cost of the always-on counters on the S2 step (Linear(10,20)→ReLU→Linear(20,1), batch 32,
 * MSE, SGD lr 0.01), as the CPU suite's counters group measures it, with one difference: every
 * block is the same number of steps in both JVMs ({@code bench.steps}, default 2000) instead of a
 * number each JVM calibrates from 0.2 s of its own steps. The suite's calibration can go wrong in
 * one JVM only (it ran during a JIT compile on the one pinned CPU: 7884 blocks of ~2 ms against 721
 * of ~20 ms in the 2026-12-01 run), and a median over short blocks drops interruptions that a
 * median over long blocks averages in, which biases the ratio.
 *
 * <p>Two child JVMs, A (the default: counters on) and B ({@code -Dtensorj.counters=false}), both
 * pinned with taskset to the last CPU where taskset exists, warm up one after the other (3 s of
 * the stepping thread's CPU time each),
 * then take turns: {@code bench.rounds} rounds (default 30) of one slot each ({@code bench.blocks}
 * blocks, default 25), alternating which goes first. Prints the median of per-round ratios A ÷ B
 * (each round: median block of A's slot ÷ median block of B's), quartiles, range, pooled medians,
 * and each JVM's heap bytes per step, by wall clock and by the stepping thread's CPU time: on a
 * shared machine the wall clock also counts the time the thread waited for the CPU, which the CPU
 * time leaves out. {@code bench.libA} / {@code bench.libB}: another classes
 * folder or jar for A or B in place of this build's {@code target/classes} (to compare two builds;
 * then {@code bench.flagsB=} with no flag compares them both with counters on). {@code bench.stepsB}:
 * another block length for B (same time per slot), to see what the block length alone does to the
 * ratio. {@code bench.pairs}: how many pairs of JVMs to run one after the other (default 1); each
 * pair's JIT compiles the step its own way, which moves the ratio by a few percent from pair to
 * pair. Run by name only:
 * {@code mvn -o -B test -Dtest=CountersCostBenchmark -Dsurefire.failIfNoSpecifiedTests=false -P '!cuda-emulator'}.
 */
class CountersCostBenchmark {

    @Test
    void compare() throws Exception {
        int rounds = Integer.getInteger("bench.rounds", 30);
        int blocks = Integer.getInteger("bench.blocks", 25);
        int steps = Integer.getInteger("bench.steps", 2000);
        int stepsB = Integer.getInteger("bench.stepsB", steps);
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String pin = Files.isExecutable(Path.of("/usr/bin/taskset"))
                ? String.valueOf(Runtime.getRuntime().availableProcessors() - 1) : null;
        String flagsA = System.getProperty("bench.flagsA", "");
        String flagsB = System.getProperty("bench.flagsB", "-Dtensorj.counters=false");
        System.out.println("Counters cost on S2: A [" + flagsA + "] vs B [" + flagsB + "], " + rounds + " rounds of "
                + blocks + " blocks of " + steps + (stepsB != steps ? " (B: " + stepsB + ")" : "") + " steps, pinned to CPU " + pin + "; " + Runtime.version() + "; "
                + cpuModel());
        int pairs = Integer.getInteger("bench.pairs", 1);
        List<Double> pairCpu = new ArrayList<>();
        List<Double> pairWall = new ArrayList<>();
        for (int p = 0; p < pairs; p++) {
            if (pairs > 1) {
                System.out.println("pair " + (p + 1) + " of " + pairs + ":");
            }
            try (Child a = new Child("A", withLib(cp, System.getProperty("bench.libA")), flagsA, pin, steps)) {
                a.await("READY");
                try (Child b = new Child("B", withLib(cp, System.getProperty("bench.libB")), flagsB, pin, stepsB)) {
                    b.await("READY");
                    Clock wall = new Clock("wall time");
                    Clock cpu = new Clock("thread CPU time");
                    List<Double> heapA = new ArrayList<>();
                    List<Double> heapB = new ArrayList<>();
                    for (int r = 0; r < rounds; r++) {
                        boolean aFirst = r % 2 == 0;
                        Slot sa = aFirst ? a.slot(blocks) : null;
                        Slot sb = b.slot(blocks * steps / stepsB);
                        if (!aFirst) {
                            sa = a.slot(blocks);
                        }
                        wall.add(sa.wall, sb.wall);
                        cpu.add(sa.cpu, sb.cpu);
                        heapA.add(sa.heapPerStep);
                        heapB.add(sb.heapPerStep);
                    }
                    System.out.printf(Locale.ROOT, "heap bytes per step (median slot): A %.0f, B %.0f%n", median(heapA),
                            median(heapB));
                    wall.print();
                    cpu.print();
                    pairWall.add(median(wall.ratios));
                    pairCpu.add(median(cpu.ratios));
                }
            }
        }
        if (pairs > 1) {
            // Each pair of JVMs compiles the step its own way: their medians differ by more than the
            // rounds within one pair resolve, so several pairs are the honest measure.
            System.out.printf(Locale.ROOT, "over %d pairs of JVMs, the median of their per-round medians A/B: wall %.4f"
                    + " (%s), thread CPU time %.4f (%s)%n", pairs, median(pairWall), list(pairWall), median(pairCpu),
                    list(pairCpu));
        }
    }

    private static String list(List<Double> xs) {
        StringBuilder sb = new StringBuilder();
        for (double x : xs) {
            sb.append(sb.length() > 0 ? ", " : "").append(String.format(Locale.ROOT, "%.3f", x));
        }
        return sb.toString();
    }

    /** One clock's blocks over the rounds, and the per-round ratios A ÷ B of the slots' median blocks. */
    private static final class Clock {
        final String name;
        final List<Double> a = new ArrayList<>();
        final List<Double> b = new ArrayList<>();
        final List<Double> ratios = new ArrayList<>();

        Clock(String name) {
            this.name = name;
        }

        void add(double[] sa, double[] sb) {
            ratios.add(median(sa) / median(sb));
            Arrays.stream(sa).forEach(a::add);
            Arrays.stream(sb).forEach(b::add);
        }

        void print() {
            double[] q = sorted(ratios);
            double[] sa = sorted(a);
            double[] sb = sorted(b);
            System.out.printf(Locale.ROOT, "%s: A median %.3f us/step (min %.3f, max %.3f); B median %.3f (min %.3f, max %.3f)%n",
                    name, median(a), sa[0], sa[sa.length - 1], median(b), sb[0], sb[sb.length - 1]);
            System.out.printf(Locale.ROOT, "  A/B per round: median %.4f (%+.1f%%), quartiles %.3f-%.3f, range %.3f-%.3f;"
                            + " pooled medians %.4f; fastest blocks %.4f%n", median(ratios), 100 * (median(ratios) - 1),
                    q[q.length / 4], q[3 * q.length / 4], q[0], q[q.length - 1], median(a) / median(b), sa[0] / sb[0]);
            StringBuilder line = new StringBuilder("  per-round ratios:");
            for (double x : ratios) {
                line.append(String.format(Locale.ROOT, " %.3f", x));
            }
            System.out.println(line);
        }
    }

    /** One slot: microseconds per step of each block by wall clock and by the thread's CPU time. */
    private record Slot(double[] wall, double[] cpu, double heapPerStep) {}

    /** {@code cp} with its {@code target/classes} entry (this build) replaced by {@code lib}, if given. */
    private static String withLib(String cp, String lib) {
        if (lib == null || lib.isEmpty()) {
            return cp;
        }
        List<String> out = new ArrayList<>();
        for (String e : cp.split(File.pathSeparator)) {
            out.add(e.endsWith("target" + File.separator + "classes") || e.endsWith("target/classes/") ? lib : e);
        }
        return String.join(File.pathSeparator, out);
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    static double median(List<Double> xs) {
        return median(xs.stream().mapToDouble(Double::doubleValue).toArray());
    }

    static double median(double[] xs) {
        double[] v = xs.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static double[] sorted(List<Double> xs) {
        double[] v = xs.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        return v;
    }

    /** One child JVM running {@link Worker}. */
    private static final class Child implements AutoCloseable {
        private final Process process;
        private final BufferedReader out;
        private final BufferedWriter in;
        private final String name;

        Child(String name, String cp, String flags, String pin, int steps) throws IOException {
            this.name = name;
            List<String> cmd = new ArrayList<>();
            if (pin != null) {
                cmd.addAll(List.of("/usr/bin/taskset", "-c", pin));
            }
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-XX:+UseG1GC");
            cmd.add("-Dtensorj.cpu.threads=2");
            cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
            for (String f : flags.trim().split("\\s+")) {
                if (!f.isEmpty()) {
                    cmd.add(f);
                }
            }
            cmd.addAll(List.of("-cp", cp, Worker.class.getName(), String.valueOf(steps)));
            process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        }

        String await(String prefix) throws IOException {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith(prefix)) {
                    return line;
                }
                System.out.println("[" + name + "] " + line);
            }
            throw new IllegalStateException(name + ": child JVM ended before printing " + prefix);
        }

        /** {@code SLOT wall,wall,…;cpu,cpu,…;heap bytes per step}. */
        Slot slot(int blocks) throws IOException {
            in.write("slot " + blocks + "\n");
            in.flush();
            String[] f = await("SLOT ").substring(5).split(";");
            return new Slot(Arrays.stream(f[0].split(",")).mapToDouble(Double::parseDouble).toArray(),
                    Arrays.stream(f[1].split(",")).mapToDouble(Double::parseDouble).toArray(), Double.parseDouble(f[2]));
        }

        @Override
        public void close() throws Exception {
            in.close();
            if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** The child: S2 warmed up, then one slot per {@code slot <blocks>} line on stdin. */
    static final class Worker {
        public static void main(String[] args) throws IOException {
            int steps = Integer.parseInt(args[0]);
            Tensor.manualSeed(20261204L);
            Module model = new Sequential(new Linear(10, 20), new ReLU(), new Linear(20, 1));
            Tensor x = Tensor.randn(32, 10);
            Tensor y = Tensor.randn(32, 1);
            SGD sgd = new SGD(model.parameters(), 0.01f);
            MSELoss mse = new MSELoss();
            Runnable step = () -> {
                sgd.zeroGrad();
                mse.forward(model.forward(x), y).backward();
                sgd.step();
            };
            var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            // 3 s of this thread's CPU time, not of the wall clock: on a busy machine 3 s of wall
            // clock can leave the JIT unfinished.
            long c0 = mx.getCurrentThreadCpuTime();
            while (mx.getCurrentThreadCpuTime() - c0 < 3_000_000_000L) {
                for (int i = 0; i < 100; i++) {
                    step.run();
                }
            }
            long tid = Thread.currentThread().getId();
            System.out.println("READY");
            var stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = stdin.readLine()) != null && line.startsWith("slot "); ) {
                int blocks = Integer.parseInt(line.substring(5).trim());
                Thread.yield();
                StringBuilder wall = new StringBuilder("SLOT ");
                StringBuilder cpu = new StringBuilder();
                long h0 = mx.getThreadAllocatedBytes(tid);
                for (int b = 0; b < blocks; b++) {
                    long c = mx.getCurrentThreadCpuTime();
                    long s = System.nanoTime();
                    for (int i = 0; i < steps; i++) {
                        step.run();
                    }
                    long e = System.nanoTime();
                    long ce = mx.getCurrentThreadCpuTime();
                    wall.append(b > 0 ? "," : "").append(String.format(Locale.ROOT, "%.4f", (e - s) / 1e3 / steps));
                    cpu.append(b > 0 ? "," : "").append(String.format(Locale.ROOT, "%.4f", (ce - c) / 1e3 / steps));
                }
                long h1 = mx.getThreadAllocatedBytes(tid);
                StringBuilder sb = wall.append(';').append(cpu).append(';').append((h1 - h0) / ((double) blocks * steps));
                System.out.println(sb);
            }
        }
    }
}
