package dev.tensorj.backend;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A flat buffer of {@link #numel()} elements of one {@link ScalarType} on one device, owned by a
 * backend. Tensors that share data (a reshape, a detach) share one storage; it is freed when the
 * last of them is closed, or by the backend's cleaner when all of them become unreachable.
 */
public abstract class Storage {
    private final ScalarType type;
    private final long numel;
    /**
     * The tensors sharing this storage, changed only atomically through {@link #REFS}: a field rather
     * than an AtomicInteger saves an object per tensor an op makes. Not volatile, so that making a
     * storage costs no memory fence (the atomic updates are full fences themselves).
     */
    private int refs = 1;
    private long tag;

    private static final VarHandle REFS;

    static {
        try {
            REFS = MethodHandles.lookup().findVarHandle(Storage.class, "refs", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    protected Storage(ScalarType type, long numel) {
        this.type = java.util.Objects.requireNonNull(type, "type");
        this.numel = numel;
    }

    /** The element type. */
    public final ScalarType type() {
        return type;
    }

    public final long numel() {
        return numel;
    }

    /** {@code numel() * type().byteSize()}. */
    public final long bytes() {
        return numel * type.byteSize();
    }

    /**
     * Throws unless this storage holds {@code expected} elements: the type-generic backend calls
     * (host copies, fill, cast) check it, since a wrong type there would read or write past the
     * buffer on a device.
     *
     * @throws IllegalArgumentException naming {@code op} and both types
     */
    public final void requireType(String op, ScalarType expected) {
        if (type != expected) {
            throw new IllegalArgumentException(op + ": the storage holds " + type + " elements, not " + expected);
        }
    }

    /** Adds a reference (a new tensor sharing this storage). */
    public final void retain() {
        if ((int) REFS.getAndAdd(this, 1) <= 0) {
            REFS.getAndAdd(this, -1);
            throw new IllegalStateException("storage was already freed");
        }
    }

    /** Drops a reference; the last one frees the memory and returns true. */
    public final boolean release() {
        int left = (int) REFS.getAndAdd(this, -1) - 1;
        if (left == 0) {
            free();
            return true;
        }
        if (left < 0) {
            REFS.getAndAdd(this, 1);
        }
        return false;
    }

    /** The engine's bookkeeping number for this storage (its leak-tracking id), 0 until set. */
    public final long tag() {
        return tag;
    }

    public final void tag(long value) {
        tag = value;
    }

    /**
     * Returns the memory to the backend; called once, when the last reference is released. The
     * backend may hand it to another storage at once, so only a release that no tensor can read
     * past (a close) may drop the last reference.
     */
    protected abstract void free();
}
