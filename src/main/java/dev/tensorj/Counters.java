package dev.tensorj;


/**
 * Per-device counters of what tensorj ran, always on: ops dispatched (each call through the device
 * check, including the ops inside backward rules), kernel launches, matmul FLOPs, allocations and
 * bytes copied between host and device. Made for assertions in tests:
 * <pre>{@code
 * Counters.Snapshot before = Counters.snapshot(Device.cuda(0));
 * trainOneStep();
 * Counters.Snapshot step = Counters.snapshot(Device.cuda(0)).minus(before);
 * assertEquals(0, Counters.snapshot(Device.CPU).minus(cpuBefore).flops());
 * }</pre>
 * Counting costs no atomic operation (each thread counts into its own cells): counts are exact
 * for the calling thread's work, and include other threads' work once it is visible to the
 * caller, e.g. after {@code Thread.join} or {@code Future.get}.
 */
public final class Counters {
    private Counters() {}

    /** The counts of one device at one moment (or the difference of two moments). */
    public record Snapshot(Device device, long ops, long launches, long flops, long allocations, long bytesAllocated,
                           long bytesHostToDevice, long bytesDeviceToHost) {

        /** What happened between {@code earlier} and this snapshot. */
        public Snapshot minus(Snapshot earlier) {
            if (!device.equals(earlier.device)) {
                throw new IllegalArgumentException("snapshots of different devices: " + device + " and "
                        + earlier.device);
            }
            return new Snapshot(device, ops - earlier.ops, launches - earlier.launches, flops - earlier.flops,
                    allocations - earlier.allocations, bytesAllocated - earlier.bytesAllocated,
                    bytesHostToDevice - earlier.bytesHostToDevice, bytesDeviceToHost - earlier.bytesDeviceToHost);
        }
    }

    /** The current counts of {@code device} (all zero if nothing ran there). */
    public static Snapshot snapshot(Device device) {
        long[] s = DeviceCounters.of(device).snapshot();
        return new Snapshot(device, s[0], s[1], s[2], s[3], s[4], s[5], s[6]);
    }

    /** Zeroes the counters of every device. */
    public static void reset() {
        DeviceCounters.resetAll();
    }

    /**
     * The devices that have counters: every device anything was counted on so far (cpu, meta, each
     * cuda:N used), so that "nothing ran elsewhere" can be checked over all of them.
     */
    public static java.util.Set<Device> devices() {
        return DeviceCounters.devices();
    }
}
