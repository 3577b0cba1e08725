package dev.tensorj.backend.cpu;

import dev.tensorj.backend.ScalarType;
import java.util.Arrays;

/**
 * Free host arrays kept for reuse, by exact type and length, so that a training step stops
 * allocating (and the JVM stops zeroing) fresh arrays. An array comes here only from
 * {@link CpuStorage#free}, that is, when the last reference to its storage was released by an
 * explicit {@code close()}: no tensor can read it any more (a closed tensor throws on every use).
 * A storage the user merely drops is left to the garbage collector, as before.
 *
 * <p>Arrays handed out are dirty. {@link #take} is for kernels that write every element;
 * {@link #takeZeroed} for everything that relies on zeros. With
 * {@code -Dtensorj.cpu.pool.poison=true}, {@link #take} fills every array it hands out (fresh or
 * recycled) with NaN, {@link #POISON_LONG} or {@code true}, so a kernel that reads before it writes
 * shows up in the tests (the pom turns it on for the CPU test run).
 *
 * <p>Bounded: at most {@link #capBytes} bytes are kept ({@code -Dtensorj.cpu.pool.bytes}; default
 * the smaller of 256 MiB and a quarter of the maximum heap; 0 turns pooling off); an array that does
 * not fit goes to the garbage collector. Thread-safe: one lock guards the shelves and the counts.
 */
final class CpuArrayPool {
    /** What {@link #take} writes into each element of an int64 array in poison mode. */
    static final long POISON_LONG = 0x5A5A_5A5A_5A5A_5A5AL;

    static final CpuArrayPool SHARED = new CpuArrayPool(
            Long.getLong("tensorj.cpu.pool.bytes", Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 4)),
            Boolean.getBoolean("tensorj.cpu.pool.poison"));

    /**
     * The free arrays of one type and length, most recently returned on top. An empty shelf stays
     * in its slot and is taken over by the next (type, length) that lands there: a size that a step
     * takes and returns every time (its count going to 0 and back) allocates no shelf per step.
     */
    private static final class Shelf {
        ScalarType type;
        int length;
        Object[] arrays = new Object[4];
        int count;
        Shelf next; // the chain of one hash slot

        Shelf(ScalarType type, int length, Shelf next) {
            this.type = type;
            this.length = length;
            this.next = next;
        }
    }

    private long capBytes;
    private final boolean poison;
    /** Chained by hash of (type, length); an empty shelf is reused by the next size in its slot (see {@link Shelf}). */
    private final Shelf[] slots = new Shelf[256];
    private long keptBytes;
    private long reused;
    private long kept;
    private long dropped;

    CpuArrayPool(long capBytes, boolean poison) {
        this.capBytes = Math.max(0, capBytes);
        this.poison = poison;
    }

    /** A float32, int64 or bool array of {@code length} whose contents are unspecified (poisoned in poison mode). */
    Object take(ScalarType type, int length) {
        Object a = reuse(type, length);
        if (a == null) {
            a = fresh(type, length);
        }
        if (poison) {
            switch (type) {
                case F32: Arrays.fill((float[]) a, Float.NaN); break;
                case I64: Arrays.fill((long[]) a, POISON_LONG); break;
                default: Arrays.fill((boolean[]) a, true); break;
            }
        }
        return a;
    }

    /** As {@link #take}, every element 0 (false): a fresh array as the JVM made it, or a reused one cleared. */
    Object takeZeroed(ScalarType type, int length) {
        Object a = reuse(type, length);
        if (a == null) {
            return fresh(type, length);
        }
        switch (type) {
            case F32: Arrays.fill((float[]) a, 0f); break;
            case I64: Arrays.fill((long[]) a, 0L); break;
            default: Arrays.fill((boolean[]) a, false); break;
        }
        return a;
    }

    /** Keeps {@code array}, of {@code length} elements of {@code type}, unless that would pass the cap. */
    void give(ScalarType type, Object array, int length) {
        long bytes = (long) length * type.byteSize();
        if (length == 0) {
            return;
        }
        synchronized (this) {
            if (keptBytes + bytes > capBytes) {
                dropped++;
                return;
            }
            int slot = slot(type, length);
            Shelf s = find(slot, type, length);
            if (s == null) {
                s = emptyShelf(slot);
            }
            if (s == null) {
                s = slots[slot] = new Shelf(type, length, slots[slot]);
            }
            s.type = type;
            s.length = length;
            if (s.count == s.arrays.length) {
                s.arrays = Arrays.copyOf(s.arrays, 2 * s.count);
            }
            s.arrays[s.count++] = array;
            keptBytes += bytes;
            kept++;
        }
    }

    private synchronized Object reuse(ScalarType type, int length) {
        if (length == 0 || keptBytes == 0) {
            return null;
        }
        int slot = slot(type, length);
        Shelf s = find(slot, type, length);
        if (s == null || s.count == 0) {
            return null;
        }
        Object a = s.arrays[--s.count];
        s.arrays[s.count] = null;
        keptBytes -= (long) length * type.byteSize();
        reused++;
        return a;
    }

    /**
     * A new array; when the heap is full, the pool's arrays are let go and the allocation tried
     * once more, so pooling never makes an out-of-memory error that the collector alone would avoid.
     */
    private Object fresh(ScalarType type, int length) {
        try {
            return newArray(type, length);
        } catch (OutOfMemoryError e) {
            if (clear() == 0) {
                throw e;
            }
            return newArray(type, length);
        }
    }

    private static Object newArray(ScalarType type, int length) {
        switch (type) {
            case F32: return new float[length];
            case I64: return new long[length];
            case BOOL: return new boolean[length];
            default: throw new AssertionError(type);
        }
    }

    /** Lets every kept array go to the garbage collector; returns the bytes released. */
    synchronized long clear() {
        long released = keptBytes;
        Arrays.fill(slots, null);
        keptBytes = 0;
        return released;
    }

    private static int slot(ScalarType type, int length) {
        return (length * 31 + type.ordinal()) & 255;
    }

    private Shelf find(int slot, ScalarType type, int length) {
        for (Shelf s = slots[slot]; s != null; s = s.next) {
            if (s.length == length && s.type == type) {
                return s;
            }
        }
        return null;
    }

    /** A shelf of {@code slot} that holds nothing, for another size to take over, or null. */
    private Shelf emptyShelf(int slot) {
        for (Shelf s = slots[slot]; s != null; s = s.next) {
            if (s.count == 0) {
                return s;
            }
        }
        return null;
    }

    synchronized long capBytes() {
        return capBytes;
    }

    /**
     * Changes the cap (0 turns pooling off), letting go of what no longer fits: for tests and
     * benchmarks that compare pooling on and off in one JVM.
     */
    synchronized void capBytes(long bytes) {
        capBytes = Math.max(0, bytes);
        if (keptBytes > capBytes) {
            clear();
        }
    }

    boolean poisons() {
        return poison;
    }

    /** Bytes kept now. */
    synchronized long keptBytes() {
        return keptBytes;
    }

    /** Arrays handed out again so far. */
    synchronized long reused() {
        return reused;
    }

    /** Arrays taken in so far. */
    synchronized long kept() {
        return kept;
    }

    /** Arrays turned away so far because the pool was full. */
    synchronized long dropped() {
        return dropped;
    }
}
