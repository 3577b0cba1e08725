package dev.tensorj;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Always-on, per-device counts of what ran there: ops dispatched, kernel launches, matmul FLOPs,
 * allocations, and bytes copied host→device and device→host. {@link DeviceBackend} is the only
 * writer; {@code dev.tensorj.Counters} is the public reader.
 *
 * <p>Why not one atomic per count: a small training step makes about sixty counts, and an
 * uncontended compare-and-swap each cost 3-5% of an S2 step (measured). Instead every thread
 * counts into its own {@link Cell} with plain additions, and a reader sums the cells. The device's
 * usual thread (its owner) finds its cell through one plain field compare; other threads through a
 * ThreadLocal, a few loads more. Counts are exact for the thread that did the work, and for other
 * threads once their work is visible to the reader (after a join, a future's get, or any other
 * happens-before).
 */
final class DeviceCounters {
    private static final ConcurrentHashMap<Device, DeviceCounters> ALL = new ConcurrentHashMap<>();

    /** One thread's counts for one device; only that thread writes it. */
    static final class Cell {
        long ops;
        long launches;
        long flops;
        long allocations;
        long bytesAllocated;
        long bytesHostToDevice;
        long bytesDeviceToHost;
    }

    private final CopyOnWriteArrayList<Cell> cells = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Cell> threadCell = ThreadLocal.withInitial(this::firstCell);
    // The owner and its cell: plain fields, written under the lock and read without it. A thread
    // reads `owner == itself` only if it stored itself there (after its cell), so the owner's check
    // needs no volatile read; any other thread, whatever value it reads, goes to its ThreadLocal.
    private Thread owner;
    private Cell ownerCell;
    private volatile long[] baseline = new long[7]; // what reset() subtracts

    private DeviceCounters() {}

    static DeviceCounters of(Device device) {
        return ALL.computeIfAbsent(device, d -> new DeviceCounters());
    }

    /** The calling thread's cell: a field compare for the owner, a ThreadLocal for other threads. */
    Cell cell() {
        Thread t = Thread.currentThread();
        return t == owner ? ownerCell : threadCell.get();
    }

    /**
     * A thread's first count on this device. It becomes the owner when there is none or the owner
     * has ended (the thread that made the first tensors, e.g. a loader or a test's thread, may not
     * be the one that trains), so that the thread doing the work takes the fast path.
     */
    private synchronized Cell firstCell() {
        Cell c = newCell();
        if (owner == null || !owner.isAlive()) {
            ownerCell = c;
            owner = Thread.currentThread();
        }
        return c;
    }

    private Cell newCell() {
        Cell c = new Cell();
        cells.add(c);
        return c;
    }

    private long[] sums() {
        long[] s = new long[7];
        for (Cell c : cells) {
            s[0] += c.ops;
            s[1] += c.launches;
            s[2] += c.flops;
            s[3] += c.allocations;
            s[4] += c.bytesAllocated;
            s[5] += c.bytesHostToDevice;
            s[6] += c.bytesDeviceToHost;
        }
        long[] b = baseline;
        for (int i = 0; i < s.length; i++) {
            s[i] -= b[i];
        }
        return s;
    }

    /** {ops, launches, flops, allocations, bytesAllocated, bytesHostToDevice, bytesDeviceToHost}. */
    long[] snapshot() {
        return sums();
    }

    /** The devices with counters so far (a copy). */
    static java.util.Set<Device> devices() {
        return java.util.Set.copyOf(ALL.keySet());
    }

    /** Zeroes every counter of every device (by moving the baseline: writers are never disturbed). */
    static void resetAll() {
        for (DeviceCounters c : ALL.values()) {
            synchronized (c) {
                long[] raw = c.sums();
                long[] b = c.baseline.clone();
                for (int i = 0; i < raw.length; i++) {
                    b[i] += raw[i];
                }
                c.baseline = b;
            }
        }
    }
}
