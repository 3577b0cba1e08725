package dev.tensorj.bench;

import dev.tensorj.NoGrad;
import dev.tensorj.Tensor;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * GELU (exact form) forward and backward on a [128, 2048] CPU input drawn from N(0, 1), the shape
 * and spread of the suite's LN case after its LayerNorm: median time of many calls, with the
 * 10th-90th percentiles. The forward runs under no-grad; each backward follows a fresh, untimed
 * forward. Numbers are printed, never asserted (results in benchmarks/results/2026-12-05-fast-erf.md).
 * Run by name only:
 * {@code mvn -B -o test -Dtest=GeluBenchmark -Dsurefire.failIfNoSpecifiedTests=false -P '!cuda-emulator'}.
 */
class GeluBenchmark {
    private static final int ROWS = 128;
    private static final int COLS = 2048;
    private static final int WARMUP = 100;
    private static final int CALLS = 400;

    @Test
    void forwardAndBackward() {
        Tensor.manualSeed(20261205L);
        Tensor x = Tensor.randn(ROWS, COLS).requiresGrad(true);
        Tensor g = Tensor.randn(ROWS, COLS);
        for (int i = 0; i < WARMUP; i++) {
            forward(x);
            backward(x, g);
        }
        double[] fwd = new double[CALLS];
        double[] bwd = new double[CALLS];
        for (int i = 0; i < CALLS; i++) { // interleaved, so that load from other processes hits both alike
            fwd[i] = forward(x);
            bwd[i] = backward(x, g);
        }
        System.out.println("gelu on [" + ROWS + ", " + COLS + "], cpu: " + Runtime.version() + ", "
                + Runtime.getRuntime().availableProcessors() + " cpus");
        print("forward", fwd);
        print("backward", bwd);
    }

    private static void print(String what, double[] us) {
        Arrays.sort(us);
        System.out.printf(Locale.ROOT, "gelu %s: median %.1f us (p10 %.1f, p90 %.1f), %.2f ns per element%n", what,
                us[CALLS / 2], us[CALLS / 10], us[CALLS * 9 / 10], us[CALLS / 2] * 1e3 / (ROWS * COLS));
    }

    /** Microseconds of one forward without a graph. */
    private static double forward(Tensor x) {
        try (NoGrad off = NoGrad.enter()) {
            long t0 = System.nanoTime();
            Tensor y = x.gelu();
            double us = (System.nanoTime() - t0) / 1e3;
            y.close();
            return us;
        }
    }

    /** Microseconds of one backward (the fused gelu_backward kernel and its autograd bookkeeping). */
    private static double backward(Tensor x, Tensor g) {
        Tensor y = x.gelu();
        x.zeroGrad();
        long t0 = System.nanoTime();
        y.backward(g, false);
        double us = (System.nanoTime() - t0) / 1e3;
        x.grad().close();
        y.close();
        return us;
    }
}
