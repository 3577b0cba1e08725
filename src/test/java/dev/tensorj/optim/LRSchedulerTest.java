package dev.tensorj.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tensorj.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each schedule's rates over at least 50 steps against a reference written here in double from
 * PyTorch's documented closed form, and against values PyTorch's documentation prints. A rate is a
 * host double and the optimizer holds it as a float, on whatever device its parameters are, so the
 * CPU is enough: no device takes part in a schedule.
 */
class LRSchedulerTest {
    static final double TOL = 1e-12;

    /** An SGD optimizer of one parameter with rate {@code lr}. */
    static SGD sgd(float lr) {
        return new SGD(List.of(Tensor.of(new float[] {1f, -2f}).requiresGrad(true)), lr);
    }

    /**
     * The rates of epochs 0..steps: epoch 0 from the constructor's step. At each, the optimizer holds
     * the rate rounded to float, and an SGD step with gradient 1 moves the parameter by it.
     */
    static double[] run(LRScheduler s, int steps) {
        double[] lrs = new double[steps + 1];
        for (int e = 0; e <= steps; e++) {
            if (e > 0) {
                s.step();
            }
            assertEquals(e, s.lastEpoch());
            lrs[e] = s.getLastLr().get(0);
            assertEquals((float) lrs[e], s.optimizer().lr(), "the optimizer's rate at epoch " + e);
            checkSgdUsesTheRate(s.optimizer());
        }
        return lrs;
    }

    private static void checkSgdUsesTheRate(Optimizer o) {
        Tensor p = o.parameters().get(0);
        float before = p.toFloatArray()[0];
        p.setGrad(Tensor.of(new float[] {1f, 1f}));
        o.step();
        assertEquals(before - o.lr(), p.toFloatArray()[0], Math.ulp(before) * 2 + Math.ulp(o.lr()));
    }

    static void assertSchedule(IntToDoubleFunction reference, double[] lrs) {
        for (int e = 0; e < lrs.length; e++) {
            assertEquals(reference.applyAsDouble(e), lrs[e], TOL, "epoch " + e);
        }
    }

    @ParameterizedTest(name = "stepSize={0} gamma={1}")
    @CsvSource({"7, 0.5", "1, 0.9", "30, 0.1", "13, 1.3"})
    void stepLR(int stepSize, double gamma) {
        double[] lrs = run(new StepLR(sgd(0.05f), stepSize, gamma), 64);
        double base = 0.05f;
        assertSchedule(e -> {
            double lr = base;
            for (int k = stepSize; k <= e; k += stepSize) {
                lr *= gamma;
            }
            return lr;
        }, lrs);
    }

    /** PyTorch's docs: lr 0.05 with step_size=30 (gamma 0.1) is 0.05, 0.005 from 30, 0.0005 from 60. */
    @Test
    void stepLRDocumentedValues() {
        double[] lrs = run(new StepLR(sgd(0.05f), 30), 89);
        assertEquals(0.05f, lrs[29], 1e-12);
        assertEquals(0.005f, lrs[30], 1e-9);
        assertEquals(0.005f, lrs[59], 1e-9);
        assertEquals(0.0005f, lrs[60], 1e-10);
    }

    /** PyTorch's docs: milestones [30, 80] give 0.05, then 0.005 from 30, then 0.0005 from 80. */
    @Test
    void multiStepLR() {
        double[] lrs = run(new MultiStepLR(sgd(0.05f), new int[] {30, 80}), 100);
        double base = 0.05f;
        assertSchedule(e -> e < 30 ? base : e < 80 ? base * 0.1 : base * 0.1 * 0.1, lrs);
        assertEquals(0.005, lrs[30], 1e-9);
        assertEquals(0.0005, lrs[80], 1e-10);
    }

    /** Milestones in any order; one given twice multiplies twice (PyTorch's Counter). */
    @Test
    void multiStepLRWithRepeatedUnsortedMilestones() {
        int[] milestones = {40, 5, 20, 20};
        double[] lrs = run(new MultiStepLR(sgd(0.1f), milestones, 0.5), 60);
        assertSchedule(e -> {
            double lr = (double) 0.1f;
            for (int m : milestones) {
                if (m <= e) {
                    lr *= 0.5;
                }
            }
            return lr;
        }, lrs);
    }

