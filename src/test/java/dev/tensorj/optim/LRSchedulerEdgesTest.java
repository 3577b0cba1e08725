package dev.tensorj.optim;

import static dev.tensorj.optim.LRSchedulerTest.TOL;
import static dev.tensorj.optim.LRSchedulerTest.assertSchedule;
import static dev.tensorj.optim.LRSchedulerTest.run;
import static dev.tensorj.optim.LRSchedulerTest.sgd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The schedulers at the edges of what PyTorch accepts: each argument at the end of its range
 * (accepted, with the schedule it gives, or refused where PyTorch refuses it), a scheduler
 * restarted by {@link SequentialLR} from its closed form, and {@link ReduceLROnPlateau}'s strict
 * comparisons. References are written here from PyTorch's documented rules, in double.
 */
class LRSchedulerEdgesTest {

    /**
     * SequentialLR restarts each later scheduler at its epoch 0 from its closed form (PyTorch's
     * {@code step(0)}): a MultiStepLR with milestone 0 listed twice starts decayed twice, a LinearLR at
     * {@code startFactor}, a StepLR at the base rate; each then continues by its chainable rule.
     */
    @Test
    void sequentialLRRestartsEachSchedulerFromItsClosedForm() {
        SGD opt = sgd(0.1f);
        StepLR first = new StepLR(opt, 2, 0.5);
        MultiStepLR multi = new MultiStepLR(opt, new int[] {3, 0, 0}, 0.1);
        LinearLR linear = new LinearLR(opt, 0.5, 1.0, 4);
        StepLR last = new StepLR(opt, 3, 0.2);
        SequentialLR s = new SequentialLR(opt, List.of(first, multi, linear, last), new int[] {4, 10, 20});
        double[] lrs = run(s, 30);
        double base = 0.1f;
        assertSchedule(e -> {
            if (e < 4) {
                return base * Math.pow(0.5, e / 2);
            }
            if (e < 10) {
                return base * (e - 4 < 3 ? 0.01 : 0.001); // milestone 0 counts (twice) at the restart
            }
            if (e < 20) {
                return base * (0.5 + 0.5 * Math.min(e - 10, 4) / 4);
            }
            return base * Math.pow(0.2, (e - 20) / 3);
        }, lrs);
    }

    /**
     * {@code _step_count} in the state dict counts as PyTorch's: 1 after the constructor's step,
     * one more per step, and one more for a scheduler that SequentialLR restarts ({@code step(0)}).
     */
    @Test
    void stateDictCountsTheStepsAsPyTorch() {
        SGD opt = sgd(0.1f);
        StepLR alone = new StepLR(opt, 3);
        assertEquals(1, alone.stateDict().get("_step_count"));
        run(alone, 5);
        assertEquals(6, alone.stateDict().get("_step_count"));
        SGD other = sgd(0.1f);
        ExponentialLR later = new ExponentialLR(other, 0.9);
        SequentialLR seq = new SequentialLR(other, List.of(new StepLR(other, 2), later), new int[] {4});
        run(seq, 7);
        assertEquals(1 + 1 + (7 - 4), later.stateDict().get("_step_count"));
    }

    /** Arguments on the edge of their range, which PyTorch accepts, and the schedules they give. */
    @Test
    void argumentsOnTheEdgeOfTheirRangeAreAccepted() {
        double base = 0.1f;
        // A step every epoch, and gamma 0: the rate drops to 0 at the first step and stays there.
        assertSchedule(e -> e == 0 ? base : 0, run(new StepLR(sgd(0.1f), 1, 0.0), 5));
        assertSchedule(e -> e == 0 ? base : 0, run(new ExponentialLR(sgd(0.1f), 0.0), 5));
        assertSchedule(e -> e < 2 ? base : 0, run(new MultiStepLR(sgd(0.1f), new int[] {2}, 0.0), 5));
        // LinearLR from the full rate to 0 in one step (startFactor 1, endFactor 0, totalIters 1).
        assertSchedule(e -> e == 0 ? base : 0, run(new LinearLR(sgd(0.1f), 1.0, 0.0, 1), 5));
        assertSchedule(e -> base, run(new LinearLR(sgd(0.1f), 1.0, 1.0, 1), 5));
        // A one-step OneCycleLR and a zero maxLr (a group kept still by its schedule).
        OneCycleLR one = new OneCycleLR(sgd(0.1f), 0.8, 1, 0.3, "linear", 4, 10, false);
        assertEquals(0.8 / 4 / 10, one.getLastLr().get(0), TOL); // its one step is the last: the cycle's end
        assertSchedule(e -> 0, run(new OneCycleLR(sgd(0.1f), 0.0, 10, 0.3, "cos", 25, 1e4, false), 9));
        // ReduceLROnPlateau with factor 0, threshold 0 and eps 0: the rate drops to minLr (0).
        ReduceLROnPlateau plateau = new ReduceLROnPlateau(sgd(0.1f), "min", 0.0, 0, 0.0, "abs", 0, 0.0, 0.0);
        plateau.step(1.0);
        plateau.step(1.0);
        assertEquals(0.0, plateau.getLastLr().get(0));
        // Two milestones at one epoch: the second scheduler never runs (PyTorch's bisect_right).
        SGD opt = sgd(0.1f);
        SequentialLR seq = new SequentialLR(opt, List.of(new StepLR(opt, 1, 0.5), new StepLR(opt, 100, 0.5),
                new ExponentialLR(opt, 0.9)), new int[] {3, 3});
        assertSchedule(e -> e < 3 ? base * Math.pow(0.5, e) : base * Math.pow(0.9, e - 3), run(seq, 8));
    }

