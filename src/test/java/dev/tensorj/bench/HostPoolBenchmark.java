package dev.tensorj.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.sun.management.ThreadMXBean;
import dev.tensorj.Counters;
import dev.tensorj.Device;
import dev.tensorj.Tensor;
import dev.tensorj.backend.cpu.PoolProbe;
import dev.tensorj.nn.Linear;
import dev.tensorj.nn.MSELoss;
import dev.tensorj.nn.Module;
import dev.tensorj.nn.ReLU;
import dev.tensorj.nn.Sequential;
import dev.tensorj.optim.SGD;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The host array pool, on against off in one JVM ({@code PoolProbe.capBytes(0)} turns it off):
 * heap bytes (ThreadMXBean.getThreadAllocatedBytes of the stepping thread), tensor allocations
 * (Counters) and time per training step for S3 (784→1024→ReLU→1024→ReLU→10, batch 256) and S2
 * (10→20→ReLU→1, batch 32), MSE and SGD as in the CPU suite's step (the user closes nothing), and
 * the time of one 256×784·784×1024 product whose output is closed after each call. On and off take
 * turns in short rounds. Prints a Markdown table; numbers are reported, never asserted. Run by name
 * only: {@code mvn -B -o test -Dtest=HostPoolBenchmark -Dsurefire.failIfNoSpecifiedTests=false -P '!cuda-emulator'}
 * (the pom's poison mode must be off: {@code -Dtensorj.cpu.pool.poison=false} on the command line).
 */
class HostPoolBenchmark {
    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 9);

    /** The CPU suite's training step. */
    private static final class Step {
        final Module model;
        final Tensor x;
        final Tensor y;
        final SGD sgd;
        final MSELoss mse = new MSELoss();

        Step(int batch, int... widths) {
            Tensor.manualSeed(1);
            List<Module> layers = new ArrayList<>();
            for (int i = 1; i < widths.length; i++) {
                if (i > 1) {
                    layers.add(new ReLU());
                }
                layers.add(new Linear(widths[i - 1], widths[i]));
            }
            model = new Sequential(layers.toArray(new Module[0]));
            x = Tensor.randn(batch, widths[0]);
            y = Tensor.randn(batch, widths[widths.length - 1]);
            sgd = new SGD(model.parameters(), 0.01f);
        }

        void run() {
            sgd.zeroGrad();
            Tensor loss = mse.forward(model.forward(x), y);
            loss.backward();
            sgd.step();
        }
    }

    /** One measured stretch: per step (or call) heap bytes, tensor allocations, milliseconds. */
    private record Stretch(double heapBytes, double allocations, double reused, double ms, long gcMs) {}

    @Test
    void poolOnAgainstOff() {
        assertFalse(PoolProbe.poisons(), "run with -Dtensorj.cpu.pool.poison=false: poison mode writes every array");
        long cap = PoolProbe.capBytes();
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "cpu: %s; %d rounds, pool cap %d MiB; Java %s%n%n"
                        + "| case | pool | heap bytes per step | tensor allocations per step | of them from the pool "
                        + "| median ms | min-max ms | GC ms |%n|---|---|---|---|---|---|---|---|%n",
                cpuModel(), ROUNDS, cap >> 20, System.getProperty("java.version")));
        Step s3 = new Step(256, 784, 1024, 1024, 10);
        Step s2 = new Step(32, 10, 20, 1);
        Tensor a = Tensor.randn(256, 784);
        Tensor b = Tensor.randn(784, 1024);
        Runnable sgemm = () -> a.matmul(b).close();
        measure(out, "S3", s3::run, 20, cap);
        measure(out, "S2", s2::run, 400, cap);
        measure(out, "sgemm 256×784·784×1024, output closed", sgemm, 40, cap);
        PoolProbe.capBytes(cap);
        System.out.print(out);
    }

    private static void measure(StringBuilder out, String name, Runnable step, int perRound, long cap) {
        for (int i = 0; i < 5 * perRound; i++) { // warm-up, both ways
            PoolProbe.capBytes(i % 2 == 0 ? cap : 0);
            step.run();
        }
        List<Stretch> on = new ArrayList<>();
        List<Stretch> off = new ArrayList<>();
        for (int r = 0; r < ROUNDS; r++) {
            for (boolean pooled : r % 2 == 0 ? new boolean[] {true, false} : new boolean[] {false, true}) {
                PoolProbe.capBytes(pooled ? cap : 0);
                for (int i = 0; i < 3; i++) {
                    step.run(); // the shelves fill (or empty) for this setting
                }
                (pooled ? on : off).add(stretch(step, perRound));
            }
        }
        row(out, name, "on", on);
        row(out, name, "off", off);
    }

    private static Stretch stretch(Runnable step, int n) {
        long tid = Thread.currentThread().getId();
        Counters.Snapshot c0 = Counters.snapshot(Device.CPU);
        long gc0 = gcMillis();
        long r0 = PoolProbe.reused();
        long h0 = THREADS.getThreadAllocatedBytes(tid);
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            step.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        long h1 = THREADS.getThreadAllocatedBytes(tid);
        long r1 = PoolProbe.reused();
        Counters.Snapshot c = Counters.snapshot(Device.CPU).minus(c0);
        Arrays.sort(ms);
        return new Stretch((double) (h1 - h0) / n, (double) c.allocations() / n, (double) (r1 - r0) / n, ms[n / 2], gcMillis() - gc0);
    }

    private static void row(StringBuilder out, String name, String pool, List<Stretch> runs) {
        double[] heap = runs.stream().mapToDouble(Stretch::heapBytes).sorted().toArray();
        double[] ms = runs.stream().mapToDouble(Stretch::ms).sorted().toArray();
        double allocations = runs.get(0).allocations();
        double reused = runs.get(0).reused();
        long gc = runs.stream().mapToLong(Stretch::gcMs).sum();
        out.append(String.format(Locale.ROOT, "| %s | %s | %s | %.1f | %.1f | %.3f | %.3f-%.3f | %d |%n", name, pool,
                bytes(heap[heap.length / 2]), allocations, reused, ms[ms.length / 2], ms[0], ms[ms.length - 1], gc));
    }

    private static String bytes(double b) {
        return b >= 1 << 20 ? String.format(Locale.ROOT, "%.2f MiB", b / (1 << 20))
                : b >= 1 << 10 ? String.format(Locale.ROOT, "%.1f KiB", b / (1 << 10))
                : String.format(Locale.ROOT, "%.0f B", b);
    }

    private static long gcMillis() {
        long t = 0;
        for (GarbageCollectorMXBean g : ManagementFactory.getGarbageCollectorMXBeans()) {
            t += Math.max(0, g.getCollectionTime());
        }
        return t;
    }

    private static String cpuModel() {
        try {
            return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name")).findFirst().map(l -> l.replaceFirst(".*:\\s*", ""))
                    .orElse("?");
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
