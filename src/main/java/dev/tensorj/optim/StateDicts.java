package dev.tensorj.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reading the schedulers' state dicts back: each method names the scheduler and the key in its
 * IllegalArgumentException, so a wrong or damaged map is rejected before anything is changed.
 */
final class StateDicts {
    private StateDicts() {
    }

    /** Checks that {@code state} holds exactly {@code keys}. */
    static void checkKeys(String owner, Map<String, ?> state, Set<String> keys) {
        for (String k : keys) {
            if (!state.containsKey(k)) {
                throw error(owner, "missing key " + k + " (expected " + keys + ")");
            }
        }
        for (String k : state.keySet()) {
            if (!keys.contains(k)) {
                throw error(owner, "unexpected key " + k + " (expected " + keys + ")");
            }
        }
    }

    static int intValue(String owner, Map<String, ?> state, String key) {
        if (state.get(key) instanceof Integer i) {
            return i;
        }
        throw error(owner, key + " must be an Integer, got " + state.get(key));
    }

    static double doubleValue(String owner, Map<String, ?> state, String key) {
        if (state.get(key) instanceof Double d) {
            return d;
        }
        throw error(owner, key + " must be a Double, got " + state.get(key));
    }

    /** A List of {@code size} Doubles (one per parameter group) as an array. */
    static double[] doubles(String owner, Map<String, ?> state, String key, int size) {
        if (state.get(key) instanceof List<?> list && list.size() == size
                && list.stream().allMatch(v -> v instanceof Double)) {
            return list.stream().mapToDouble(v -> (Double) v).toArray();
        }
        throw error(owner, key + " must be a List of " + size + " Double (one per parameter group), got "
                + state.get(key));
    }

    /** A List of {@code size} nested state dicts (a combined scheduler's {@code _schedulers}). */
    @SuppressWarnings("unchecked")
    static List<Map<String, ?>> maps(String owner, Map<String, ?> state, String key, int size) {
        if (state.get(key) instanceof List<?> list && list.size() == size
                && list.stream().allMatch(m -> m instanceof Map)) {
            return new ArrayList<>((List<Map<String, ?>>) list);
        }
        throw error(owner, key + " must be a List of " + size + " state dicts, got " + state.get(key));
    }

    private static IllegalArgumentException error(String owner, String message) {
        return new IllegalArgumentException(owner + ".loadStateDict: " + message);
    }
}
