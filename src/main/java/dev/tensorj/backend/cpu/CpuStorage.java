package dev.tensorj.backend.cpu;

import dev.tensorj.backend.Storage;

/** Host memory: a plain {@code float[]}, reclaimed by the garbage collector. */
final class CpuStorage extends Storage {
    final float[] data;

    CpuStorage(float[] data) {
        super(data.length);
        this.data = data;
    }

    @Override
    protected void free() {
        // Nothing to return: the array goes with the last reference to this storage.
    }
}
