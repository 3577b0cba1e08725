package dev.tensorj.optim;

import static dev.tensorj.optim.LRSchedulerTest.sgd;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Schedulers' state dicts (a run resumed from one continues with the same rates, bit for bit) and
 * their argument checks (a bad argument or map is rejected by name and changes nothing). Host-only,
 * like the schedules: see {@link LRSchedulerTest}.
 */
class LRSchedulerStateTest {

    static Stream<Arguments> schedulers() {
        List<Arguments> all = new ArrayList<>();
        all.add(Arguments.of("StepLR", (Function<SGD, LRScheduler>) o -> new StepLR(o, 7, 0.5)));
        all.add(Arguments.of("MultiStepLR", (Function<SGD, LRScheduler>) o -> new MultiStepLR(o, new int[] {10, 25})));
        all.add(Arguments.of("ExponentialLR", (Function<SGD, LRScheduler>) o -> new ExponentialLR(o, 0.93)));
        all.add(Arguments.of("CosineAnnealingLR", (Function<SGD, LRScheduler>) o -> new CosineAnnealingLR(o, 17, 1e-3)));
        all.add(Arguments.of("LinearLR", (Function<SGD, LRScheduler>) o -> new LinearLR(o, 0.1, 0.7, 23)));
        all.add(Arguments.of("OneCycleLR", (Function<SGD, LRScheduler>) o -> new OneCycleLR(o, 0.5, 60)));
        all.add(Arguments.of("SequentialLR", (Function<SGD, LRScheduler>) o -> new SequentialLR(o,
                List.of(new LinearLR(o, 0.2, 1.0, 5), new CosineAnnealingLR(o, 30)), new int[] {12})));
        all.add(Arguments.of("ChainedScheduler", (Function<SGD, LRScheduler>) o -> new ChainedScheduler(
                List.of(new ExponentialLR(o, 0.97), new CosineAnnealingLR(o, 11)))));
        return all.stream();
    }

