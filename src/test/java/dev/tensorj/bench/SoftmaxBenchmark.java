package dev.tensorj.bench;

import dev.tensorj.Device;
import dev.tensorj.Functional;
import dev.tensorj.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * log_softmax and cross_entropy (class indices, "mean"), forward and backward on the CPU: the fused
 * kernels as shipped against the composition they replaced (written here with the public API, op
 * for op as Losses had it), taking turns in one JVM. Prints per-call medians and the ratio
 * composed/fused. Run by name only:
 * {@code mvn -B -o test -Dtest=SoftmaxBenchmark -Dsurefire.failIfNoSpecifiedTests=false -P '!cuda-emulator'}.
 */
class SoftmaxBenchmark {
    record Case(int n, int c) {}

    static final Case[] CASES = {new Case(256, 10), new Case(1024, 1000), new Case(64, 32000)};

    interface Step {
        /** One forward and backward, leaving the gradient in {@code x.grad()}. */
        void run(Tensor x, Tensor target, Tensor g);
    }

    static final Step FUSED_LOG_SOFTMAX = (x, t, g) -> {
        Tensor y = x.logSoftmax(1);
        y.backward(g, false);
    };

    static final Step COMPOSED_LOG_SOFTMAX = (x, t, g) -> {
        Tensor y = composedLogSoftmax(x);
        y.backward(g, false);
    };

    static final Step FUSED_CROSS_ENTROPY = (x, t, g) -> {
        Functional.crossEntropy(x, t).backward();
    };

    static final Step COMPOSED_CROSS_ENTROPY = (x, t, g) -> {
        composedCrossEntropy(x, t).backward();
    };

    /** {@code x - logsumexp(x, 1)} with logsumexp as Reductions has it (finite max subtracted). */
    static Tensor composedLogSoftmax(Tensor x) {
        return x.sub(x.logsumexp(1, true));
    }

    /** The removed composition: log_softmax, a one-hot mask of the valid targets, where, sums, mean by Σ w[t]. */
    static Tensor composedCrossEntropy(Tensor x, Tensor target) {
        int n = x.size(0);
        int c = x.size(1);
        for (long v : target.toLongArray()) { // the host check both versions make
            if ((v < 0 || v >= c) && v != -100) {
                throw new IllegalArgumentException("target " + v);
            }
        }
        Device d = x.device();
        Tensor logp = composedLogSoftmax(x);
        Tensor zero = Tensor.zeros(d);
        Tensor valid = target.ne(Tensor.full(d, -100L));
        Tensor hot = target.unsqueeze(1).eq(Tensor.arange(d, 0, c, 1)).logicalAnd(valid.unsqueeze(1));
        Tensor w = Tensor.ones(d, 1, c);
        Tensor nll = Functional.where(hot, logp.mul(w), zero).sum(1, false).neg();
        Tensor wt = Functional.where(hot, w.expand(n, c), zero).sum();
        return nll.sum().div(wt);
    }

    @Test
    void compare() {
        System.out.println("softmax fused/composed: " + Runtime.version() + ", "
                + Runtime.getRuntime().availableProcessors() + " cpus");
        for (Case k : CASES) {
            measure("log_softmax", k, COMPOSED_LOG_SOFTMAX, FUSED_LOG_SOFTMAX);
            measure("cross_entropy", k, COMPOSED_CROSS_ENTROPY, FUSED_CROSS_ENTROPY);
        }
    }

    private static void measure(String what, Case k, Step composed, Step fused) {
        Tensor.manualSeed(20261204L);
        Tensor x0 = Tensor.randn(k.n(), k.c()).mul(3f);
        long[] t = new long[k.n()];
        for (int i = 0; i < t.length; i++) {
            t[i] = (31L * i + 7) % k.c();
        }
        Tensor target = Tensor.of(t, t.length);
        Tensor g = Tensor.randn(k.n(), k.c());
        float a0 = Functional.crossEntropy(x0, target).item();
        float b0 = composedCrossEntropy(x0, target).item();
        if (!(Math.abs(a0 - b0) <= 1e-5 * Math.abs(b0))) {
            throw new AssertionError("fused " + a0 + " and composed " + b0 + " cross_entropy differ");
        }
        long elems = (long) k.n() * k.c();
        int calls = (int) Math.max(1, 2_000_000 / elems); // about 2M elements a slot
        int rounds = 31;
        for (int i = 0; i < 5; i++) { // warm-up
            slot(composed, x0, target, g, calls);
            slot(fused, x0, target, g, calls);
        }
        List<Double> tc = new ArrayList<>();
        List<Double> tf = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            boolean composedFirst = r % 2 == 0;
            double a = composedFirst ? slot(composed, x0, target, g, calls) : 0;
            double b = slot(fused, x0, target, g, calls);
            if (!composedFirst) {
                a = slot(composed, x0, target, g, calls);
            }
            tc.add(a);
            tf.add(b);
            ratios.add(a / b);
        }
        ratios.sort(null);
        System.out.printf(Locale.ROOT, "%s [%d, %d]: composed %.1f us, fused %.1f us (medians per forward+backward);"
                + " composed/fused per round: median %.2f, quartiles %.2f-%.2f%n", what, k.n(), k.c(),
                SgdStepBenchmark.median(tc), SgdStepBenchmark.median(tf), SgdStepBenchmark.median(ratios),
                ratios.get(rounds / 4), ratios.get(3 * rounds / 4));
    }

    /** Microseconds per call over {@code calls} calls, each on a fresh leaf sharing x0's values. */
    private static double slot(Step s, Tensor x0, Tensor target, Tensor g, int calls) {
        Tensor x = null;
        long t0 = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            x = x0.detach().requiresGrad(true);
            s.run(x, target, g);
        }
        double us = (System.nanoTime() - t0) / 1e3 / calls;
        if (x.grad() == null) {
            throw new AssertionError("no gradient");
        }
        return us;
    }
}
