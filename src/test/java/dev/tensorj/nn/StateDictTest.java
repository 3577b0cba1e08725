package dev.tensorj.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.DType;
import dev.tensorj.Device;
import dev.tensorj.LeakReport;
import dev.tensorj.Safetensors;
import dev.tensorj.Tensor;
import dev.tensorj.junit.DevicesSource;
import dev.tensorj.optim.SGD;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;

/** Module.stateDict and loadStateDict against PyTorch's names, order and rules. */
class StateDictTest {
    @TempDir
    Path dir;

    /** A parameter and a buffer of its own registered around a child, as PyTorch's order puts them after. */
    static final class Block extends Module {
        final Tensor offset = registerBuffer("offset", Tensor.of(new float[] {0.25f, -0.5f, 1f, 2f}, 4));
        final Sequential features = register("features",
                new Sequential(new Linear(3, 4), new BatchNorm1d(4), new ReLU(), new Linear(4, 4)));
        final Tensor scale = registerParameter("scale", Tensor.of(new float[] {1.5f, -1f, 0.5f, 2f}, 4));

        @Override
        public Tensor forward(Tensor x) {
            return features.forward(x).add(offset).mul(scale);
        }
    }

    static final class Net extends Module {
        final Block block = register("block", new Block());
        final Linear head = register("head", new Linear(4, 2));

        @Override
        public Tensor forward(Tensor x) {
            return head.forward(block.forward(x));
        }
    }

