package dev.tensorj.optim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tensorj.NoGrad;
import dev.tensorj.Safetensors;
import dev.tensorj.Tensor;
import dev.tensorj.nn.Module;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A training checkpoint in ONE safetensors file, so that training resumed from it is bit-identical
 * on the CPU to training that never stopped: the model's tensors under {@code model.<name>} (its
 * {@link Module#stateDict()}), the optimizer's state tensors under {@code optim.<i>.<name>}
 * ({@code i} the parameter index of {@link Optimizer#stateDict()}), and everything else as JSON
 * under the metadata key {@value #KEY}: the optimizer's step counts and parameter groups, the
 * scheduler's state dict (any {@link Scheduler}: an {@link LRScheduler} or {@link ReduceLROnPlateau}), the epoch, the global generator's state ({@link Tensor#getRngState()})
 * and the caller's {@code extra} strings. PyTorch has no such class (a checkpoint there is a
 * {@code torch.save} of a dict of state dicts); the file is plain safetensors, so the model's
 * weights can be read by any safetensors reader (with the {@code model.} prefix).
 *
 * <pre>{@code
 * Checkpoint.save(path, model, optimizer, scheduler, epoch, Map.of("note", "after warm-up"));
 * // later, with a fresh model, optimizer and scheduler built the same way:
 * try (Checkpoint c = Checkpoint.load(path)) {
 *     c.restore(model, optimizer, scheduler);
 *     startEpoch = c.epoch() + 1;
 * }
 * }</pre>
 */
public final class Checkpoint implements AutoCloseable {
    /** The metadata key holding the checkpoint's JSON. */
    public static final String KEY = "tensorj.checkpoint";
    private static final int VERSION = 1;
    private static final String MODEL = "model.";
    private static final String OPTIM = "optim.";
    /** Infinity and NaN (a plateau scheduler's initial best) are written and read as bare tokens, as Python's json does. */
    private static final JsonMapper JSON = JsonMapper.builder()
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private final Path path;
    private final Map<String, Tensor> tensors;
    private final Map<String, Object> json;

    private Checkpoint(Path path, Map<String, Tensor> tensors, Map<String, Object> json) {
        this.path = path;
        this.tensors = tensors;
        this.json = json;
    }

    /**
     * Writes a checkpoint of {@code model}, {@code optimizer}, {@code scheduler} (null when there is
     * none), {@code epoch} (the last finished epoch, as the caller counts) and the global generator's
     * state to {@code path}, replacing the file.
     *
     * @throws IOException if the file cannot be written
     * @throws dev.tensorj.TensorClosedException if a parameter, buffer or state tensor is closed
     */
    public static void save(Path path, Module model, Optimizer optimizer, Scheduler scheduler, int epoch,
            Map<String, String> extra) throws IOException {
        Objects.requireNonNull(path, "Checkpoint.save: path is null");
        Objects.requireNonNull(model, "Checkpoint.save: model is null");
        Objects.requireNonNull(optimizer, "Checkpoint.save: optimizer is null");
        Objects.requireNonNull(extra, "Checkpoint.save: extra is null");
        Map<String, Tensor> out = new LinkedHashMap<>();
        model.stateDict().forEach((name, t) -> out.put(MODEL + name, t));
        Map<String, Object> optim = optimizer.stateDict();
        Map<String, Object> counters = new LinkedHashMap<>();
        ((Map<?, ?>) optim.get("state")).forEach((i, s) -> {
            Map<String, Object> rest = new LinkedHashMap<>();
            ((Map<?, ?>) s).forEach((name, v) -> {
                if (v instanceof Tensor t) {
                    out.put(OPTIM + i + "." + name, t);
                } else {
                    rest.put((String) name, v);
                }
            });
            counters.put(String.valueOf(i), rest);
        });
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", VERSION);
        json.put("epoch", epoch);
        json.put("rng_state", Tensor.getRngState());
        json.put("optimizer", Map.of("state", counters, "param_groups", optim.get("param_groups")));
        json.put("scheduler", scheduler == null ? null : scheduler.stateDict());
        json.put("extra", extra);
        Safetensors.save(out, path, Map.of(KEY, JSON.writeValueAsString(json)));
    }

    /**
     * Reads a checkpoint written by {@link #save}: the tensors on the cpu and the checked JSON.
     * Nothing is restored until {@link #restore}; close the checkpoint to release its tensors.
     *
     * @throws dev.tensorj.SafetensorsException if the file is not a valid safetensors file
     * @throws IllegalArgumentException naming the file if it is not a tensorj checkpoint (no
     *     {@value #KEY} metadata, invalid JSON, another version, or missing entries)
     * @throws IOException if the file cannot be read
     */
    public static Checkpoint load(Path path) throws IOException {
        Objects.requireNonNull(path, "Checkpoint.load: path is null");
        String text = Safetensors.metadata(path).get(KEY);
        if (text == null) {
            throw error(path, "no " + KEY + " metadata: not a checkpoint written by Checkpoint.save");
        }
        Map<String, Object> json;
        try {
            json = JSON.readValue(text, new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (JsonProcessingException e) {
            throw error(path, "invalid JSON in the " + KEY + " metadata: " + e.getOriginalMessage());
        }
        if (!Integer.valueOf(VERSION).equals(json.get("version"))) {
            throw error(path, "version " + json.get("version") + ", expected " + VERSION);
        }
        for (String key : List.of("epoch", "rng_state", "optimizer", "scheduler", "extra")) {
            if (!json.containsKey(key)) {
                throw error(path, "missing entry " + key);
            }
        }
        if (!(json.get("epoch") instanceof Integer)) {
            throw error(path, "epoch must be an int, got " + json.get("epoch"));
        }
        if (!(json.get("extra") instanceof Map<?, ?> extra) || !extra.values().stream().allMatch(v -> v instanceof String)) {
            throw error(path, "extra must map names to strings, got " + json.get("extra"));
        }
        if (!(json.get("optimizer") instanceof Map<?, ?> optim) || !(optim.get("state") instanceof Map)) {
            throw error(path, "optimizer must hold a state map, got " + json.get("optimizer"));
        }
        rngState(path, json);
        Map<String, Tensor> tensors = Safetensors.load(path);
        return new Checkpoint(path, tensors, json);
    }

    /** The epoch given to {@link #save}. */
    public int epoch() {
        return (Integer) json.get("epoch");
    }

    /** The {@code extra} strings given to {@link #save}, unmodifiable. */
    @SuppressWarnings("unchecked")
    public Map<String, String> extra() {
        return Collections.unmodifiableMap((Map<String, String>) json.get("extra"));
    }

    /**
     * Restores everything into {@code model}, {@code optimizer} and {@code scheduler} (null exactly
     * when the checkpoint was saved without one) and sets the global generator to its saved state,
     * so that the next draws are those that followed {@link #save}. The model's tensors are loaded
     * strictly onto its own device and dtype ({@link Module#loadStateDict(Map)}), the optimizer's
     * onto each parameter's device ({@link Optimizer#loadStateDict}). All or nothing: when any part
     * is rejected, the parts restored before it are put back as they were (from copies taken
     * first), so the model, optimizer, scheduler and generator are unchanged.
     *
     * @throws dev.tensorj.nn.StateDictException if the model's keys or shapes do not match
     * @throws IllegalArgumentException if the optimizer's or scheduler's state does not match
     *     (another kind, other options, another number of parameters or shapes), or a scheduler is
     *     given for a checkpoint without one or none for one with one
     */
    public void restore(Module model, Optimizer optimizer, Scheduler scheduler) {
        Objects.requireNonNull(model, "Checkpoint.restore: model is null");
        Objects.requireNonNull(optimizer, "Checkpoint.restore: optimizer is null");
        Object schedulerState = json.get("scheduler");
        if ((scheduler == null) != (schedulerState == null)) {
            throw error(path, scheduler == null ? "it holds a scheduler's state but no scheduler was given"
                    : "it holds no scheduler's state but a scheduler was given");
        }
        Map<String, Tensor> modelState = new LinkedHashMap<>();
        tensors.forEach((name, t) -> {
            if (name.startsWith(MODEL)) {
                modelState.put(name.substring(MODEL.length()), t);
            }
        });
        Map<String, Object> optimState = optimizerState();
        long[] rng = rngState(path, json);

        Map<String, Tensor> modelBefore = new LinkedHashMap<>();
        Map<String, Object> optimBefore = null;
        Map<String, Object> schedulerBefore = scheduler == null ? null : scheduler.stateDict();
        try (NoGrad g = NoGrad.enter()) {
            model.stateDict().forEach((name, t) -> modelBefore.put(name, t.clone()));
            optimBefore = copyTensors(optimizer.stateDict());
            model.loadStateDict(modelState);
            optimizer.loadStateDict(optimState);
            if (scheduler != null) {
                @SuppressWarnings("unchecked")
                Map<String, ?> s = (Map<String, ?>) schedulerState;
                scheduler.loadStateDict(s);
            }
        } catch (RuntimeException | Error e) {
            if (optimBefore != null) {
                model.loadStateDict(modelBefore);
                optimizer.loadStateDict(optimBefore);
                if (scheduler != null) {
                    scheduler.loadStateDict(schedulerBefore);
                }
            }
            throw e;
        } finally {
            modelBefore.values().forEach(Tensor::close);
            if (optimBefore != null) {
                closeTensors(optimBefore);
            }
        }
        Tensor.setRngState(rng);
    }

    /** The optimizer's state dict from the JSON counters and the {@code optim.<i>.<name>} tensors. */
    private Map<String, Object> optimizerState() {
        Map<?, ?> optim = (Map<?, ?>) json.get("optimizer");
        Map<Integer, Map<String, Object>> state = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) optim.get("state")).entrySet()) {
            int i;
            try {
                i = Integer.parseInt((String) e.getKey());
            } catch (NumberFormatException ex) {
                throw error(path, "optimizer state key " + e.getKey() + " is not a parameter index");
            }
            Map<String, Object> s = new LinkedHashMap<>();
            if (e.getValue() instanceof Map<?, ?> counters) {
                counters.forEach((k, v) -> s.put((String) k, v instanceof Integer n ? Long.valueOf(n) : v));
            }
            state.put(i, s);
        }
        tensors.forEach((name, t) -> {
            if (name.startsWith(OPTIM)) {
                String rest = name.substring(OPTIM.length());
                int dot = rest.indexOf('.');
                int i;
                try {
                    i = Integer.parseInt(dot < 0 ? rest : rest.substring(0, dot));
                } catch (NumberFormatException ex) {
                    throw error(path, "tensor " + name + " does not name a parameter index");
                }
                state.computeIfAbsent(i, k -> new LinkedHashMap<>()).put(rest.substring(dot + 1), t);
            } else if (!name.startsWith(MODEL)) {
                throw error(path, "unexpected tensor " + name + " (neither model. nor optim.)");
            }
        });
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("state", state);
        out.put("param_groups", optim.get("param_groups"));
        return out;
    }

    private static long[] rngState(Path path, Map<String, Object> json) {
        if (json.get("rng_state") instanceof List<?> l && l.size() == 2
                && l.stream().allMatch(v -> v instanceof Integer || v instanceof Long)) {
            return new long[] {((Number) l.get(0)).longValue(), ((Number) l.get(1)).longValue()};
        }
        throw error(path, "rng_state must be [seed, offset], got " + json.get("rng_state"));
    }

    /** A state dict with each tensor replaced by a copy, the backup that {@link #restore} puts back on failure. */
    private static Map<String, Object> copyTensors(Map<String, Object> stateDict) {
        Map<Integer, Map<String, Object>> state = new LinkedHashMap<>();
        List<Tensor> made = new ArrayList<>();
        try {
            ((Map<?, ?>) stateDict.get("state")).forEach((i, s) -> {
                Map<String, Object> copy = new LinkedHashMap<>();
                ((Map<?, ?>) s).forEach((name, v) -> {
                    if (v instanceof Tensor t) {
                        Tensor c = t.clone();
                        made.add(c);
                        copy.put((String) name, c);
                    } else {
                        copy.put((String) name, v);
                    }
                });
                state.put((Integer) i, copy);
            });
        } catch (RuntimeException | Error e) {
            made.forEach(Tensor::close);
            throw e;
        }
        Map<String, Object> out = new LinkedHashMap<>(stateDict);
        out.put("state", state);
        return out;
    }

    private static void closeTensors(Map<String, Object> stateDict) {
        ((Map<?, ?>) stateDict.get("state")).values()
                .forEach(s -> ((Map<?, ?>) s).values().forEach(v -> {
                    if (v instanceof Tensor t) {
                        t.close();
                    }
                }));
    }

    private static IllegalArgumentException error(Path path, String message) {
        return new IllegalArgumentException("Checkpoint " + path + ": " + message);
    }

    /** Releases the checkpoint's tensors (restored models and optimizers hold copies of their own). */
    @Override
    public void close() {
        tensors.values().forEach(Tensor::close);
    }
}
