package dev.tensorj.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Device;
import dev.tensorj.Tensor;
import dev.tensorj.junit.CheckDevices;
import dev.tensorj.junit.DeviceCases;
import dev.tensorj.junit.DevicesSource;
import dev.tensorj.junit.RequiresCuda;
import dev.tensorj.nn.Linear;
import dev.tensorj.nn.MSELoss;
import dev.tensorj.nn.Module;
import dev.tensorj.nn.ReLU;
import dev.tensorj.nn.Sequential;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Optimizer#stateDict()} and {@link Optimizer#loadStateDict}: an optimizer restored into a
 * fresh one over a restored model continues bit-identically; a wrong state dict changes nothing.
 */
class OptimizerStateDictTest {

    record Kind(String name, Function<List<Tensor>, Optimizer> make) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final List<Kind> KINDS = List.of(
            new Kind("SGD momentum", ps -> new SGD(ps, SGD.Options.lr(0.05f).withMomentum(0.9f).withWeightDecay(0.01f))),
            new Kind("Adam", ps -> new Adam(ps, Adam.Options.lr(0.01f).withWeightDecay(0.001f))),
            new Kind("Adam amsgrad", ps -> new Adam(ps, Adam.Options.lr(0.01f).withAmsgrad(true))),
            new Kind("RMSprop centered", ps -> new RMSprop(ps, RMSprop.Options.lr(0.01f).withCentered(true)
                    .withMomentum(0.5f))),
            new Kind("Adagrad", ps -> new Adagrad(ps, 0.05f)));

    static Stream<Arguments> kindsAndDevices() {
        return DeviceCases.devices().flatMap(d -> KINDS.stream().map(k -> Arguments.of(k, d)));
    }

    private static Module model(Device d) {
        Tensor.manualSeed(11);
        Module m = new Sequential(new Linear(3, 8), new ReLU(), new Linear(8, 2));
        m.to(d);
        return m;
    }

    private static void train(Module m, Optimizer opt, int steps, long seed) {
        Tensor.manualSeed(seed);
        Device d = m.parameters().get(0).device();
        for (int i = 0; i < steps; i++) {
            Tensor x = Tensor.randn(d, 5, 3);
            Tensor y = Tensor.randn(d, 5, 2);
            opt.zeroGrad();
            new MSELoss().forward(m.forward(x), y).backward();
            opt.step();
        }
    }

