package dev.tensorj.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.DType;
import dev.tensorj.Device;
import dev.tensorj.Safetensors;
import dev.tensorj.Tensor;
import dev.tensorj.junit.DevicesSource;
import dev.tensorj.nn.CrossEntropyLoss;
import dev.tensorj.nn.Dropout;
import dev.tensorj.nn.Linear;
import dev.tensorj.nn.Module;
import dev.tensorj.nn.ReLU;
import dev.tensorj.nn.Sequential;
import dev.tensorj.nn.StateDictException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * {@link Checkpoint}: 3 epochs, a checkpoint, a fresh model, optimizer and scheduler restored from
 * it, 3 more epochs, give the parameters of 6 epochs straight, bit for bit (Dropout and the shuffle
 * draw from the global generator, so its state must be restored too).
 */
class CheckpointTest {
    @TempDir
    Path dir;

    private static final int N = 48;
    private static final int BATCH = 16;

    /** A model, optimizer and scheduler built the same way every time; the model's initialisation draws from the generator. */
    private record Run(Module model, Adam optimizer, StepLR scheduler) {
        static Run fresh(Device d, int hidden) {
            Tensor.manualSeed(2024);
            Module m = new Sequential(new Linear(4, hidden), new ReLU(), new Dropout(0.25), new Linear(hidden, 3));
            m.to(d);
            Adam adam = new Adam(m.parameters(), Adam.Options.lr(0.01f).withWeightDecay(0.001f));
            return new Run(m, adam, new StepLR(adam, 2, 0.5));
        }

        void epochs(Tensor x, Tensor y, int count) {
            for (int e = 0; e < count; e++) {
                Tensor order = Tensor.randperm(x.device(), N);
                for (int b = 0; b < N; b += BATCH) {
                    Tensor idx = order.slice(0, b, b + BATCH, 1);
                    optimizer.zeroGrad();
                    new CrossEntropyLoss().forward(model.forward(x.indexSelect(0, idx)), y.indexSelect(0, idx).to(DType.INT64)).backward();
                    optimizer.step();
                }
                scheduler.step();
            }
        }

        List<float[]> parameters() {
            List<float[]> out = new ArrayList<>();
            model.parameters().forEach(p -> out.add(p.toFloatArray()));
            return out;
        }
    }

    private static Tensor[] data(Device d) {
        Tensor.manualSeed(99);
        return new Tensor[] {Tensor.randn(d, N, 4), Tensor.randint(d, 0, 3, N).to(DType.FLOAT32)}; // index_select takes float32: classes as floats
    }

