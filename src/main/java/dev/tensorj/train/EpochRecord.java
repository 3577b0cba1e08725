package dev.tensorj.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One epoch of a {@link Progress} history.
 *
 * @param epoch the epoch's number, from 1 (or from {@link Progress#startingAt})
 * @param loss the mean loss per sample: each step's loss weighted by its batch size (NaN when the
 *     epoch had no step)
 * @param metrics the metrics given at the epoch's end, in their order (unmodifiable)
 * @param samples the samples seen in the epoch's steps
 * @param seconds the epoch's wall time, from its first step's start (or the previous epoch's end)
 * @param samplesPerSecond {@code samples / seconds} (0 when no time passed)
 */
public record EpochRecord(int epoch, double loss, Map<String, Double> metrics, long samples, double seconds,
        double samplesPerSecond) {
    /** Copies the metrics, keeping their order. */
    public EpochRecord {
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }
}