    /** Just past the edge: refused, as the Javadoc says. */
    @Test
    void argumentsJustPastTheEdgeAreRefused() {
        SGD opt = sgd(0.1f);
        assertThrows(IllegalArgumentException.class,
                () -> new OneCycleLR(opt, 0.1, 10, 0.3, "cos", 25, 0.0, false)); // finalDivFactor 0
        assertThrows(IllegalArgumentException.class,
                () -> new OneCycleLR(opt, 0.1, 10, 1.0 + 1e-9, "cos", 25, 1e4, false));
        assertThrows(IllegalArgumentException.class,
                () -> new ReduceLROnPlateau(opt, "min", 0.1, 0, 0.0, "abs", 0, 0.0, -1e-12)); // eps
        assertThrows(IllegalArgumentException.class,
                () -> new ReduceLROnPlateau(opt, "min", -1e-12, 0, 0.0, "abs", 0, 0.0, 0.0)); // factor
        assertEquals(0.1f, opt.lr());
    }

    /**
     * OneCycleLR with all of the cycle rising ({@code pctStart} 1): from {@code maxLr/div} up to
     * {@code maxLr} at the last step, as PyTorch's phase rule gives.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"cos", "linear"})
    void oneCycleLRThatOnlyRises(String strategy) {
        int total = 12;
        double[] lrs = run(new OneCycleLR(sgd(0.5f), 0.8, total, 1.0, strategy, 25, 1e4, false), total - 1);
        assertSchedule(e -> {
            double t = e / (double) (total - 1);
            return strategy.equals("cos")
                    ? 0.8 + (0.8 / 25 - 0.8) * (1 + Math.cos(Math.PI * t)) / 2
                    : 0.8 / 25 + (0.8 - 0.8 / 25) * t;
        }, lrs);
    }

    /**
     * A metric equal to the best is not an improvement, in every mode (PyTorch compares strictly):
     * a flat metric reduces the rate once {@code patience} epochs have passed without one.
     */
    @ParameterizedTest(name = "mode={0} thresholdMode={1}")
    @CsvSource({"min, rel", "min, abs", "max, rel", "max, abs"})
    void reduceLROnPlateauTreatsAnEqualMetricAsNoImprovement(String mode, String thresholdMode) {
        ReduceLROnPlateau s = new ReduceLROnPlateau(sgd(1f), mode, 0.5, 2, 0.0, thresholdMode, 0, 0.0, 1e-8);
        double[] expected = {1, 1, 1, 0.5, 0.5, 0.5, 0.25};
        for (int epoch = 0; epoch < expected.length; epoch++) {
            s.step(0.75);
            assertEquals(expected[epoch], s.getLastLr().get(0), TOL, "epoch " + epoch);
        }
    }

    /** A reduction of exactly {@code eps} is not made (PyTorch: only when {@code old − new > eps}). */
    @Test
    void reduceLROnPlateauSkipsAReductionOfExactlyEps() {
        ReduceLROnPlateau s = new ReduceLROnPlateau(sgd(1f), "min", 0.5, 0, 0.0, "abs", 0, 0.0, 0.5);
        s.step(1.0);
        s.step(1.0);
        assertEquals(1.0, s.getLastLr().get(0));
        ReduceLROnPlateau t = new ReduceLROnPlateau(sgd(1f), "min", 0.5, 0, 0.0, "abs", 0, 0.0, 0.4999);
        t.step(1.0);
        t.step(1.0);
        assertEquals(0.5, t.getLastLr().get(0));
    }
}
