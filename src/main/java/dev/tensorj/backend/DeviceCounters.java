package dev.tensorj.backend;

import dev.tensorj.Device;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Always-on, per-device counts of what ran there: ops dispatched, kernel launches, matmul FLOPs,
 * allocations, and bytes copied host→device and device→host. {@link CountingBackend} is the only
 * writer; {@code dev.tensorj.Counters} is the public reader. LongAdders keep the cost of a count
 * to a few nanoseconds even when several threads run ops.
 */
public final class DeviceCounters {
    private static final ConcurrentHashMap<Device, DeviceCounters> ALL = new ConcurrentHashMap<>();

    final LongAdder ops = new LongAdder();
    final LongAdder launches = new LongAdder();
    final LongAdder flops = new LongAdder();
    final LongAdder allocations = new LongAdder();
    final LongAdder bytesAllocated = new LongAdder();
    final LongAdder bytesHostToDevice = new LongAdder();
    final LongAdder bytesDeviceToHost = new LongAdder();

    private DeviceCounters() {}

    public static DeviceCounters of(Device device) {
        return ALL.computeIfAbsent(device, d -> new DeviceCounters());
    }

    /** The devices that have counted anything, or were asked for. */
    public static java.util.Set<Device> devices() {
        return java.util.Set.copyOf(ALL.keySet());
    }

    public long ops() {
        return ops.sum();
    }

    public long launches() {
        return launches.sum();
    }

    public long flops() {
        return flops.sum();
    }

    public long allocations() {
        return allocations.sum();
    }

    public long bytesAllocated() {
        return bytesAllocated.sum();
    }

    public long bytesHostToDevice() {
        return bytesHostToDevice.sum();
    }

    public long bytesDeviceToHost() {
        return bytesDeviceToHost.sum();
    }

    /** Zeroes every counter of every device. */
    public static void resetAll() {
        for (DeviceCounters c : ALL.values()) {
            c.ops.reset();
            c.launches.reset();
            c.flops.reset();
            c.allocations.reset();
            c.bytesAllocated.reset();
            c.bytesHostToDevice.reset();
            c.bytesDeviceToHost.reset();
        }
    }
}
