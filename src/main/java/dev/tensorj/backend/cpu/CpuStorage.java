package dev.tensorj.backend.cpu;

import dev.tensorj.backend.ScalarType;
import dev.tensorj.backend.Storage;

/**
 * Host memory: a plain Java array. Exactly one of the three arrays is set, the one of the
 * storage's type, so the float kernels read {@link #data} directly. Arrays come from the
 * {@link CpuArrayPool} and go back to it when the last reference is released by {@code close()};
 * a storage that becomes unreachable without that is reclaimed by the garbage collector.
 */
final class CpuStorage extends Storage {
    final float[] data;
    final long[] longs;
    final boolean[] bools;

    private CpuStorage(ScalarType type, Object array, int length) {
        super(type, length);
        this.data = type == ScalarType.F32 ? (float[]) array : null;
        this.longs = type == ScalarType.I64 ? (long[]) array : null;
        this.bools = type == ScalarType.BOOL ? (boolean[]) array : null;
    }

    /** A storage whose contents are unspecified: for kernels that write every element (poisoned in poison mode). */
    static CpuStorage uninitialised(ScalarType type, int length) {
        return new CpuStorage(type, CpuArrayPool.SHARED.take(type, length), length);
    }

    /** A storage of zeros (false): for whatever accumulates into it or relies on zeros. */
    static CpuStorage zeroed(ScalarType type, int length) {
        return new CpuStorage(type, CpuArrayPool.SHARED.takeZeroed(type, length), length);
    }

    /** The array of this storage's type. */
    Object array() {
        switch (type()) {
            case F32: return data;
            case I64: return longs;
            case BOOL: return bools;
            default: throw new AssertionError(type());
        }
    }

    /**
     * Called once, when the last reference was released by a close: no tensor can read this
     * storage any more (a closed tensor throws on every use), so its array may serve another.
     */
    @Override
    protected void free() {
        CpuArrayPool.SHARED.give(type(), array(), (int) numel());
    }
}
