package dev.tensorj.nn;

import java.util.List;

/**
 * What a non-strict {@link Module#loadStateDict(java.util.Map, boolean)} left aside, as PyTorch's
 * {@code load_state_dict} result {@code (missing_keys, unexpected_keys)}; both are empty after a
 * strict load.
 *
 * @param missingKeys the module's keys the state dict lacks (left as they were)
 * @param unexpectedKeys the state dict's keys the module lacks (ignored)
 */
public record IncompatibleKeys(List<String> missingKeys, List<String> unexpectedKeys) {
    /** Both lists, copied. */
    public IncompatibleKeys {
        missingKeys = List.copyOf(missingKeys);
        unexpectedKeys = List.copyOf(unexpectedKeys);
    }
}
