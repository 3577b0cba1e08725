package dev.tensorj.optim;

import static dev.tensorj.optim.OptimizersTest.quadratic;
import static dev.tensorj.optim.OptimizersTest.random;
import static dev.tensorj.optim.OptimizersTest.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tensorj.Device;
import dev.tensorj.Tensor;
import dev.tensorj.junit.DevicesSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Parameter groups (PyTorch's {@code param_groups}): each group stepped with its own options against
 * PyTorch's rule in double, per-group rates set by hand and by schedulers, state dicts with several
 * groups, {@code addParamGroup}, and the errors that change nothing.
 */
class ParamGroupsTest {
    private static final int STEPS = 60;

    /**
     * Adam and RMSprop over two groups with different options (weight decay, AMSGrad, maximize,
     * momentum): three parameters over 60 steps of random quadratics, the second group's rate
     * halved by hand half way; each parameter follows PyTorch's rule with its own group's options.
     */
    @ParameterizedTest(name = "{0}")
    @DevicesSource
    void eachGroupFollowsItsOwnOptionsOverSixtySteps(Device device) {
        Adam.Options a0 = Adam.Options.lr(0.05f).withAmsgrad(true);
        Adam.Options a1 = a0.withLr(0.02f).withAmsgrad(false).withWeightDecay(0.1f).withMaximize(true);
        checkGroups(device, ps -> new Adam(List.of(new ParamGroup<>(ps.subList(0, 2), a0),
                new ParamGroup<>(ps.subList(2, 3), a1))),
                new OptimizersTest.Rule[] {OptimizersTest.adam(a0, false), OptimizersTest.adam(a1, false)},
                new float[] {a0.lr(), a1.lr()});
        RMSprop.Options r0 = RMSprop.Options.lr(0.01f).withCentered(true);
        RMSprop.Options r1 = RMSprop.Options.lr(0.005f).withMomentum(0.9f).withWeightDecay(0.01f);
        checkGroups(device, ps -> new RMSprop(List.of(new ParamGroup<>(ps.subList(0, 2), r0),
                new ParamGroup<>(ps.subList(2, 3), r1))),
                new OptimizersTest.Rule[] {OptimizersTest.rmsprop(r0), OptimizersTest.rmsprop(r1)},
                new float[] {r0.lr(), r1.lr()});
    }

    private static void checkGroups(Device device, java.util.function.Function<List<Tensor>, Optimizer> build,
            OptimizersTest.Rule[] rules, float[] lrs) {
        var rnd = new SplittableRandom(7);
        int[] sizes = {11, 4, 9};
        int[] groupOf = {0, 0, 1};
        List<Tensor> params = new ArrayList<>();
        Tensor[] k = new Tensor[3];
        Tensor[] c = new Tensor[3];
        double[][] ref = new double[3][];
        List<Map<String, double[]>> refState = List.of(new HashMap<>(), new HashMap<>(), new HashMap<>());
        for (int i = 0; i < 3; i++) {
            float[] w0 = random(rnd, sizes[i], -1, 1);
            params.add(Tensor.of(w0).to(device).requiresGrad(true));
            k[i] = Tensor.of(random(rnd, sizes[i], 0.5, 2)).to(device);
            c[i] = Tensor.of(random(rnd, sizes[i], -1, 1)).to(device);
            ref[i] = toDouble(w0);
        }
        Optimizer opt = build.apply(params);
        assertEquals(2, opt.numParamGroups());
        double[] lr = {lrs[0], lrs[1]};
        for (int s = 0; s < STEPS; s++) {
            if (s == STEPS / 2) {
                opt.setLr(1, lrs[1] / 2);
                lr[1] = lrs[1] / 2;
                assertEquals(lrs[0], opt.lr(0), "setLr(1, ...) leaves group 0 alone");
            }
            opt.zeroGrad();
            Tensor loss = quadratic(params.get(0), k[0], c[0]);
            for (int i = 1; i < 3; i++) {
                loss = loss.add(quadratic(params.get(i), k[i], c[i]));
            }
            loss.backward();
            double[][] grads = new double[3][];
            for (int i = 0; i < 3; i++) {
                grads[i] = toDouble(params.get(i).grad().toFloatArray());
            }
            opt.step();
            for (int i = 0; i < 3; i++) {
                rules[groupOf[i]].step(ref[i], grads[i], lr[groupOf[i]], refState.get(i));
            }
        }
        for (int i = 0; i < 3; i++) {
            float[] got = params.get(i).toFloatArray();
            for (int j = 0; j < got.length; j++) {
                if (!(Math.abs(got[j] - ref[i][j]) <= 2e-5 * (1 + Math.abs(ref[i][j])))) {
                    fail(opt.getClass().getSimpleName() + " param " + i + "[" + j + "] = " + got[j]
                            + ", its group's rule in double gives " + ref[i][j]);
                }
            }
        }
    }

    @Test
    void ratesAreReadAndSetPerGroupOrAll() {
        Tensor a = param(1f, 2f);
        Tensor b = param(3f);
        SGD sgd = new SGD(List.of(new ParamGroup<>(List.of(a), SGD.Options.lr(0.1f)),
                new ParamGroup<>(List.of(b), SGD.Options.lr(0.01f).withMomentum(0.9f))));
        assertEquals(0.1f, sgd.lr());
        assertEquals(0.01f, sgd.lr(1));
        assertEquals(0.9f, sgd.options(1).momentum(), "each group keeps its own options");
        assertEquals(0f, sgd.options(0).momentum());
        sgd.setLr(1, 0.5f);
        assertEquals(0.5f, sgd.options(1).lr(), "options(g) carries the current rate");
        assertEquals(0.1f, sgd.lr(0));
        sgd.setLr(0.3f);
        assertEquals(0.3f, sgd.lr(0));
        assertEquals(0.3f, sgd.lr(1), "setLr(lr) sets every group");
        List<ParamGroup<?>> groups = sgd.paramGroups();
        assertSame(a, groups.get(0).params().get(0));
        assertSame(b, groups.get(1).params().get(0));
        assertEquals(0.3f, groups.get(1).options().lr());
        assertEquals(List.of(a, b), sgd.parameters(), "parameters() lists every group's, in order");
        assertThrows(IllegalArgumentException.class, () -> sgd.setLr(1, -1f));
        assertEquals(0.3f, sgd.lr(1), "a rejected rate changes nothing");
        assertThrows(IndexOutOfBoundsException.class, () -> sgd.lr(2));
    }

    /** StepLR and CosineAnnealingLR scale each group from its own base rate, as PyTorch's base_lrs. */
    @Test
    void schedulersScaleEachGroupFromItsOwnBaseRate() {
        SGD sgd = twoGroupSgd(0.1f, 0.004f);
        StepLR step = new StepLR(sgd, 3, 0.5);
        for (int e = 0; e < 10; e++) {
            double factor = Math.pow(0.5, e / 3);
            assertEquals((float) (0.1f * factor), sgd.lr(0), "epoch " + e);
            assertEquals((float) (0.004f * factor), sgd.lr(1), "epoch " + e);
            assertEquals(List.of(0.1f * factor, 0.004f * factor), step.getLastLr());
            step.step();
        }
        SGD other = twoGroupSgd(0.2f, 0.02f);
        CosineAnnealingLR cos = new CosineAnnealingLR(other, 10, 0.001);
        for (int e = 1; e <= 10; e++) {
            cos.step();
            double w = (1 + Math.cos(Math.PI * e / 10)) / 2;
            assertEquals(0.001 + (0.2f - 0.001) * w, cos.getLastLr().get(0), 1e-12, "epoch " + e);
            assertEquals(0.001 + (0.02f - 0.001) * w, cos.getLastLr().get(1), 1e-12, "epoch " + e);
        }
        ReduceLROnPlateau plateau = new ReduceLROnPlateau(twoGroupSgd(0.1f, 0.01f));
        for (int e = 0; e < 12; e++) {
            plateau.step(1.0);
        }
        assertEquals((float) (0.1f * 0.1), plateau.optimizer().lr(0), "one reduction after patience 10");
        assertEquals((float) (0.01f * 0.1), plateau.optimizer().lr(1));
    }

    @Test
    void aStateDictWithSeveralGroupsRoundTripsAndResumesExactly() {
        List<Tensor> ps = List.of(param(0.3f, -0.7f), param(1.5f), param(-2f, 0.25f, 4f));
        Adam.Options o0 = Adam.Options.lr(0.05f);
        Adam.Options o1 = o0.withLr(0.01f).withAmsgrad(true);
        Adam adam = new Adam(List.of(new ParamGroup<>(ps.subList(0, 2), o0), new ParamGroup<>(ps.subList(2, 3), o1)));
        for (int s = 0; s < 5; s++) {
            quadraticStep(adam, ps);
        }
        adam.setLr(1, 0.007f);
        Map<String, Object> sd = adam.stateDict();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> groups = (List<Map<String, Object>>) sd.get("param_groups");
        assertEquals(2, groups.size());
        assertEquals(List.of(0, 1), groups.get(0).get("params"));
        assertEquals(List.of(2), groups.get(1).get("params"), "indices run on across groups, as PyTorch's");
        assertEquals((double) 0.007f, groups.get(1).get("lr"));
        assertEquals(true, groups.get(1).get("amsgrad"));
        assertEquals(false, groups.get(0).get("amsgrad"));

        List<Tensor> copy = new ArrayList<>();
        for (Tensor p : ps) {
            copy.add(Tensor.of(p.toFloatArray()).requiresGrad(true));
        }
        Adam resumed = new Adam(List.of(new ParamGroup<>(copy.subList(0, 2), o0),
                new ParamGroup<>(copy.subList(2, 3), o1)));
        resumed.loadStateDict(sd);
        assertEquals(0.007f, resumed.lr(1));
        assertEquals(0.05f, resumed.lr(0));
        for (int s = 0; s < 5; s++) {
            quadraticStep(adam, ps);
            quadraticStep(resumed, copy);
        }
        for (int i = 0; i < ps.size(); i++) {
            assertArrayEquals(ps.get(i).toFloatArray(), copy.get(i).toFloatArray(), "param " + i + " bit-identical");
        }
    }

    @Test
    void aStateDictWhoseGroupsDifferIsRejectedAndChangesNothing() {
        List<Tensor> ps = List.of(param(0.3f), param(1.5f));
        Adam.Options o = Adam.Options.lr(0.05f);
        Adam two = new Adam(List.of(new ParamGroup<>(ps.subList(0, 1), o), new ParamGroup<>(ps.subList(1, 2), o)));
        quadraticStep(two, ps);
        Adam one = new Adam(ps, o);
        quadraticStep(one, ps);
        Map<String, Object> oneGroup = one.stateDict();
        Map<String, Object> before = snapshot(two);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> two.loadStateDict(oneGroup));
        assertTrue(e.getMessage().contains("2 group(s)"), e.getMessage());
        Map<String, Object> otherOptions = two.stateDict();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> groups = (List<Map<String, Object>>) otherOptions.get("param_groups");
        Map<String, Object> changed = new LinkedHashMap<>(groups.get(1));
        changed.put("eps", 0.5);
        otherOptions.put("param_groups", List.of(groups.get(0), changed));
        e = assertThrows(IllegalArgumentException.class, () -> two.loadStateDict(otherOptions));
        assertTrue(e.getMessage().contains("param_groups[1] options"), e.getMessage());
        assertEquals(before, snapshot(two), "a rejected state dict changes nothing");
    }

    @Test
    void badGroupsAreRejectedNamingTheProblem() {
        Tensor a = param(1f);
        Tensor b = param(2f);
        SGD.Options o = SGD.Options.lr(0.1f);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SGD(List.of()))
                .getMessage().contains("no parameter group"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new SGD(List.of(new ParamGroup<>(List.of(a), o), new ParamGroup<>(List.of(), o))))
                .getMessage().contains("parameter group 1 has no parameters"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new SGD(List.of(new ParamGroup<>(List.of(a), o), new ParamGroup<>(List.of(b, a), o))))
                .getMessage().contains("appears twice"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(a, a), 0.1f))
                .getMessage().contains("appears twice"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new SGD(List.of(new ParamGroup<>(List.of(a), o),
                        new ParamGroup<>(List.of(b), SGD.Options.lr(0.1f).withNesterov(true)))))
                .getMessage().contains("Nesterov"), "each group's options are checked");
        assertThrows(NullPointerException.class, () -> new ParamGroup<>(List.of(a), null));
    }

    @Test
    void addParamGroupAddsParametersThatTheNextStepUpdates() {
        Tensor a = param(1f, 2f);
        Tensor b = param(3f, -1f);
        SGD sgd = new SGD(List.of(a), 0.1f);
        StepLR before = new StepLR(sgd, 1, 0.5);
        sgd.addParamGroup(new ParamGroup<>(List.of(b), SGD.Options.lr(0.2f)));
        assertEquals(2, sgd.numParamGroups());
        quadraticStep(sgd, List.of(a, b));
        assertArrayEquals(new float[] {1f - 0.1f * 1f, 2f - 0.1f * 2f}, a.toFloatArray());
        assertArrayEquals(new float[] {3f - 0.2f * 3f, -1f - 0.2f * -1f}, b.toFloatArray());
        before.step();
        assertEquals(0.05f, sgd.lr(0));
        assertEquals(0.2f, sgd.lr(1), "a scheduler built before a group was added leaves it alone, as PyTorch's");
        StepLR after = new StepLR(sgd, 1, 0.5);
        after.step();
        assertEquals(0.1f, sgd.lr(1), "a scheduler built after covers it, from its rate then");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> sgd.addParamGroup(new ParamGroup<>(List.of(param(1f)), Adam.Options.lr(0.1f))));
        assertTrue(e.getMessage().contains("SGD$Options"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> sgd.addParamGroup(new ParamGroup<>(List.of(a), SGD.Options.lr(0.1f))));
        assertEquals(2, sgd.numParamGroups(), "a rejected group is not added");
        assertEquals(List.of(a, b), sgd.parameters());
    }

    @Test
    void aHandWrittenOptimizerGetsTheRateAsItsOptions() {
        Tensor a = param(1f, -2f);
        Optimizer plain = new Optimizer(List.of(a), 0.25f) {
            @Override
            protected void update(Tensor param, Tensor grad, GroupOptions options) {
                param.add_(grad, -options.lr());
            }
        };
        quadraticStep(plain, List.of(a));
        assertArrayEquals(new float[] {0.75f, -1.5f}, a.toFloatArray());
        plain.setLr(0.5f);
        assertEquals(new GroupOptions.Lr(0.5f), plain.options(0));
    }

    private static SGD twoGroupSgd(float lr0, float lr1) {
        return new SGD(List.of(new ParamGroup<>(List.of(param(1f)), SGD.Options.lr(lr0)),
                new ParamGroup<>(List.of(param(2f)), SGD.Options.lr(lr1))));
    }

    private static Tensor param(float... values) {
        return Tensor.of(values).requiresGrad(true);
    }

    /** One step on {@code Σ ½·p²} (gradient {@code p}). */
    private static void quadraticStep(Optimizer opt, List<Tensor> ps) {
        opt.zeroGrad();
        Tensor loss = ps.get(0).pow(2f).sum().mul(0.5f);
        for (int i = 1; i < ps.size(); i++) {
            loss = loss.add(ps.get(i).pow(2f).sum().mul(0.5f));
        }
        loss.backward();
        opt.step();
    }

    /** The optimizer's rates and state values, to compare before and after a rejected load. */
    private static Map<String, Object> snapshot(Optimizer opt) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int g = 0; g < opt.numParamGroups(); g++) {
            out.put("lr" + g, opt.lr(g));
        }
        for (int i = 0; i < opt.parameters().size(); i++) {
            int index = i;
            opt.state(opt.parameters().get(i)).forEach((k, v) -> out.put(index + "." + k,
                    java.util.Arrays.toString(v.toFloatArray())));
        }
        return out;
    }
}