    @ParameterizedTest(name = "gamma={0}")
    @CsvSource({"0.95", "0.5", "1.01"})
    void exponentialLR(double gamma) {
        double[] lrs = run(new ExponentialLR(sgd(0.2f), gamma), 80);
        assertSchedule(e -> {
            double lr = (double) 0.2f;
            for (int k = 0; k < e; k++) {
                lr *= gamma;
            }
            return lr;
        }, lrs);
    }

    /**
     * PyTorch's recursive form equals the closed form to rounding, past tMax too, where the cosine
     * goes back up (the step after tMax takes PyTorch's special branch, where the quotient is 0/0).
     */
    @ParameterizedTest(name = "tMax={0} etaMin={1}")
    @CsvSource({"20, 0.001", "20, 0", "7, 0.01", "1, 0", "50, 0"})
    void cosineAnnealingLR(int tMax, double etaMin) {
        double[] lrs = run(new CosineAnnealingLR(sgd(0.1f), tMax, etaMin), 75);
        double base = 0.1f;
        assertSchedule(e -> etaMin + (base - etaMin) * (1 + Math.cos(Math.PI * e / tMax)) / 2, lrs);
    }

    /** The values PyTorch prints for T_max=2 and lr 0.1: 0.1, 0.05, 0.0, 0.05, 0.1, 0.05, 0.0. */
    @Test
    void cosineAnnealingLRPrintedValues() {
        double[] lrs = run(new CosineAnnealingLR(sgd(0.1f), 2), 6);
        double[] expected = {0.1, 0.05, 0.0, 0.05, 0.1, 0.05, 0.0};
        for (int e = 0; e < expected.length; e++) {
            assertEquals(expected[e], lrs[e], 1e-8, "epoch " + e);
        }
    }

    /** Recursive: a rate set from outside is annealed onwards from there, as PyTorch's group["lr"]. */
    @Test
    void cosineAnnealingLRFollowsARateSetFromOutside() {
        SGD opt = sgd(0.1f);
        CosineAnnealingLR s = new CosineAnnealingLR(opt, 20);
        for (int e = 1; e <= 10; e++) {
            s.step();
        }
        opt.setLr(0.02f);
        s.step();
        double factor = (1 + Math.cos(Math.PI * 11 / 20)) / (1 + Math.cos(Math.PI * 10 / 20));
        assertEquals(0.02f * factor, s.getLastLr().get(0), TOL);
    }

    /** PyTorch's docs: lr 0.05, start_factor 0.5, total_iters 4 give 0.025, 0.03125, 0.0375, 0.04375, 0.05. */
    @Test
    void linearLRDocumentedWarmUp() {
        double[] lrs = run(new LinearLR(sgd(0.05f), 0.5, 1.0, 4), 60);
        double[] printed = {0.025, 0.03125, 0.0375, 0.04375, 0.05};
        for (int e = 0; e < printed.length; e++) {
            assertEquals(printed[e], lrs[e], 1e-9, "epoch " + e);
        }
        double base = 0.05f;
        assertSchedule(e -> base * (0.5 + 0.5 * Math.min(e, 4) / 4.0), lrs);
    }

    @ParameterizedTest(name = "start={0} end={1} totalIters={2}")
    @CsvSource({"0.3333333333333333, 1.0, 5", "1.0, 0.1, 30", "0.01, 0.5, 50", "0.2, 0.0, 10"})
    void linearLR(double start, double end, int totalIters) {
        double[] lrs = run(new LinearLR(sgd(0.3f), start, end, totalIters), 60);
        double base = 0.3f;
        assertSchedule(e -> base * (start + (end - start) * Math.min(e, totalIters) / totalIters), lrs);
    }

    @Test
    void linearLRDefaults() {
        double[] lrs = run(new LinearLR(sgd(0.3f)), 50);
        double base = 0.3f;
        assertSchedule(e -> base * (1.0 / 3 + (2.0 / 3) * Math.min(e, 5) / 5), lrs);
    }

