package dev.tensorj.bench;

import com.sun.management.ThreadMXBean;
import dev.tensorj.NoGrad;
import dev.tensorj.Tensor;
import dev.tensorj.nn.LayerNorm;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * nn.LayerNorm(2048) forward and backward on a [128, 2048] CPU input (the suite's LN case): the
 * module as shipped (one fused op) against the nine-op composition it replaced (written here with
 * the public API, op for op as LayerNorm.forward had it, on the same weight and bias), taking turns
 * in one JVM. Prints per-call medians of time and of the calling thread's allocated heap bytes,
 * and the ratio composed/fused per round. Run by name only:
 * {@code mvn -B -o test -Dtest=LayerNormBenchmark -Dsurefire.failIfNoSpecifiedTests=false -P '!cuda-emulator'}.
 */
class LayerNormBenchmark {
    static final int ROWS = 128;
    static final int COLS = 2048;

    interface Step {
        /** One forward and backward, leaving the gradients in x and the module's parameters; returns the output. */
        Tensor run(LayerNorm ln, Tensor x, Tensor g);
    }

    static final Step FUSED = (ln, x, g) -> {
        Tensor y = ln.forward(x);
        y.backward(g, false);
        return y;
    };

    static final Step COMPOSED = (ln, x, g) -> {
        Tensor y = composed(ln, x);
        y.backward(g, false);
        return y;
    };

    /** The removed LayerNorm.forward: mean, sub, square, mean, add, rsqrt, mul, mul, add. */
    static Tensor composed(LayerNorm ln, Tensor input) {
        int[] dims = {input.dim() - 1};
        try (Tensor mean = input.mean(dims, true);
                Tensor centered = input.sub(mean);
                Tensor squared = centered.square();
                Tensor var = squared.mean(dims, true);
                Tensor shifted = var.add(1e-5f);
                Tensor rstd = shifted.rsqrt()) {
            try (Tensor y = centered.mul(rstd); Tensor scaled = y.mul(ln.weight())) {
                return scaled.add(ln.bias());
            }
        }
    }

    @Test
    void compare() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        System.out.println("layer_norm fused/composed: " + Runtime.version() + ", "
                + Runtime.getRuntime().availableProcessors() + " cpus");
        Tensor.manualSeed(20261204L);
        LayerNorm ln = new LayerNorm(COLS);
        try (NoGrad off = NoGrad.enter()) {
            ln.weight().copy_(Tensor.randn(COLS));
            ln.bias().copy_(Tensor.randn(COLS));
        }
        Tensor x0 = Tensor.randn(ROWS, COLS).mul(3f).add(1f);
        Tensor g = Tensor.randn(ROWS, COLS);
        float[] a = ln.forward(x0).toFloatArray();
        float[] b = composed(ln, x0).toFloatArray();
        for (int i = 0; i < a.length; i++) {
            if (!(Math.abs(a[i] - b[i]) <= 1e-4 * (1 + Math.abs(b[i])))) {
                throw new AssertionError("fused " + a[i] + " and composed " + b[i] + " differ at " + i);
            }
        }
        for (int i = 0; i < 10; i++) { // warm-up
            slot(COMPOSED, ln, x0, g, 20, threads, false);
            slot(FUSED, ln, x0, g, 20, threads, false);
        }
        // outputs and input gradients left to the GC (as a caller that drops them), then closed at once
        measure(ln, x0, g, threads, false);
        measure(ln, x0, g, threads, true);
    }

    private static void measure(LayerNorm ln, Tensor x0, Tensor g, ThreadMXBean threads, boolean close) {
        int calls = 20;
        int rounds = 31;
        List<Double> tc = new ArrayList<>();
        List<Double> tf = new ArrayList<>();
        List<Double> bc = new ArrayList<>();
        List<Double> bf = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            boolean composedFirst = r % 2 == 0;
            double[] c = composedFirst ? slot(COMPOSED, ln, x0, g, calls, threads, close) : null;
            double[] f = slot(FUSED, ln, x0, g, calls, threads, close);
            if (!composedFirst) {
                c = slot(COMPOSED, ln, x0, g, calls, threads, close);
            }
            tc.add(c[0]);
            tf.add(f[0]);
            bc.add(c[1]);
            bf.add(f[1]);
            ratios.add(c[0] / f[0]);
        }
        ratios.sort(null);
        tc.sort(null);
        tf.sort(null);
        System.out.println(close ? "output and input gradient closed after each call:"
                : "output and input gradient dropped (to the GC) after each call:");
        System.out.printf(Locale.ROOT, "LayerNorm(%d) on [%d, %d], forward+backward: composed %.1f us (min %.1f, max %.1f),"
                + " fused %.1f us (min %.1f, max %.1f); composed/fused per round: median %.2f, min %.2f, max %.2f,"
                + " quartiles %.2f-%.2f%n", COLS, ROWS, COLS, SgdStepBenchmark.median(tc), tc.get(0), tc.get(rounds - 1),
                SgdStepBenchmark.median(tf), tf.get(0), tf.get(rounds - 1), SgdStepBenchmark.median(ratios),
                ratios.get(0), ratios.get(rounds - 1), ratios.get(rounds / 4), ratios.get(3 * rounds / 4));
        System.out.printf(Locale.ROOT, "heap bytes per forward+backward (calling thread): composed %.0f, fused %.0f"
                + " (medians)%n", SgdStepBenchmark.median(bc), SgdStepBenchmark.median(bf));
    }

    /**
     * Microseconds and heap bytes per call over {@code calls} calls, each on a fresh leaf sharing x0's
     * values; with {@code close}, the output and the input's gradient are closed after each call but
     * the last (their arrays go back to the pool).
     */
    private static double[] slot(Step s, LayerNorm ln, Tensor x0, Tensor g, int calls, ThreadMXBean threads,
            boolean close) {
        long id = Thread.currentThread().getId();
        Tensor x = null;
        long b0 = threads.getThreadAllocatedBytes(id);
        long t0 = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            ln.zeroGrad();
            x = x0.detach().requiresGrad(true);
            Tensor y = s.run(ln, x, g);
            if (close && i < calls - 1) {
                y.close();
                x.grad().close();
            }
        }
        long t1 = System.nanoTime();
        long b1 = threads.getThreadAllocatedBytes(id);
        if (x.grad() == null || ln.weight().grad() == null) {
            throw new AssertionError("no gradient");
        }
        return new double[] {(t1 - t0) / 1e3 / calls, (double) (b1 - b0) / calls};
    }
}
