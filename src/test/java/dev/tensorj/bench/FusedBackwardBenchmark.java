package dev.tensorj.bench;

import dev.tensorj.Counters;
import dev.tensorj.Device;
import dev.tensorj.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The backward pass of the activations whose rules were chains of tensor ops (sigmoid, tanh, silu,
 * gelu in both forms) on the CPU: what one backward dispatches (ops, kernel launches, allocations,
 * from {@link Counters}) and the median time of 200 backward passes over 1M elements, each after a
 * fresh, untimed forward. Prints a Markdown table; numbers are reported, never asserted. Run by
 * name only: {@code mvn -B -o test -Dtest=FusedBackwardBenchmark -Dsurefire.failIfNoSpecifiedTests=false -P '!cuda-emulator'}.
 */
class FusedBackwardBenchmark {
    private static final int N = 1 << 20;
    private static final int WARMUP = 30;
    private static final int PASSES = 200;

    @Test
    void backwardOfTheActivations() {
        Map<String, UnaryOperator<Tensor>> ops = new LinkedHashMap<>();
        ops.put("sigmoid", Tensor::sigmoid);
        ops.put("tanh", Tensor::tanh);
        ops.put("silu", Tensor::silu);
        ops.put("gelu", Tensor::gelu);
        ops.put("gelu tanh", t -> t.gelu("tanh"));
        Tensor.manualSeed(20261204L);
        Tensor x = Tensor.randn(N).mul(3f).requiresGrad(true);
        Tensor g = Tensor.randn(N);
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
                "| op | ops per backward | launches | allocations | MB allocated | median ms | p10-p90 ms |%n"
                        + "|---|---|---|---|---|---|---|%n"));
        for (var e : ops.entrySet()) {
            UnaryOperator<Tensor> f = e.getValue();
            for (int i = 0; i < WARMUP; i++) {
                pass(f, x, g, null);
            }
            Counters.Snapshot[] one = new Counters.Snapshot[1];
            pass(f, x, g, one);
            double[] ms = new double[PASSES];
            for (int i = 0; i < PASSES; i++) {
                ms[i] = pass(f, x, g, null);
            }
            Arrays.sort(ms);
            table.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %.1f | %.3f | %.3f-%.3f |%n", e.getKey(),
                    one[0].ops(), one[0].launches(), one[0].allocations(), one[0].bytesAllocated() / 1e6,
                    ms[PASSES / 2], ms[PASSES / 10], ms[PASSES * 9 / 10]));
        }
        System.out.print(table);
    }

    /**
     * One untimed forward, then the timed backward; milliseconds. With {@code counts}, its first
     * element receives what the backward alone dispatched on the CPU.
     */
    private static double pass(UnaryOperator<Tensor> f, Tensor x, Tensor g, Counters.Snapshot[] counts) {
        Tensor y = f.apply(x);
        x.zeroGrad();
        Counters.Snapshot before = Counters.snapshot(Device.CPU);
        long t0 = System.nanoTime();
        y.backward(g, false);
        double ms = (System.nanoTime() - t0) / 1e6;
        if (counts != null) {
            counts[0] = Counters.snapshot(Device.CPU).minus(before);
        }
        x.grad().close();
        y.close();
        return ms;
    }
}