    @Test
    void namesAndOrderAreThoseOfPyTorch() {
        // torch: own parameters, own buffers, then each child in registration order (Module._save_to_state_dict).
        assertEquals(List.of("block.scale", "block.offset",
                "block.features.0.weight", "block.features.0.bias",
                "block.features.1.weight", "block.features.1.bias",
                "block.features.1.running_mean", "block.features.1.running_var",
                "block.features.3.weight", "block.features.3.bias",
                "head.weight", "head.bias"), List.copyOf(new Net().stateDict().keySet()));
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var"),
                List.copyOf(new Sequential(new Linear(2, 3), new BatchNorm1d(3)).stateDict().keySet()));
    }

    @Test
    void valuesAreDetachedAndShareTheModulesMemory() {
        Net net = new Net();
        Map<String, Tensor> sd = net.stateDict();
        Tensor bias = sd.get("head.bias");
        assertTrue(!bias.requiresGrad() && bias.isLeaf());
        bias.add_(1f); // writes through to the parameter, as torch's state_dict tensors do
        assertArrayEquals(bias.toFloatArray(), net.head.bias().toFloatArray());
        sd.remove("head.bias"); // the map is the caller's
        assertEquals(12, net.stateDict().size());
    }

    private static Net trained(Device device, long seed) {
        Tensor.manualSeed(seed);
        Net net = new Net();
        net.to(device);
        net.train();
        net.forward(Tensor.randn(8, 3).to(device)); // moves the running statistics away from 0 and 1
        return net;
    }

    private static Map<String, float[]> values(Module m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        m.stateDict().forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    private static void assertValues(Map<String, float[]> expected, Module m) {
        Map<String, float[]> actual = values(m);
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), k));
    }

    @ParameterizedTest
    @DevicesSource
    void loadingCopiesValuesInPlaceOntoEachParametersDevice(Device device) {
        Net source = trained(Device.CPU, 1);
        Net target = trained(device, 2);
        List<Tensor> objects = new ArrayList<>(target.parameters());
        objects.addAll(target.buffers());
        IncompatibleKeys result = target.loadStateDict(source.stateDict()); // cpu values onto `device`
        assertEquals(new IncompatibleKeys(List.of(), List.of()), result);
        assertValues(values(source), target);
        List<Tensor> after = new ArrayList<>(target.parameters());
        after.addAll(target.buffers());
        for (int i = 0; i < objects.size(); i++) {
            assertSame(objects.get(i), after.get(i), "the same tensor objects");
            assertEquals(device, after.get(i).device());
            assertEquals(i < target.parameters().size(), after.get(i).requiresGrad());
        }
        Tensor x = Tensor.randn(5, 3);
        source.eval();
        target.eval();
        assertArrayEquals(source.forward(x).toFloatArray(), target.forward(x.to(device)).toFloatArray(), 1e-5f);
    }

    @ParameterizedTest
    @DevicesSource
    void anOptimizerBuiltBeforeTheLoadStepsTheLoadedValues(Device device) {
        Net net = trained(device, 3);
        SGD sgd = new SGD(net.parameters(), 0.1f);
        Map<String, float[]> loaded = values(trained(Device.CPU, 4));
        Map<String, Tensor> sd = new LinkedHashMap<>();
        loaded.forEach((k, v) -> sd.put(k, Tensor.of(v, net.stateDict().get(k).shape())));
        net.loadStateDict(sd);
        Map<String, float[]> grads = new LinkedHashMap<>();
        long seed = 5;
        for (var e : net.namedParameters().entrySet()) {
            Tensor.manualSeed(seed++);
            Tensor g = Tensor.randn(e.getValue().shape());
            grads.put(e.getKey(), g.toFloatArray());
            e.getValue().setGrad(g.to(device));
        }
        sgd.step();
        for (var e : net.namedParameters().entrySet()) {
            float[] before = loaded.get(e.getKey());
            float[] g = grads.get(e.getKey());
            float[] now = e.getValue().toFloatArray();
            for (int i = 0; i < now.length; i++) {
                assertEquals((float) (before[i] - 0.1 * g[i]), now[i], 1e-6f, e.getKey() + "[" + i + "]");
            }
        }
    }

    @Test
    void strictLoadingListsMissingAndUnexpectedKeysAndChangesNothing() {
        Net net = trained(Device.CPU, 6);
        Map<String, float[]> before = values(net);
        Map<String, Tensor> sd = trained(Device.CPU, 7).stateDict();
        sd.remove("head.bias");
        sd.remove("block.features.1.running_var");
        sd.put("head.extra", Tensor.randn(2));
        StateDictException e = assertThrows(StateDictException.class, () -> net.loadStateDict(sd));
        assertEquals(List.of("block.features.1.running_var", "head.bias"), e.missingKeys());
        assertEquals(List.of("head.extra"), e.unexpectedKeys());
        assertEquals(List.of(), e.mismatches());
        assertTrue(e.getMessage().startsWith("Error(s) in loading state_dict for Net:"), e.getMessage());
        assertTrue(e.getMessage().contains("Missing key(s) in state_dict: \"block.features.1.running_var\", \"head.bias\"."),
                e.getMessage());
        assertTrue(e.getMessage().contains("Unexpected key(s) in state_dict: \"head.extra\"."), e.getMessage());
        assertValues(before, net);
    }

    @Test
    void nonStrictLoadingLoadsWhatMatchesAndReturnsTheRest() {
        Net net = trained(Device.CPU, 8);
        Map<String, float[]> before = values(net);
        Net other = trained(Device.CPU, 9);
        Map<String, Tensor> sd = other.stateDict();
        sd.remove("head.bias");
        sd.put("head.extra", Tensor.randn(2));
        IncompatibleKeys r = net.loadStateDict(sd, false);
        assertEquals(List.of("head.bias"), r.missingKeys());
        assertEquals(List.of("head.extra"), r.unexpectedKeys());
        Map<String, float[]> expected = values(other);
        expected.put("head.bias", before.get("head.bias"));
        assertValues(expected, net);
    }

    @Test
    void aShapeMismatchIsAnErrorEvenWhenNotStrictAndNothingIsWritten() {
        for (boolean strict : new boolean[] {true, false}) {
            Net net = trained(Device.CPU, 10);
            Map<String, float[]> before = values(net);
            Map<String, Tensor> sd = trained(Device.CPU, 11).stateDict(); // block.* come before head: valid, not written
            sd.put("head.weight", Tensor.randn(2, 5));
            sd.put("block.features.1.running_mean", Tensor.randn(4, 1));
            StateDictException e = assertThrows(StateDictException.class, () -> net.loadStateDict(sd, strict));
            assertEquals(List.of("size mismatch for block.features.1.running_mean: copying a param with shape [4, 1] "
                    + "from checkpoint, the shape in current model is [4].",
                    "size mismatch for head.weight: copying a param with shape [2, 5] from checkpoint, the shape in "
                    + "current model is [2, 4]."), e.mismatches());
            assertValues(before, net);
        }
    }

    @Test
    void nullClosedAndMetaValuesAreRejectedBeforeAnythingIsWritten() {
        Net net = trained(Device.CPU, 12);
        Map<String, float[]> before = values(net);
        Map<String, Tensor> sd = trained(Device.CPU, 13).stateDict();
        sd.put("head.bias", null);
        Tensor closed = Tensor.randn(4);
        closed.close();
        sd.put("block.scale", closed);
        sd.put("head.weight", Tensor.zeros(Device.META, 2, 4));
        StateDictException e = assertThrows(StateDictException.class, () -> net.loadStateDict(sd, false));
        assertEquals(List.of("closed tensor for block.scale", "meta tensor for head.weight: it holds no values to load onto cpu",
                "null tensor for head.bias"), e.mismatches());
        assertValues(before, net);
        assertThrows(NullPointerException.class, () -> net.loadStateDict(null));
        assertEquals("loadStateDict: stateDict is null",
                assertThrows(NullPointerException.class, () -> net.loadStateDict(null, false)).getMessage());
    }

    @Test
    void otherDtypesAreConvertedAndStagedCopiesReleased() {
        Linear lin = new Linear(2, 2);
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("weight", Tensor.of(new long[] {1, -2, 3, 4}, 2, 2));
        sd.put("bias", Tensor.of(new boolean[] {true, false}, 2));
        LeakReport.setEnabled(true);
        long live = LeakReport.liveCount(Device.CPU);
        try {
            lin.loadStateDict(sd);
            assertEquals(live, LeakReport.liveCount(Device.CPU), "the converted copies are closed");
        } finally {
            LeakReport.setEnabled(false);
        }
        assertEquals(DType.FLOAT32, lin.weight().dtype());
        assertArrayEquals(new float[] {1, -2, 3, 4}, lin.weight().toFloatArray());
        assertArrayEquals(new float[] {1, 0}, lin.bias().toFloatArray());
    }

    @ParameterizedTest
    @DevicesSource
    void aModelSavedAsSafetensorsReloadsIntoANewModel(Device device) throws IOException {
        Net net = trained(device, 14);
        net.eval();
        Path p = dir.resolve("net.safetensors");
        Safetensors.save(net.stateDict(), p);
        Net fresh = trained(device, 15);
        fresh.eval();
        fresh.loadStateDict(Safetensors.load(p, device));
        Tensor x = Tensor.randn(6, 3).to(device);
        assertArrayEquals(net.forward(x).toFloatArray(), fresh.forward(x).toFloatArray());
    }
}
