package dev.tensorj.backend;

import dev.tensorj.Device;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A flat float32 buffer on one device, owned by a backend. Tensors that share data (a reshape, a
 * detach) share one storage; it is freed when the last of them is closed, or by the backend's
 * cleaner when all of them become unreachable.
 */
public abstract class Storage {
    private final Device device;
    private final long numel;
    private final AtomicInteger refs = new AtomicInteger(1);
    private final long leakId;

    protected Storage(Device device, long numel) {
        this.device = device;
        this.numel = numel;
        this.leakId = LeakTracker.track(this);
    }

    public final Device device() {
        return device;
    }

    public final long numel() {
        return numel;
    }

    /** Adds a reference (a new tensor sharing this storage). */
    public final void retain() {
        if (refs.getAndIncrement() <= 0) {
            refs.getAndDecrement();
            throw new IllegalStateException("storage on " + device + " was already freed");
        }
    }

    /** Drops a reference; the last one frees the memory. */
    public final void release() {
        int left = refs.decrementAndGet();
        if (left == 0) {
            LeakTracker.freed(leakId);
            free();
        } else if (left < 0) {
            refs.incrementAndGet();
        }
    }

    /** Returns the memory to the backend; called once, when the last reference is released. */
    protected abstract void free();
}
