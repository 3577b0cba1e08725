package dev.tensorj.junit;

import dev.tensorj.Counters;
import dev.tensorj.Cuda;
import dev.tensorj.Device;
import dev.tensorj.LeakReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assertions;

/**
 * The checks behind {@link LeakCheck}, for use inside a test: a {@link Baseline} taken before some
 * work and verified after it, and the settled bytes of a CUDA device's pool. "Settled" means after
 * the garbage collector has returned the blocks of unreachable tensors (through their cleaners),
 * which takes a few collections: read before that, a pool's level is too high.
 */
public final class Leaks {
    /** How long a check waits for collections to return memory before it reports a leak. */
    private static final long WAIT_MILLIS = 10_000;
    /** Polls without any change after which the memory is taken as settled. */
    private static final int QUIET_POLLS = 3;

    private Leaks() {}

    /**
     * What was live before some work: the leak report's last allocation and each used CUDA
     * device's settled pool bytes. {@link #verify()} then fails if the work left more.
     */
    public static final class Baseline {
        private final boolean tensors;
        private final boolean reportWasOn;
        private final long lastAllocation;
        private final Map<Device, Long> pools;

        private Baseline(boolean tensors, boolean reportWasOn, long lastAllocation, Map<Device, Long> pools) {
            this.tensors = tensors;
            this.reportWasOn = reportWasOn;
            this.lastAllocation = lastAllocation;
            this.pools = pools;
        }

        /**
         * Settles the CUDA pools and records them; with {@code tensors}, turns the leak report on
         * (until {@link #verify()}) so that every tensor allocated from now on is tracked.
         */
        public static Baseline take(boolean tensors) {
            Map<Device, Long> pools = settledPools();
            boolean wasOn = LeakReport.isEnabled();
            long last = 0;
            if (tensors) {
                LeakReport.setEnabled(true);
                last = LeakReport.live().stream().mapToLong(LeakReport.Allocation::id).max().orElse(0);
            }
            return new Baseline(tensors, wasOn, last, pools);
        }

        /**
         * Waits (collecting garbage, up to about 10 s) until no tensor allocated since
         * {@link #take} is live and no CUDA pool holds more bytes than it did then, and fails
         * with what is left otherwise. Turns the leak report off again if {@link #take} turned it on.
         *
         * @throws org.opentest4j.AssertionFailedError naming each live tensor with its allocation
         *     stack, and each pool's bytes before and after
         */
        public void verify() {
            try {
                String leak = waitForLeaks();
                if (leak != null) {
                    Assertions.fail(leak);
                }
            } finally {
                if (tensors && !reportWasOn) {
                    LeakReport.setEnabled(false);
                }
            }
        }

        /** The description of what is still leaked once collections stop changing anything, or null. */
        private String waitForLeaks() {
            long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000;
            String last = null;
            int quiet = 0;
            while (true) {
                String now = describeLeaks();
                if (now == null) {
                    return null;
                }
                quiet = now.equals(last) ? quiet + 1 : 0;
                if (quiet >= 5 * QUIET_POLLS || System.nanoTime() > deadline) {
                    return now;
                }
                last = now;
                collect();
            }
        }

        private String describeLeaks() {
            List<LeakReport.Allocation> live = tensors ? LeakReport.live().stream()
                    .filter(a -> a.id() > lastAllocation).collect(Collectors.toList()) : List.of();
            List<String> grown = new ArrayList<>();
            for (Map.Entry<Device, Long> e : cudaPools().entrySet()) {
                long before = pools.getOrDefault(e.getKey(), 0L);
                if (e.getValue() > before) {
                    grown.add(e.getKey() + "'s pool holds " + (e.getValue() - before) + " bytes more than before ("
                            + e.getValue() + ", was " + before + ")");
                }
            }
            if (live.isEmpty() && grown.isEmpty()) {
                return null;
            }
            StringBuilder sb = new StringBuilder("leak check: ");
            if (!live.isEmpty()) {
                sb.append(live.size()).append(" tensor(s) allocated since the baseline are still live after garbage "
                        + "collection (close them, or drop every reference to them)");
            }
            if (!grown.isEmpty()) {
                sb.append(live.isEmpty() ? "" : "; ").append(String.join("; ", grown));
            }
            for (LeakReport.Allocation a : live) {
                sb.append("\n  ").append(a.toString().replace("\n", "\n  "));
            }
            return sb.toString();
        }
    }

    /**
     * The bytes live tensors hold on the CUDA {@code device} once the garbage collector has
     * returned those of unreachable tensors (polled until they stop changing; at most about 10 s).
     *
     * @throws IllegalArgumentException if {@code device} is not a CUDA device
     */
    public static long settledPoolBytes(Device device) {
        long bytes = Cuda.memoryAllocated(device);
        long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000;
        for (int quiet = 0; quiet < QUIET_POLLS && System.nanoTime() < deadline; ) {
            collect();
            long now = Cuda.memoryAllocated(device);
            quiet = now == bytes ? quiet + 1 : 0;
            bytes = now;
        }
        return bytes;
    }

    /**
     * Waits (collecting garbage, at most about 10 s) until the pool of the CUDA {@code device} holds
     * {@code expected} bytes, and fails unless it does: every tensor dropped since was returned.
     *
     * @throws org.opentest4j.AssertionFailedError with both numbers when the pool does not come back
     */
    public static void assertPoolReturnsTo(Device device, long expected) {
        long bytes = Cuda.memoryAllocated(device);
        long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000;
        while (bytes != expected && System.nanoTime() < deadline) {
            collect();
            bytes = Cuda.memoryAllocated(device);
        }
        Assertions.assertEquals(expected, bytes, device + "'s pool did not return to its earlier bytes in use");
    }

    /** Each CUDA device in use, settled. */
    private static Map<Device, Long> settledPools() {
        Map<Device, Long> out = new TreeMap<>((a, b) -> Integer.compare(a.index(), b.index()));
        for (Device d : cudaPools().keySet()) {
            out.put(d, settledPoolBytes(d));
        }
        return out;
    }

    /** The bytes in use of each CUDA device that has counters (any device a tensor was placed on). */
    private static Map<Device, Long> cudaPools() {
        Map<Device, Long> out = new TreeMap<>((a, b) -> Integer.compare(a.index(), b.index()));
        for (Device d : Counters.devices()) {
            if (d.isCuda()) {
                out.put(d, Cuda.memoryAllocated(d));
            }
        }
        return out;
    }

    /** One collection, and a moment for the cleaners to return what it found. */
    private static void collect() {
        System.gc();
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
