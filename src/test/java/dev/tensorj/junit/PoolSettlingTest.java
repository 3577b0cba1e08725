package dev.tensorj.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Cuda;
import dev.tensorj.Device;
import dev.tensorj.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Leaks}' reading of a CUDA pool: with a tensor held (so the pool is not empty), one dropped
 * without {@code close()} is waited for until the garbage collector has returned its block, a
 * baseline counts what was live before it, and a caller's interrupt is kept.
 */
@RequiresCuda
class PoolSettlingTest {
    private static final Device CUDA = Device.cuda(0);
    private Tensor held;

    @BeforeEach
    void holdATensor() {
        held = Tensor.randn(CUDA, 64, 64);
    }

    @AfterEach
    void release() {
        held.close();
        Thread.interrupted();
    }

    /** Allocates a tensor on the device and drops it without closing it; returns the pool's bytes with it. */
    private static long dropOne() {
        Tensor dropped = Tensor.ones(CUDA, 5000).relu();
        assertEquals(5000f, dropped.sum().item());
        return Cuda.memoryAllocated(CUDA);
    }

    @Test
    void settledBytesWaitForADroppedTensor() {
        long before = Leaks.settledPoolBytes(CUDA);
        assertTrue(before >= 64 * 64 * 4, "the held tensor counts: " + before);
        long withDropped = dropOne();
        assertTrue(withDropped > before, withDropped + " after allocating, " + before + " before");
        assertEquals(before, Leaks.settledPoolBytes(CUDA), "the dropped tensor's block is returned");
    }

    @Test
    void thePoolReturnsOnceADroppedTensorIsCollected() {
        long before = Leaks.settledPoolBytes(CUDA);
        dropOne();
        Leaks.assertPoolReturnsTo(CUDA, before);
        assertEquals(before, Cuda.memoryAllocated(CUDA));
    }

    /** What was live before a baseline (here the held tensor) is not a leak of the work after it. */
    @Test
    void aBaselineCountsWhatWasAlreadyLive() {
        Leaks.Baseline baseline = Leaks.Baseline.take(false);
        dropOne();
        baseline.verify();
    }

    @Test
    void settlingKeepsTheCallersInterrupt() {
        long before = Leaks.settledPoolBytes(CUDA);
        Thread.currentThread().interrupt();
        assertEquals(before, Leaks.settledPoolBytes(CUDA));
        assertTrue(Thread.interrupted(), "the interrupt flag was cleared");
    }
}