    private static List<float[]> values(Module m) {
        List<float[]> out = new ArrayList<>();
        m.parameters().forEach(p -> out.add(p.toFloatArray()));
        return out;
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("kindsAndDevices")
    @CheckDevices
    void restoredOptimizerContinuesBitIdentically(Kind kind, Device device) {
        Module straight = model(device);
        Optimizer a = kind.make().apply(straight.parameters());
        train(straight, a, 6, 1);

        Module resumed = model(device);
        resumed.loadStateDict(straight.stateDict());
        Optimizer b = kind.make().apply(resumed.parameters());
        Map<String, Object> saved = a.stateDict();
        b.loadStateDict(saved);
        assertEquals(a.stateDict().get("param_groups"), b.stateDict().get("param_groups"));
        Map<?, ?> stateB = (Map<?, ?>) b.stateDict().get("state");
        assertEquals(((Map<?, ?>) saved.get("state")).keySet(), stateB.keySet());
        for (Tensor p : resumed.parameters()) {
            b.state(p).forEach((name, t) -> {
                if (!name.equals("step")) {
                    assertEquals(p.device(), t.device(), name + " is on its parameter's device");
                }
            });
        }

        train(straight, a, 6, 2);
        train(resumed, b, 6, 2);
        List<float[]> expected = values(straight);
        List<float[]> actual = values(resumed);
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), "parameter " + i + " bit-identical");
        }
    }

    /** A state dict saved on the CPU loads onto CUDA parameters (and back) and continues as the original. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    @RequiresCuda
    void stateLoadsOntoEachParametersDevice(Kind kind) {
        Module cpu = model(Device.CPU);
        Optimizer a = kind.make().apply(cpu.parameters());
        train(cpu, a, 4, 3);
        Module cuda = model(Device.cuda());
        cuda.loadStateDict(cpu.stateDict());
        Optimizer b = kind.make().apply(cuda.parameters());
        b.loadStateDict(a.stateDict());
        for (Tensor p : cuda.parameters()) {
            b.state(p).forEach((name, t) -> {
                if (!name.equals("step")) {
                    assertTrue(t.device().isCuda(), name + " on cuda");
                }
            });
        }
        Map<?, ?> sa = (Map<?, ?>) a.stateDict().get("state");
        Map<?, ?> sb = (Map<?, ?>) b.stateDict().get("state");
        for (Object i : sa.keySet()) {
            Map<?, ?> ma = (Map<?, ?>) sa.get(i);
            Map<?, ?> mb = (Map<?, ?>) sb.get(i);
            for (Object name : ma.keySet()) {
                Object va = ma.get(name);
                Object vb = mb.get(name);
                if (va instanceof Tensor ta) {
                    assertNotSame(ta, vb);
                    assertArrayEquals(ta.toFloatArray(), ((Tensor) vb).toFloatArray(), i + "." + name);
                } else {
                    assertEquals(va, vb, i + "." + name);
                }
            }
        }
    }

    static Stream<Kind> kinds() {
        return KINDS.stream();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> deepCopy(Map<String, Object> sd) {
        Map<String, Object> out = new LinkedHashMap<>(sd);
        Map<Integer, Map<String, Object>> state = new LinkedHashMap<>();
        ((Map<Integer, Map<String, Object>>) sd.get("state")).forEach((k, v) -> state.put(k, new LinkedHashMap<>(v)));
        out.put("state", state);
        List<Map<String, Object>> groups = new ArrayList<>();
        ((List<Map<String, Object>>) sd.get("param_groups")).forEach(g -> groups.add(new LinkedHashMap<>(g)));
        out.put("param_groups", groups);
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> group(Map<String, Object> sd) {
        return ((List<Map<String, Object>>) sd.get("param_groups")).get(0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> state(Map<String, Object> sd, int i) {
        return ((Map<Integer, Map<String, Object>>) sd.get("state")).get(i);
    }

    /** Each damaged state dict is rejected with a message naming what is wrong, and the optimizer is unchanged. */
    @SuppressWarnings("unchecked")
    @ParameterizedTest(name = "{0}")
    @DevicesSource
    void mismatchedStateDictsAreRejectedAndChangeNothing(Device device) {
        Module m = model(device);
        Adam adam = new Adam(m.parameters(), 0.01f);
        train(m, adam, 3, 4);
        Module other = model(device);
        Adam target = new Adam(other.parameters(), 0.02f);
        train(other, target, 2, 5);
        Map<String, Object> good = adam.stateDict();

        Map<String, java.util.function.UnaryOperator<Map<String, Object>>> damages = new LinkedHashMap<>();
        damages.put("param_groups[0].params must be [0, 1, 2, 3]", sd -> {
            group(sd).put("params", List.of(0, 1, 2));
            return sd;
        });
        damages.put("state key 4 is not a parameter index", sd -> {
            ((Map<Integer, Object>) (Map<?, ?>) sd.get("state")).put(4, state(sd, 0));
            return sd;
        });
        damages.put("state[1].exp_avg has shape [2, 8] but parameter 1 has shape [8]", sd -> {
            state(sd, 1).put("exp_avg", Tensor.zeros(2, 8));
            return sd;
        });
        damages.put("state[0] has momentum_buffer, which Adam does not keep", sd -> {
            state(sd, 0).put("momentum_buffer", Tensor.zeros(8, 3));
            return sd;
        });
        damages.put("options {betas=[0.5, 0.999]", sd -> {
            group(sd).put("betas", List.of(0.5, 0.999));
            return sd;
        });
        damages.put("unexpected key extra", sd -> {
            sd.put("extra", 1);
            return sd;
        });
        damages.put("state[2].step must be a Long >= 0", sd -> {
            state(sd, 2).put("step", -1L);
            return sd;
        });
        damages.put("param_groups[0].lr must be a number >= 0", sd -> {
            group(sd).put("lr", "fast");
            return sd;
        });
        Map<String, Object> before = target.stateDict();
        List<float[]> stateBefore = new ArrayList<>();
        for (Tensor p : other.parameters()) {
            target.state(p).values().forEach(t -> stateBefore.add(t.toFloatArray()));
        }
        for (var d : damages.entrySet()) {
            Map<String, Object> bad = d.getValue().apply(deepCopy(good));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> target.loadStateDict(bad));
            assertTrue(e.getMessage().startsWith("Adam.loadStateDict: "), e.getMessage());
            assertTrue(e.getMessage().contains(d.getKey()), e.getMessage() + " should say " + d.getKey());
            assertEquals(0.02f, target.lr());
            assertEquals(before.get("param_groups"), target.stateDict().get("param_groups"));
            List<float[]> stateAfter = new ArrayList<>();
            for (Tensor p : other.parameters()) {
                target.state(p).values().forEach(t -> stateAfter.add(t.toFloatArray()));
            }
            assertEquals(stateBefore.size(), stateAfter.size());
            for (int i = 0; i < stateBefore.size(); i++) {
                assertArrayEquals(stateBefore.get(i), stateAfter.get(i), d.getKey() + ": state unchanged");
            }
        }
        // Another optimizer's kind: SGD's state into Adam, and Adam's options into SGD.
        SGD sgd = new SGD(other.parameters(), SGD.Options.lr(0.1f).withMomentum(0.9f));
        assertThrows(IllegalArgumentException.class, () -> sgd.loadStateDict(good));
    }

    static Stream<Device> devices() {
        return DeviceCases.devices();
    }
}
