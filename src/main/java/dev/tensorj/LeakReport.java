package dev.tensorj;

import java.util.List;

/**
 * Finds tensors that are never closed. While enabled ({@link #setEnabled} or
 * {@code -Dtensorj.leakReport=true}), each allocation remembers its stack until {@code close()}
 * frees it; one collected by the garbage collector without {@code close()} is logged as a WARN with
 * that stack, and {@link #live()} lists those still open. A debugging mode: it captures a stack per
 * allocation.
 */
public final class LeakReport {

    /**
     * A tracked allocation: what it was ({@code numel} elements of {@code dtype} on {@code device})
     * and the stack that made it (tensorj's own frames dropped).
     */
    public record Allocation(long id, Device device, DType dtype, long numel, String thread,
                             StackTraceElement[] stack) {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("tensor storage #").append(id).append(": ").append(numel)
                    .append(' ').append(dtype).append(" elements on ").append(device).append(", allocated on thread '").append(thread)
                    .append("' at");
            for (StackTraceElement e : stack) {
                sb.append("\n    at ").append(e);
            }
            return sb.toString();
        }
    }

    private LeakReport() {}

    public static void setEnabled(boolean on) {
        LeakTracker.setEnabled(on);
    }

    public static boolean isEnabled() {
        return LeakTracker.isEnabled();
    }

    /** Allocations made while enabled that are neither closed nor collected yet, oldest first. */
    public static List<Allocation> live() {
        return LeakTracker.live();
    }

    /** How many tracked tensors were garbage collected without {@code close()} so far. */
    public static long leakedCount() {
        return LeakTracker.leakedCount();
    }

    /** How many of {@link #live()} are on {@code device}. */
    public static long liveCount(Device device) {
        return live().stream().filter(a -> a.device().equals(device)).count();
    }
}
