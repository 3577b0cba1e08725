package dev.tensorj.backend.cpu;

import dev.tensorj.backend.ScalarType;
import dev.tensorj.backend.Storage;

/**
 * Host memory: a plain Java array, reclaimed by the garbage collector. Exactly one of the three
 * arrays is set, the one of the storage's type, so the float kernels read {@link #data} directly.
 */
final class CpuStorage extends Storage {
    final float[] data;
    final long[] longs;
    final boolean[] bools;

    CpuStorage(float[] data) {
        super(ScalarType.F32, data.length);
        this.data = data;
        this.longs = null;
        this.bools = null;
    }

    CpuStorage(long[] longs) {
        super(ScalarType.I64, longs.length);
        this.data = null;
        this.longs = longs;
        this.bools = null;
    }

    CpuStorage(boolean[] bools) {
        super(ScalarType.BOOL, bools.length);
        this.data = null;
        this.longs = null;
        this.bools = bools;
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

    @Override
    protected void free() {
        // Nothing to return: the array goes with the last reference to this storage.
    }
}
