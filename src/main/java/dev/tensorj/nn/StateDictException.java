package dev.tensorj.nn;

import java.util.List;

/**
 * A state dict that does not fit a module, from {@link Module#loadStateDict(java.util.Map, boolean)}:
 * the keys the module has and the dict lacks (only when strict), the keys the dict has and the module
 * lacks (only when strict), and the entries that cannot be loaded (a shape mismatch, a null, closed
 * or meta tensor), all listed in one message as PyTorch's
 * {@code Error(s) in loading state_dict for Net: ...}. When it is thrown the module is unchanged.
 */
public final class StateDictException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final List<String> missingKeys;
    private final List<String> unexpectedKeys;
    private final List<String> mismatches;

    StateDictException(String module, List<String> missingKeys, List<String> unexpectedKeys, List<String> mismatches) {
        super(message(module, missingKeys, unexpectedKeys, mismatches));
        this.missingKeys = List.copyOf(missingKeys);
        this.unexpectedKeys = List.copyOf(unexpectedKeys);
        this.mismatches = List.copyOf(mismatches);
    }

    private static String message(String module, List<String> missing, List<String> unexpected, List<String> bad) {
        StringBuilder sb = new StringBuilder("Error(s) in loading state_dict for ").append(module).append(':');
        if (!missing.isEmpty()) {
            sb.append("\n\tMissing key(s) in state_dict: ").append(quoted(missing)).append('.');
        }
        if (!unexpected.isEmpty()) {
            sb.append("\n\tUnexpected key(s) in state_dict: ").append(quoted(unexpected)).append('.');
        }
        bad.forEach(m -> sb.append("\n\t").append(m));
        return sb.toString();
    }

    private static String quoted(List<String> keys) {
        return "\"" + String.join("\", \"", keys) + "\"";
    }

    /** The module's keys the state dict lacks (empty unless the load was strict). */
    public List<String> missingKeys() {
        return missingKeys;
    }

    /** The state dict's keys the module lacks (empty unless the load was strict). */
    public List<String> unexpectedKeys() {
        return unexpectedKeys;
    }

    /** One line per entry that cannot be loaded, such as {@code size mismatch for 0.weight: ...}. */
    public List<String> mismatches() {
        return mismatches;
    }
}
