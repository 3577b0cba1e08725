package dev.tensorj.backend.cuda;

import dev.tensorj.backend.ScalarType;
import dev.tensorj.backend.Storage;
import java.lang.ref.Cleaner;
import jcuda.driver.CUdeviceptr;

/**
 * A device buffer from the pool: {@code numel × type.byteSize()} bytes (a bool is one byte, 0 or 1). {@link #free()} (the last {@code close()}) returns the block at
 * once; otherwise the cleaner returns it once the storage is unreachable. An empty storage has no
 * block.
 */
final class CudaStorage extends Storage {
    private static final Cleaner CLEANER = Cleaner.create(r -> {
        Thread t = new Thread(r, "tensorj-cuda-cleaner");
        t.setDaemon(true);
        return t;
    });

    /** The device address, or {@code null} when empty. */
    final CUdeviceptr ptr;
    private final Cleaner.Cleanable cleanable;

    CudaStorage(ScalarType type, long numel, BlockPool<CUdeviceptr> pool, BlockPool.Block<CUdeviceptr> block) {
        super(type, numel);
        this.ptr = block == null ? null : block.handle();
        this.cleanable = block == null ? null : CLEANER.register(this, new ReturnBlock(pool, block));
    }

    @Override
    protected void free() {
        if (cleanable != null) {
            cleanable.clean(); // runs ReturnBlock at most once, here or on the cleaner thread
        }
    }

    /**
     * The cleaning action. It must not reference the storage (that would keep it reachable); it
     * only puts the block back on the pool's free list, which is safe from any thread and needs no
     * synchronisation with the device (stream-ordered reuse, see {@link BlockPool}).
     */
    private record ReturnBlock(BlockPool<CUdeviceptr> pool, BlockPool.Block<CUdeviceptr> block) implements Runnable {
        @Override
        public void run() {
            pool.release(block.handle(), block.size());
        }
    }
}
