package dev.tensorj.junit;

import dev.tensorj.Counters;
import dev.tensorj.Device;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.function.Executable;

/**
 * What a block of code did on each device, read from {@link Counters}, with assertions on it:
 * <pre>{@code
 * Placement.of(() -> trainOneStep(model, batch))
 *         .assertRanOnlyOn(Device.cuda(0))                     // no FLOP on any other device
 *         .assertHostDeviceBytesAtMost(Device.cuda(0), 4)      // only the loss comes back
 *         .assertLaunchesAtMost(Device.cuda(0), 40)
 *         .assertBytesAllocatedAtMost(Device.cuda(0), 1 << 20);
 * }</pre>
 * The counts are those of the calling thread, and of other threads once their work is visible to it
 * (after a join or a future's get), as {@link Counters} documents; work of unrelated threads running
 * at the same time counts too. A failure shows the counts of every device that did anything.
 */
public final class Placement {
    private final Map<Device, Counters.Snapshot> counts;

    private Placement(Map<Device, Counters.Snapshot> counts) {
        this.counts = counts;
    }

    /**
     * Runs {@code block} and records what it did on each device. What the block throws is thrown
     * on, unchanged.
     */
    public static Placement of(Executable block) {
        Map<Device, Counters.Snapshot> before = snapshots(Counters.devices());
        Throwables.run(block);
        Set<Device> devices = new LinkedHashSet<>(before.keySet());
        devices.addAll(Counters.devices());
        Map<Device, Counters.Snapshot> after = snapshots(devices);
        Map<Device, Counters.Snapshot> diff = new TreeMap<>(DEVICE_ORDER);
        after.forEach((d, s) -> diff.put(d, s.minus(before.getOrDefault(d, zero(d)))));
        return new Placement(diff);
    }

    /** What the block did on {@code device} (all zero where it did nothing). */
    public Counters.Snapshot on(Device device) {
        return counts.getOrDefault(device, zero(device));
    }

    /**
     * Asserts that the block's computation ran entirely on {@code device}: no other device counted a
     * FLOP (matrix products, which are where a model's work is). Creating inputs on the host and
     * moving them is allowed; {@link #assertOpsOnlyOn} forbids that too.
     *
     * @return this, for further assertions
     */
    public Placement assertRanOnlyOn(Device device) {
        for (Counters.Snapshot s : counts.values()) {
            if (!s.device().equals(device) && s.flops() != 0) {
                Assertions.fail("expected the block to run only on " + device + ", but " + s.device() + " counted "
                        + s.flops() + " FLOP(s); " + this);
            }
        }
        return this;
    }

    /**
     * Asserts that no device but {@code device} counted an op, a kernel launch or a FLOP: nothing at
     * all, not even creating a tensor, happened elsewhere. (Copies into {@code device} from the host
     * count on {@code device}, as host→device bytes; see {@link #assertHostDeviceBytesAtMost}.)
     *
     * @return this, for further assertions
     */
    public Placement assertOpsOnlyOn(Device device) {
        for (Counters.Snapshot s : counts.values()) {
            if (!s.device().equals(device) && (s.ops() != 0 || s.launches() != 0 || s.flops() != 0)) {
                Assertions.fail("expected every op of the block on " + device + ", but " + s.device() + " counted "
                        + s.ops() + " op(s), " + s.launches() + " launch(es) and " + s.flops() + " FLOP(s); " + this);
            }
        }
        return this;
    }

    /**
     * Asserts that at most {@code maxBytes} crossed between the host and {@code device}, both
     * directions together.
     *
     * @return this, for further assertions
     */
    public Placement assertHostDeviceBytesAtMost(Device device, long maxBytes) {
        Counters.Snapshot s = on(device);
        return check(s.bytesHostToDevice() + s.bytesDeviceToHost(), maxBytes, "bytes between the host and " + device
                + " (" + s.bytesHostToDevice() + " host→device, " + s.bytesDeviceToHost() + " device→host)");
    }

    /**
     * Asserts that the block launched at most {@code maxLaunches} kernels on {@code device}.
     *
     * @return this, for further assertions
     */
    public Placement assertLaunchesAtMost(Device device, long maxLaunches) {
        return check(on(device).launches(), maxLaunches, "kernel launches on " + device);
    }

    /**
     * Asserts that the block allocated at most {@code maxBytes} of tensor storage on {@code device}
     * (the storages' own sizes, whether or not they are still live).
     *
     * @return this, for further assertions
     */
    public Placement assertBytesAllocatedAtMost(Device device, long maxBytes) {
        Counters.Snapshot s = on(device);
        return check(s.bytesAllocated(), maxBytes, "bytes allocated on " + device + " (in " + s.allocations()
                + " allocation(s))");
    }

    private Placement check(long actual, long max, String what) {
        if (actual > max) {
            Assertions.fail("expected at most " + max + " " + what + ", got " + actual + "; " + this);
        }
        return this;
    }

    /** The counts of each device that did anything, one line each. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("the block's counts:");
        boolean any = false;
        for (Counters.Snapshot s : counts.values()) {
            if (s.ops() == 0 && s.launches() == 0 && s.flops() == 0 && s.allocations() == 0
                    && s.bytesHostToDevice() == 0 && s.bytesDeviceToHost() == 0) {
                continue;
            }
            any = true;
            sb.append("\n  ").append(s.device()).append(": ").append(s.ops()).append(" ops, ").append(s.launches())
                    .append(" launches, ").append(s.flops()).append(" FLOPs, ").append(s.allocations())
                    .append(" allocations (").append(s.bytesAllocated()).append(" bytes), ")
                    .append(s.bytesHostToDevice()).append(" bytes host→device, ").append(s.bytesDeviceToHost())
                    .append(" bytes device→host");
        }
        return any ? sb.toString() : sb.append(" nothing on any device").toString();
    }

    private static final Comparator<Device> DEVICE_ORDER =
            Comparator.comparing(Device::type).thenComparingInt(Device::index);

    private static Map<Device, Counters.Snapshot> snapshots(Set<Device> devices) {
        Map<Device, Counters.Snapshot> out = new TreeMap<>(DEVICE_ORDER);
        for (Device d : devices) {
            out.put(d, Counters.snapshot(d));
        }
        return out;
    }

    private static Counters.Snapshot zero(Device d) {
        return new Counters.Snapshot(d, 0, 0, 0, 0, 0, 0, 0);
    }
}
