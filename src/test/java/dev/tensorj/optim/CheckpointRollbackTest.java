package dev.tensorj.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tensorj.LeakReport;
import dev.tensorj.Safetensors;
import dev.tensorj.Tensor;
import dev.tensorj.nn.Linear;
import dev.tensorj.nn.Module;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link Checkpoint} restore that fails part-way, or a checkpoint file whose JSON or tensor names
 * are damaged: the error names the file and what is wrong, and the model, the optimizer (its state
 * tensors, step counts and rate), the scheduler and the generator are as they were, with no tensor
 * left open by the attempt.
 */
class CheckpointRollbackTest {
    @TempDir
    Path dir;

    /** A small model with an Adam and a StepLR, trained {@code steps} steps from seed {@code seed}. */
    private record Run(Module model, Adam adam, StepLR steps) {
        static Run trained(long seed, int count) {
            Tensor.manualSeed(seed);
            Linear model = new Linear(3, 2);
            Adam adam = new Adam(model.parameters(), Adam.Options.lr(0.05f));
            StepLR steps = new StepLR(adam, 1, 0.5);
            Tensor x = Tensor.randn(5, 3);
            for (int i = 0; i < count; i++) {
                adam.zeroGrad();
                model.forward(x).square().sum().backward();
                adam.step();
                steps.step();
            }
            return new Run(model, adam, steps);
        }
    }

    /** Everything a restore may change, as plain values. */
    private record State(List<float[]> params, List<Object> optimizer, float lr, Map<String, Object> scheduler,
                         long[] rng) {
        static State of(Run r) {
            List<float[]> params = new ArrayList<>();
            r.model().parameters().forEach(p -> params.add(p.toFloatArray()));
            List<Object> optimizer = new ArrayList<>();
            ((Map<?, ?>) r.adam().stateDict().get("state")).forEach((i, s) -> ((Map<?, ?>) s).forEach((name, v) ->
                    optimizer.add(i + "." + name + "=" + (v instanceof Tensor t
                            ? java.util.Arrays.toString(t.toFloatArray()) : v))));
            return new State(params, optimizer, r.adam().lr(), r.steps().stateDict(), Tensor.getRngState());
        }

        void assertUnchanged(State after, String why) {
            assertEquals(params.size(), after.params.size(), why);
            for (int i = 0; i < params.size(); i++) {
                assertArrayEquals(params.get(i), after.params.get(i), why + ": parameter " + i);
            }
            assertEquals(optimizer, after.optimizer, why + ": the optimizer's state");
            assertEquals(lr, after.lr, why + ": the rate");
            assertEquals(scheduler, after.scheduler, why + ": the scheduler");
            assertArrayEquals(rng, after.rng, why + ": the generator");
        }
    }

    private Path saved() throws IOException {
        Run r = Run.trained(1, 4);
        Path file = dir.resolve("run.safetensors");
        Checkpoint.save(file, r.model(), r.adam(), r.steps(), 4, Map.of("k", "v"));
        return file;
    }

    private static long newestAllocation() {
        return LeakReport.live().stream().mapToLong(LeakReport.Allocation::id).max().orElse(0);
    }

    private static long liveSince(long id) {
        return LeakReport.live().stream().filter(a -> a.id() > id).count();
    }