    /**
     * Train 20 steps, save the state dict and the optimizer's rate, rebuild both and load them: the
     * next 39 rates are those of the run that never stopped, bit for bit.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("schedulers")
    void aResumedRunGivesTheSameRates(String name, Function<SGD, LRScheduler> make) {
        SGD opt = sgd(0.1f);
        LRScheduler s = make.apply(opt);
        for (int i = 0; i < 20; i++) {
            s.step();
        }
        Map<String, Object> saved = s.stateDict();
        float savedLr = opt.lr();
        assertEquals(20, saved.get("last_epoch"));
        assertEquals(s.getLastLr(), saved.get("_last_lr"));

        SGD opt2 = sgd(0.1f);
        LRScheduler resumed = make.apply(opt2);
        opt2.setLr(savedLr); // as the optimizer's own state dict will restore it
        resumed.loadStateDict(saved);
        assertEquals(s.getLastLr(), resumed.getLastLr());
        assertEquals(saved, resumed.stateDict());
        for (int i = 0; i < 39; i++) {
            s.step();
            resumed.step();
            assertEquals(s.getLastLr(), resumed.getLastLr(), "step " + (21 + i));
            assertEquals(opt.lr(), opt2.lr());
        }
    }

    @Test
    void reduceLROnPlateauResumes() {
        SGD opt = sgd(0.1f);
        ReduceLROnPlateau s = new ReduceLROnPlateau(opt, "min", 0.5, 1, 1e-4, "rel", 1, 0.0, 1e-8);
        double[] metrics = new double[60];
        for (int i = 0; i < metrics.length; i++) {
            metrics[i] = 3.0 / (1 + i / 4) + 0.01 * (i % 3);
        }
        for (int i = 0; i < 25; i++) {
            s.step(metrics[i]);
        }
        Map<String, Object> saved = s.stateDict();
        SGD opt2 = sgd(0.1f);
        opt2.setLr(opt.lr());
        ReduceLROnPlateau resumed = new ReduceLROnPlateau(opt2, "min", 0.5, 1, 1e-4, "rel", 1, 0.0, 1e-8);
        resumed.loadStateDict(saved);
        assertEquals(saved, resumed.stateDict());
        for (int i = 25; i < metrics.length; i++) {
            s.step(metrics[i]);
            resumed.step(metrics[i]);
            assertEquals(s.getLastLr(), resumed.getLastLr());
            assertEquals(s.best(), resumed.best());
        }
        assertTrue(s.getLastLr().get(0) < 0.1 / 4, "the metrics must trigger reductions");
    }

    /** A map with a missing, unexpected or mistyped entry is rejected by name; nothing changes. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("schedulers")
    void aBadStateDictChangesNothing(String name, Function<SGD, LRScheduler> make) {
        SGD opt = sgd(0.1f);
        LRScheduler s = make.apply(opt);
        for (int i = 0; i < 5; i++) {
            s.step();
        }
        Map<String, Object> good = s.stateDict();
        List<Map<String, Object>> bad = new ArrayList<>();
        Map<String, Object> missing = new LinkedHashMap<>(good);
        missing.remove("_step_count");
        bad.add(missing);
        Map<String, Object> extra = new LinkedHashMap<>(good);
        extra.put("gamma", 0.5);
        bad.add(extra);
        Map<String, Object> mistyped = new LinkedHashMap<>(good);
        mistyped.put("last_epoch", 3.0);
        bad.add(mistyped);
        Map<String, Object> tooMany = new LinkedHashMap<>(good);
        tooMany.put("_last_lr", List.of(0.1, 0.2));
        bad.add(tooMany);
        if (good.containsKey("_schedulers")) {
            // the last scheduler's map is damaged: the first one's, loaded before, is put back
            Map<String, Object> nested = new LinkedHashMap<>(good);
            List<Object> children = new ArrayList<>((List<?>) good.get("_schedulers"));
            Map<String, Object> first = new HashMap<>(castMap(children.get(0)));
            first.put("last_epoch", 99);
            children.set(0, first);
            Map<String, Object> last = new HashMap<>(castMap(children.get(children.size() - 1)));
            last.remove("base_lrs");
            children.set(children.size() - 1, last);
            nested.put("_schedulers", children);
            nested.put("last_epoch", 77);
            bad.add(nested);
        }
        for (Map<String, Object> m : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.loadStateDict(m));
            assertTrue(e.getMessage().contains(".loadStateDict: "), e.getMessage());
            assertEquals(good, s.stateDict(), "after " + m);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }

    @Test
    void reduceLROnPlateauRejectsABadStateDict() {
        ReduceLROnPlateau s = new ReduceLROnPlateau(sgd(0.1f));
        s.step(1.0);
        Map<String, Object> good = s.stateDict();
        Map<String, Object> bad = new LinkedHashMap<>(good);
        bad.put("best", 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.loadStateDict(bad));
        assertEquals("ReduceLROnPlateau.loadStateDict: best must be a Double, got 1", e.getMessage());
        assertEquals(good, s.stateDict());
    }

    /** Every constructor's checks, each naming the scheduler and the argument; the rate is untouched. */
    @Test
    void invalidArgumentsAreRejectedByName() {
        SGD opt = sgd(0.1f);
        SGD other = sgd(0.1f);
        Map<String, Executable> cases = new LinkedHashMap<>();
        cases.put("StepLR: stepSize", () -> new StepLR(opt, 0));
        cases.put("StepLR: gamma", () -> new StepLR(opt, 3, -0.1));
        cases.put("MultiStepLR: gamma", () -> new MultiStepLR(opt, new int[] {3}, Double.NaN));
        cases.put("ExponentialLR: gamma", () -> new ExponentialLR(opt, -1));
        cases.put("CosineAnnealingLR: tMax", () -> new CosineAnnealingLR(opt, 0));
        cases.put("CosineAnnealingLR: etaMin", () -> new CosineAnnealingLR(opt, 10, -1e-3));
        cases.put("LinearLR: startFactor", () -> new LinearLR(opt, 0, 1, 5));
        cases.put("LinearLR: startFactor ", () -> new LinearLR(opt, 1.5, 1, 5));
        cases.put("LinearLR: endFactor", () -> new LinearLR(opt, 0.5, 1.1, 5));
        cases.put("LinearLR: totalIters", () -> new LinearLR(opt, 0.5, 1, 0));
        cases.put("OneCycleLR: totalSteps", () -> new OneCycleLR(opt, 0.1, 0));
        cases.put("OneCycleLR: pctStart", () -> new OneCycleLR(opt, 0.1, 10, 1.2, "cos", 25, 1e4, false));
        cases.put("OneCycleLR: annealStrategy", () -> new OneCycleLR(opt, 0.1, 10, 0.3, "exp", 25, 1e4, false));
        cases.put("OneCycleLR: maxLr", () -> new OneCycleLR(opt, -0.1, 10));
        cases.put("OneCycleLR: divFactor", () -> new OneCycleLR(opt, 0.1, 10, 0.3, "cos", 0, 1e4, false));
        cases.put("ReduceLROnPlateau: mode", () -> new ReduceLROnPlateau(opt, "lowest", 0.1, 10, 1e-4, "rel", 0, 0, 1e-8));
        cases.put("ReduceLROnPlateau: thresholdMode",
                () -> new ReduceLROnPlateau(opt, "min", 0.1, 10, 1e-4, "relative", 0, 0, 1e-8));
        cases.put("ReduceLROnPlateau: factor", () -> new ReduceLROnPlateau(opt, "min", 1.0, 10, 1e-4, "rel", 0, 0, 1e-8));
        cases.put("ReduceLROnPlateau: minLr", () -> new ReduceLROnPlateau(opt, "min", 0.1, 10, 1e-4, "rel", 0, -1, 1e-8));
        cases.put("ReduceLROnPlateau: patience", () -> new ReduceLROnPlateau(opt, "min", 0.1, -1, 1e-4, "rel", 0, 0, 1e-8));
        cases.put("SequentialLR: expects at least one",
                () -> new SequentialLR(opt, List.of(), new int[] {}));
        cases.put("SequentialLR: expects 1 milestones", () -> new SequentialLR(opt,
                List.of(new StepLR(opt, 2), new StepLR(opt, 3)), new int[] {}));
        cases.put("SequentialLR: milestones must be in non-decreasing order", () -> new SequentialLR(opt,
                List.of(new StepLR(opt, 2), new StepLR(opt, 3), new StepLR(opt, 4)), new int[] {5, 3}));
        cases.put("SequentialLR: expects all schedulers to belong to the same optimizer",
                () -> new SequentialLR(opt, List.of(new StepLR(other, 2)), new int[] {}));
        cases.put("ChainedScheduler: expects at least one", () -> new ChainedScheduler(List.of()));
        cases.put("ChainedScheduler: expects all schedulers to belong to the same optimizer",
                () -> new ChainedScheduler(List.of(new StepLR(opt, 2), new StepLR(other, 2))));
        for (Map.Entry<String, Executable> c : cases.entrySet()) {
            opt.setLr(0.1f);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c.getValue(), c.getKey());
            assertTrue(e.getMessage().startsWith(c.getKey().strip()), c.getKey() + " -> " + e.getMessage());
            if (!c.getKey().startsWith("SequentialLR") && !c.getKey().startsWith("ChainedScheduler")) {
                assertEquals(0.1f, opt.lr(), c.getKey() + " changed the rate");
            }
        }
    }

    @Test
    void nullArgumentsAreNamed() {
        SGD opt = sgd(0.1f);
        Map<String, Executable> cases = new LinkedHashMap<>();
        cases.put("StepLR: optimizer is null", () -> new StepLR(null, 3));
        cases.put("StepLR.loadStateDict: state is null", () -> new StepLR(opt, 3).loadStateDict(null));
        cases.put("SequentialLR.loadStateDict: state is null",
                () -> new SequentialLR(opt, List.of(new StepLR(opt, 2)), new int[] {}).loadStateDict(null));
        cases.put("ReduceLROnPlateau.loadStateDict: state is null", () -> new ReduceLROnPlateau(opt).loadStateDict(null));
        cases.put("MultiStepLR: milestones is null", () -> new MultiStepLR(opt, null));
        cases.put("OneCycleLR: annealStrategy is null", () -> new OneCycleLR(opt, 0.1, 10, 0.3, null, 25, 1e4, false));
        cases.put("ReduceLROnPlateau: optimizer is null", () -> new ReduceLROnPlateau(null));
        cases.put("ReduceLROnPlateau: mode is null",
                () -> new ReduceLROnPlateau(opt, null, 0.1, 10, 1e-4, "rel", 0, 0, 1e-8));
        cases.put("SequentialLR: schedulers is null", () -> new SequentialLR(opt, null, new int[] {}));
        cases.put("SequentialLR: milestones is null", () -> new SequentialLR(opt, List.of(new StepLR(opt, 2)), null));
        cases.put("ChainedScheduler: schedulers is null", () -> new ChainedScheduler(null));
        cases.put("ChainedScheduler: schedulers[0] is null", () -> new ChainedScheduler(java.util.Arrays.asList(
                (LRScheduler) null)));
        for (Map.Entry<String, Executable> c : cases.entrySet()) {
            NullPointerException e = assertThrows(NullPointerException.class, c.getValue(), c.getKey());
            assertEquals(c.getKey(), e.getMessage());
        }
    }

    /** SequentialLR's milestone restart and its state survive a round trip mid-way through a phase. */
    @Test
    void sequentialLRStateHoldsItsSchedulers() {
        SGD opt = sgd(0.1f);
        StepLR a = new StepLR(opt, 2, 0.5);
        ExponentialLR b = new ExponentialLR(opt, 0.8);
        SequentialLR s = new SequentialLR(opt, List.of(a, b), new int[] {4});
        for (int i = 0; i < 6; i++) {
            s.step();
        }
        Map<String, Object> state = s.stateDict();
        List<?> children = (List<?>) state.get("_schedulers");
        assertEquals(2, children.size());
        assertEquals(2, ((Map<?, ?>) children.get(1)).get("last_epoch"));
        assertEquals(3, ((Map<?, ?>) children.get(0)).get("last_epoch"));
        assertArrayEquals(new double[] {0.1f * 0.64}, new double[] {s.getLastLr().get(0)}, 1e-12);
    }
}