    /**
     * The 1cycle rates from PyTorch's documented phases, written out here: a rise from
     * {@code maxLr/div} to {@code maxLr} until step {@code pct·total − 1}, then a fall to
     * {@code maxLr/div/finalDiv} at {@code total − 1} (three phases: back to {@code maxLr/div} at
     * {@code 2·pct·total − 2} first). The optimizer's own rate is ignored.
     */
    @ParameterizedTest(name = "{0} total={1} pct={2} threePhase={5}")
    @CsvSource({
        "cos,    100, 0.3,  25, 1e4, false",
        "linear, 100, 0.3,  25, 1e4, false",
        "cos,    120, 0.25, 10, 100, true",
        "linear,  77, 0.4,  5,  1e3, true",
        "cos,     60, 0.0,  25, 1e4, false",
    })
    void oneCycleLR(String strategy, int total, double pct, double div, double finalDiv, boolean threePhase) {
        double maxLr = 0.8;
        OneCycleLR s = new OneCycleLR(sgd(123f), maxLr, total, pct, strategy, div, finalDiv, threePhase);
        double[] lrs = run(s, total - 1);
        double initial = maxLr / div;
        double min = initial / finalDiv;
        double[][] phases = threePhase
                ? new double[][] {{pct * total - 1, initial, maxLr}, {2 * pct * total - 2, maxLr, initial},
                    {total - 1, initial, min}}
                : new double[][] {{pct * total - 1, initial, maxLr}, {total - 1, maxLr, min}};
        assertSchedule(e -> {
            double from = 0;
            for (int i = 0; i < phases.length; i++) {
                if (e <= phases[i][0] || i == phases.length - 1) {
                    double t = (e - from) / (phases[i][0] - from);
                    return strategy.equals("cos")
                            ? phases[i][2] + (phases[i][1] - phases[i][2]) * (1 + Math.cos(Math.PI * t)) / 2
                            : phases[i][1] + (phases[i][2] - phases[i][1]) * t;
                }
                from = phases[i][0];
            }
            throw new AssertionError();
        }, lrs);
        assertEquals(min, lrs[total - 1], 1e-15);
    }

    /** Defaults: starts at maxLr/25, ends at maxLr/25/1e4; one step past the total is refused, changing nothing. */
    @Test
    void oneCycleLRDefaultsAndItsEnd() {
        SGD opt = sgd(0.5f);
        OneCycleLR s = new OneCycleLR(opt, 0.1, 50);
        assertEquals(0.004, s.getLastLr().get(0), TOL);
        double[] lrs = run(s, 50);
        assertEquals(0.1, lrs[14], TOL); // the peak, at 0.3·50 − 1
        assertEquals(4e-7, lrs[49], 1e-18);
        float rate = opt.lr();
        IllegalStateException e = assertThrows(IllegalStateException.class, s::step);
        assertEquals("OneCycleLR: tried to step 51 times; the specified number of total steps is 50", e.getMessage());
        assertEquals(50, s.lastEpoch());
        assertEquals(rate, opt.lr());
    }

    /** A scheduler built after another starts from the first one's initial_lr, as PyTorch's. */
    @Test
    void aLaterSchedulerStartsFromTheInitialRate() {
        SGD opt = sgd(0.1f);
        new LinearLR(opt, 0.5, 1.0, 4); // sets the rate to 0.05
        ExponentialLR second = new ExponentialLR(opt, 0.9);
        assertEquals((double) 0.1f, second.baseLr(0));
        assertEquals(0.5 * 0.1f, second.getLastLr().get(0), TOL); // epoch 0 keeps the current rate
    }

    /**
     * SequentialLR: a linear warm-up for 5 epochs, then a cosine over 20 restarted at its epoch 0,
     * then an exponential decay from epoch 30, over 70 steps.
     */
    @Test
    void sequentialLR() {
        SGD opt = sgd(0.1f);
        LinearLR warm = new LinearLR(opt, 0.1, 1.0, 5);
        CosineAnnealingLR cos = new CosineAnnealingLR(opt, 20, 0.001);
        ExponentialLR exp = new ExponentialLR(opt, 0.9);
        SequentialLR s = new SequentialLR(opt, List.of(warm, cos, exp), new int[] {5, 30});
        double[] lrs = run(s, 70);
        double base = 0.1f;
        assertSchedule(e -> {
            if (e < 5) {
                return base * (0.1 + 0.9 * e / 5);
            }
            if (e < 30) {
                return 0.001 + (base - 0.001) * (1 + Math.cos(Math.PI * (e - 5) / 20)) / 2;
            }
            return base * Math.pow(0.9, e - 30); // ExponentialLR's closed form at its restart
        }, lrs);
        assertEquals(40, exp.lastEpoch());
    }