    /**
     * The model and the optimizer load, then the scheduler's state does not fit (a StepLR's into a
     * plateau scheduler): both are put back, and the copies made for that are closed.
     */
    @Test
    void aSchedulerThatDoesNotFitPutsTheModelAndTheOptimizerBack() throws IOException {
        Path file = saved();
        Run target = Run.trained(2, 2);
        ReduceLROnPlateau plateau = new ReduceLROnPlateau(target.adam());
        Map<String, Object> plateauBefore = plateau.stateDict();
        boolean was = LeakReport.isEnabled();
        LeakReport.setEnabled(true);
        try (Checkpoint c = Checkpoint.load(file)) {
            State before = State.of(target);
            long since = newestAllocation();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> c.restore(target.model(), target.adam(), plateau));
            assertTrue(e.getMessage().startsWith("ReduceLROnPlateau.loadStateDict: "), e.getMessage());
            before.assertUnchanged(State.of(target), "a scheduler of another kind");
            assertEquals(plateauBefore, plateau.stateDict());
            // The optimizer holds copies of its old state again (as many tensors as before); nothing else is open.
            assertEquals(4, liveSince(since), "open after the failed restore: " + LeakReport.live());
        } finally {
            LeakReport.setEnabled(was);
        }
    }

    /** A successful restore leaves open only what the model and the optimizer now hold. */
    @Test
    void aRestoreClosesTheBackupsItTook() throws IOException {
        Path file = saved();
        Run target = Run.trained(2, 2);
        boolean was = LeakReport.isEnabled();
        LeakReport.setEnabled(true);
        try (Checkpoint c = Checkpoint.load(file)) {
            long since = newestAllocation();
            c.restore(target.model(), target.adam(), target.steps());
            // Adam's exp_avg and exp_avg_sq of 2 parameters, loaded as copies; the parameters are written in place.
            assertEquals(4, liveSince(since), "open after the restore: " + LeakReport.live());
            assertEquals(4, c.epoch());
            assertEquals(Map.of("k", "v"), c.extra());
            assertThrows(UnsupportedOperationException.class, () -> c.extra().put("x", "y"));
        } finally {
            LeakReport.setEnabled(was);
        }
        Run reference = Run.trained(1, 4);
        assertEquals(reference.steps().stateDict(), target.steps().stateDict());
        assertArrayEquals(reference.model().parameters().get(0).toFloatArray(),
                target.model().parameters().get(0).toFloatArray());
    }

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    /** A copy of {@code file} with its JSON edited by {@code edit} and its tensors renamed by {@code rename}. */
    private Path damaged(Path file, String name, Consumer<Map<String, Object>> edit, Map<String, String> rename)
            throws IOException {
        Map<String, Object> json = JSON.readValue(Safetensors.metadata(file).get(Checkpoint.KEY),
                new TypeReference<LinkedHashMap<String, Object>>() { });
        edit.accept(json);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Safetensors.load(file).forEach((k, t) -> tensors.put(rename.getOrDefault(k, k), t));
        Path out = dir.resolve(name);
        Safetensors.save(tensors, out, Map.of(Checkpoint.KEY, JSON.writeValueAsString(json)));
        return out;
    }

    private static String loadError(Path file) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(file));
        assertTrue(e.getMessage().startsWith("Checkpoint " + file + ": "), e.getMessage());
        return e.getMessage();
    }

    private static void assertContains(String message, String part) {
        assertTrue(message.contains(part), "\"" + part + "\" missing from: " + message);
    }

    @Test
    void damagedJsonIsRejectedByLoadNamingTheEntry() throws IOException {
        Path file = saved();
        assertContains(loadError(damaged(file, "v2", j -> j.put("version", 2), Map.of())), "version 2, expected 1");
        assertContains(loadError(damaged(file, "noSched", j -> j.remove("scheduler"), Map.of())),
                "missing entry scheduler");
        assertContains(loadError(damaged(file, "epoch", j -> j.put("epoch", "4"), Map.of())), "epoch must be an int");
        assertContains(loadError(damaged(file, "extra", j -> j.put("extra", Map.of("k", 1)), Map.of())),
                "extra must map names to strings");
        assertContains(loadError(damaged(file, "extraList", j -> j.put("extra", List.of("k")), Map.of())),
                "extra must map names to strings");
        assertContains(loadError(damaged(file, "optim", j -> j.put("optimizer", "adam"), Map.of())),
                "optimizer must hold a state map");
        assertContains(loadError(damaged(file, "optimState", j -> j.put("optimizer", Map.of("state", 1)), Map.of())),
                "optimizer must hold a state map");
        for (Object rng : new Object[] {List.of(1), List.of(1, 2, 3), List.of(1, "2"), "seed"}) {
            assertContains(loadError(damaged(file, "rng", j -> j.put("rng_state", rng), Map.of())),
                    "rng_state must be [seed, offset]");
        }
    }

    @Test
    void damagedOptimizerEntriesAreRejectedByRestoreAndChangeNothing() throws IOException {
        Path file = saved();
        Run target = Run.trained(2, 2);
        State before = State.of(target);
        @SuppressWarnings("unchecked")
        Consumer<Map<String, Object>> badKey = j -> {
            Map<String, Object> optim = new LinkedHashMap<>((Map<String, Object>) j.get("optimizer"));
            Map<String, Object> state = new LinkedHashMap<>((Map<String, Object>) optim.get("state"));
            state.put("first", state.remove("0"));
            optim.put("state", state);
            j.put("optimizer", optim);
        };
        Map<Path, String> cases = new LinkedHashMap<>();
        cases.put(damaged(file, "key", badKey, Map.of()), "optimizer state key first is not a parameter index");
        cases.put(damaged(file, "tensorIndex", j -> { }, Map.of("optim.1.exp_avg", "optim.one.exp_avg")),
                "tensor optim.one.exp_avg does not name a parameter index");
        cases.put(damaged(file, "stranger", j -> { }, Map.of("optim.1.exp_avg", "extra.exp_avg")),
                "unexpected tensor extra.exp_avg (neither model. nor optim.)");
        for (Map.Entry<Path, String> c : cases.entrySet()) {
            try (Checkpoint checkpoint = Checkpoint.load(c.getKey())) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> checkpoint.restore(target.model(), target.adam(), target.steps()));
                assertEquals("Checkpoint " + c.getKey() + ": " + c.getValue(), e.getMessage());
            }
            before.assertUnchanged(State.of(target), c.getValue());
        }
        try (Checkpoint checkpoint = Checkpoint.load(damaged(file, "noScheduler", j -> j.put("scheduler", null), Map.of()))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> checkpoint.restore(target.model(), target.adam(), target.steps()));
            assertContains(e.getMessage(), "it holds no scheduler's state but a scheduler was given");
            before.assertUnchanged(State.of(target), "a scheduler for a checkpoint without one");
            checkpoint.restore(target.model(), target.adam(), null);
        }
        Run reference = Run.trained(1, 4);
        assertArrayEquals(reference.model().parameters().get(1).toFloatArray(),
                target.model().parameters().get(1).toFloatArray(), "restored without a scheduler");
    }
}