    @ParameterizedTest
    @DevicesSource
    void resumedTrainingIsBitIdenticalToTrainingThatNeverStopped(Device device) throws IOException {
        Tensor[] xy = data(device);
        Run straight = Run.fresh(device, 16);
        Tensor.manualSeed(7);
        straight.epochs(xy[0], xy[1], 6);

        Run first = Run.fresh(device, 16);
        Tensor.manualSeed(7);
        first.epochs(xy[0], xy[1], 3);
        Path file = dir.resolve("ckpt.safetensors");
        Checkpoint.save(file, first.model(), first.optimizer(), first.scheduler(), 3, Map.of("note", "half way"));
        Tensor.manualSeed(12345); // the generator is elsewhere when the run resumes

        Run resumed = Run.fresh(device, 16);
        try (Checkpoint c = Checkpoint.load(file)) {
            assertEquals(3, c.epoch());
            assertEquals(Map.of("note", "half way"), c.extra());
            c.restore(resumed.model(), resumed.optimizer(), resumed.scheduler());
        }
        assertEquals(first.scheduler().lastEpoch(), resumed.scheduler().lastEpoch());
        assertEquals(first.optimizer().lr(), resumed.optimizer().lr());
        resumed.epochs(xy[0], xy[1], 3);

        List<float[]> expected = straight.parameters();
        List<float[]> actual = resumed.parameters();
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), "parameter " + i + " after 3 + 3 epochs");
        }
        assertEquals(straight.optimizer().lr(), resumed.optimizer().lr());

        // The file is plain safetensors: model.<name> and optim.<i>.<name>.
        Map<String, Tensor> tensors = Safetensors.load(file);
        assertTrue(tensors.containsKey("model.0.weight"), tensors.keySet().toString());
        assertTrue(tensors.containsKey("optim.0.exp_avg"), tensors.keySet().toString());
        assertTrue(tensors.containsKey("optim.3.exp_avg_sq"), tensors.keySet().toString());
        assertEquals(12, tensors.size(), tensors.keySet().toString());
    }

    /**
     * A plateau scheduler (driven by each epoch's loss) over an SGD with two parameter groups:
     * resumed from a checkpoint after 3 of 8 epochs, the run ends bit-identical to one that never
     * stopped, rates and the scheduler's counters included.
     */
    @ParameterizedTest
    @DevicesSource
    void aPlateauSchedulerAndParameterGroupsResumeExactly(Device device) throws IOException {
        Tensor[] xy = data(device);
        record Plateau(Module model, SGD sgd, ReduceLROnPlateau plateau) {
            static Plateau fresh(Device d) {
                Tensor.manualSeed(31);
                Linear first = new Linear(4, 8);
                Linear last = new Linear(8, 3);
                Module m = new Sequential(first, new ReLU(), last);
                m.to(d);
                SGD.Options o = SGD.Options.lr(0.05f).withMomentum(0.9f);
                SGD sgd = new SGD(List.of(new ParamGroup<>(first.parameters(), o),
                        new ParamGroup<>(last.parameters(), o.withLr(0.01f).withWeightDecay(0.01f))));
                // patience 0 and a high threshold, so that the rates fall during the run
                return new Plateau(m, sgd, new ReduceLROnPlateau(sgd, "min", 0.5, 0, 0.2, "rel", 0, 0, 1e-8));
            }

            void epochs(Tensor x, Tensor y, int count) {
                for (int e = 0; e < count; e++) {
                    sgd.zeroGrad();
                    Tensor loss = new CrossEntropyLoss().forward(model.forward(x), y.to(DType.INT64));
                    loss.backward();
                    sgd.step();
                    plateau.step(loss.item());
                }
            }
        }
        Plateau straight = Plateau.fresh(device);
        straight.epochs(xy[0], xy[1], 8);
        assertTrue(straight.sgd().lr(0) < 0.05f, "the plateau scheduler reduced the rates: " + straight.sgd().lr(0));

        Plateau first = Plateau.fresh(device);
        first.epochs(xy[0], xy[1], 3);
        Path file = dir.resolve("plateau.safetensors");
        Checkpoint.save(file, first.model(), first.sgd(), first.plateau(), 3, Map.of());
        Plateau resumed = Plateau.fresh(device);
        try (Checkpoint c = Checkpoint.load(file)) {
            c.restore(resumed.model(), resumed.sgd(), resumed.plateau());
        }
        assertEquals(first.plateau().stateDict(), resumed.plateau().stateDict());
        resumed.epochs(xy[0], xy[1], 5);
        for (int i = 0; i < straight.model().parameters().size(); i++) {
            assertArrayEquals(straight.model().parameters().get(i).toFloatArray(),
                    resumed.model().parameters().get(i).toFloatArray(), "parameter " + i + " after 3 + 5 epochs");
        }
        assertEquals(straight.sgd().lr(0), resumed.sgd().lr(0));
        assertEquals(straight.sgd().lr(1), resumed.sgd().lr(1));
        assertEquals(straight.plateau().stateDict(), resumed.plateau().stateDict());

        Plateau other = Plateau.fresh(device);
        StepLR wrongKind = new StepLR(other.sgd(), 1);
        try (Checkpoint c = Checkpoint.load(file)) {
            assertThrows(IllegalArgumentException.class, () -> c.restore(other.model(), other.sgd(), wrongKind),
                    "a plateau scheduler's state does not load into a StepLR");
        }
    }

    private record Snapshot(List<float[]> params, Map<String, Object> scheduler, float lr, long[] rng, List<float[]> state) {
        static Snapshot of(Run r) {
            List<float[]> state = new ArrayList<>();
            r.model().parameters().forEach(p -> r.optimizer().state(p).values().forEach(t -> state.add(t.toFloatArray())));
            return new Snapshot(r.parameters(), r.scheduler().stateDict(), r.optimizer().lr(), Tensor.getRngState(), state);
        }

        void assertSame(Snapshot after, String why) {
            assertEquals(params.size(), after.params.size());
            for (int i = 0; i < params.size(); i++) {
                assertArrayEquals(params.get(i), after.params.get(i), why + ": parameter " + i);
            }
            assertEquals(state.size(), after.state.size(), why);
            for (int i = 0; i < state.size(); i++) {
                assertArrayEquals(state.get(i), after.state.get(i), why + ": optimizer state " + i);
            }
            assertEquals(scheduler, after.scheduler, why);
            assertEquals(lr, after.lr, why);
            assertArrayEquals(rng, after.rng, why);
        }
    }

    @Test
    void mismatchedOrCorruptedCheckpointsAreRejectedAndChangeNothing() throws IOException {
        Tensor[] xy = data(Device.CPU);
        Run saved = Run.fresh(Device.CPU, 16);
        saved.epochs(xy[0], xy[1], 2);
        Path file = dir.resolve("ckpt.safetensors");
        Checkpoint.save(file, saved.model(), saved.optimizer(), saved.scheduler(), 2, Map.of());

        Run target = Run.fresh(Device.CPU, 16);
        target.epochs(xy[0], xy[1], 1);
        Run wider = Run.fresh(Device.CPU, 8); // (seeds the generator, so built before the snapshot)
        Snapshot before = Snapshot.of(target);

        // Another model: rejected by the model's strict load.
        try (Checkpoint c = Checkpoint.load(file)) {
            Snapshot w = Snapshot.of(wider);
            StateDictException e = assertThrows(StateDictException.class,
                    () -> c.restore(wider.model(), wider.optimizer(), wider.scheduler()));
            assertTrue(e.getMessage().contains("0.weight"), e.getMessage());
            w.assertSame(Snapshot.of(wider), "model mismatch");
        }
        // The model fits but the optimizer does not: the model, loaded first, is put back.
        SGD sgd = new SGD(target.model().parameters(), SGD.Options.lr(0.1f).withMomentum(0.9f));
        try (Checkpoint c = Checkpoint.load(file)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> c.restore(target.model(), sgd, target.scheduler()));
            assertTrue(e.getMessage().startsWith("SGD.loadStateDict: "), e.getMessage());
            before.assertSame(Snapshot.of(target), "optimizer mismatch");
            IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                    () -> c.restore(target.model(), target.optimizer(), null));
            assertTrue(none.getMessage().contains("no scheduler was given"), none.getMessage());
            before.assertSame(Snapshot.of(target), "no scheduler");
        }
        // A safetensors file that is no checkpoint, and damaged JSON.
        Path plain = dir.resolve("plain.safetensors");
        Safetensors.save(saved.model().stateDict(), plain);
        IllegalArgumentException notOne = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(plain));
        assertTrue(notOne.getMessage().contains("no tensorj.checkpoint metadata"), notOne.getMessage());
        Path broken = dir.resolve("broken.safetensors");
        Safetensors.save(saved.model().stateDict(), broken, Map.of(Checkpoint.KEY, "{\"version\": 1, \"epoch\":"));
        IllegalArgumentException json = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(broken));
        assertTrue(json.getMessage().contains("invalid JSON"), json.getMessage());
        // Truncated file: rejected by the safetensors reader.
        Path cut = dir.resolve("cut.safetensors");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 10));
        Exception e = assertThrows(Exception.class, () -> Checkpoint.load(cut));
        assertFalse(e instanceof NullPointerException, e.toString());
        before.assertSame(Snapshot.of(target), "after the rejected files");

        // And the matching restore does change it (after naming null arguments).
        try (Checkpoint c = Checkpoint.load(file)) {
            NullPointerException m = assertThrows(NullPointerException.class,
                    () -> c.restore(null, target.optimizer(), target.scheduler()));
            assertEquals("Checkpoint.restore: model is null", m.getMessage());
            NullPointerException o = assertThrows(NullPointerException.class,
                    () -> c.restore(target.model(), null, target.scheduler()));
            assertEquals("Checkpoint.restore: optimizer is null", o.getMessage());
            c.restore(target.model(), target.optimizer(), target.scheduler());
        }
        assertArrayEquals(saved.parameters().get(0), target.parameters().get(0));
    }
}