    /** ChainedScheduler: the rates multiply, a warm-up times an exponential decay times a step decay. */
    @Test
    void chainedScheduler() {
        SGD opt = sgd(0.1f);
        ChainedScheduler s = new ChainedScheduler(List.of(new LinearLR(opt, 0.25, 1.0, 8),
                new ExponentialLR(opt, 0.97), new StepLR(opt, 10, 0.5)));
        double[] lrs = run(s, 60);
        double base = 0.1f;
        assertSchedule(e -> base * (0.25 + 0.75 * Math.min(e, 8) / 8) * Math.pow(0.97, e) * Math.pow(0.5, e / 10),
                lrs);
    }

    /**
     * ReduceLROnPlateau against a reference written here from PyTorch's documented rule, over 80
     * noisy, mostly falling (or rising) metrics, in every mode.
     */
    @ParameterizedTest(name = "mode={0} thresholdMode={1} patience={2} cooldown={3}")
    @CsvSource({
        "min, rel, 3, 0, 0.1,  1e-4, 0",
        "min, abs, 2, 2, 0.5,  0.05, 1e-3",
        "max, rel, 0, 1, 0.2,  0.01, 0",
        "max, abs, 4, 0, 0.7,  0.02, 0.01",
    })
    void reduceLROnPlateau(String mode, String thresholdMode, int patience, int cooldown, double factor,
            double threshold, double minLr) {
        SGD opt = sgd(0.1f);
        ReduceLROnPlateau s = new ReduceLROnPlateau(opt, mode, factor, patience, threshold, thresholdMode, cooldown,
                minLr, 1e-8);
        var rnd = new SplittableRandom(patience * 31L + cooldown);
        double sign = mode.equals("min") ? 1 : -1;
        double lr = (double) 0.1f;
        double best = sign * Double.POSITIVE_INFINITY;
        int bad = 0;
        int cooling = 0;
        int reductions = 0;
        for (int epoch = 1; epoch <= 80; epoch++) {
            double metric = sign * (5.0 / epoch + rnd.nextDouble() * 0.3);
            s.step(metric);
            boolean better = mode.equals("min")
                    ? metric < (thresholdMode.equals("rel") ? best * (1 - threshold) : best - threshold)
                    : metric > (thresholdMode.equals("rel") ? best * (1 + threshold) : best + threshold);
            bad = better ? 0 : bad + 1;
            best = better ? metric : best;
            if (cooling > 0) {
                cooling--;
                bad = 0;
            }
            if (bad > patience) {
                double reduced = Math.max(lr * factor, minLr);
                if (lr - reduced > 1e-8) {
                    lr = reduced;
                    reductions++;
                }
                cooling = cooldown;
                bad = 0;
            }
            assertEquals(lr, s.getLastLr().get(0), TOL, "epoch " + epoch);
            assertEquals((float) lr, opt.lr(), "epoch " + epoch);
            assertEquals(best, s.best());
        }
        assertEquals(80, s.lastEpoch());
        assertEquals(true, reductions > 0, "the metrics must trigger at least one reduction");
    }

    /** PyTorch's docs: with patience 2, the first 2 bad epochs are ignored and the rate drops after the 3rd. */
    @Test
    void reduceLROnPlateauPatienceAsDocumented() {
        SGD opt = sgd(1f);
        ReduceLROnPlateau s = new ReduceLROnPlateau(opt, "min", 0.1, 2, 1e-4, "rel", 0, 0.0, 1e-8);
        double[] metrics = {1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, Double.NaN};
        double[] expected = {1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.01, 0.01};
        double[] got = new double[metrics.length];
        for (int i = 0; i < metrics.length; i++) {
            s.step(metrics[i]);
            got[i] = s.getLastLr().get(0);
        }
        assertArrayEquals(expected, got, 1e-9);
        assertEquals(1.0, s.best()); // a NaN metric is never better
    }

    /** minLr bounds the rate, and a reduction of eps or less is not made. */
    @Test
    void reduceLROnPlateauStopsAtMinLr() {
        SGD opt = sgd(1f);
        ReduceLROnPlateau s = new ReduceLROnPlateau(opt, "max", 0.5, 0, 0, "abs", 0, 0.2, 1e-8);
        for (int i = 0; i < 60; i++) {
            s.step(0); // never better than the first 0
        }
        assertEquals(0.2, s.getLastLr().get(0), TOL);
        assertEquals(0.2f, opt.lr());
    }
}
