package dev.tensorj.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Cuda;
import dev.tensorj.CudaOutOfMemoryException;
import dev.tensorj.Device;
import dev.tensorj.Tensor;
import dev.tensorj.junit.LeakCheck;
import dev.tensorj.junit.Leaks;
import dev.tensorj.junit.RequiresCuda;
import org.junit.jupiter.api.Test;

/** Pool behaviour on a real device (needs a GPU). */
@RequiresCuda
@LeakCheck
class CudaMemoryTest {
    private static final Device CUDA = Device.cuda(0);


    @Test
    void closeReturnsTheBlockAtOnceAndItIsReused() {
        long start = Leaks.settledPoolBytes(CUDA);
        Tensor t = Tensor.zeros(CUDA, 1000);
        assertEquals(start + 4096, Cuda.memoryAllocated(CUDA));
        t.close();
        assertEquals(start, Cuda.memoryAllocated(CUDA));
        long allocs = CudaBackends.memoryStats(0).deviceAllocs();
        try (Tensor u = Tensor.ones(CUDA, 1000)) {
            assertEquals(allocs, CudaBackends.memoryStats(0).deviceAllocs(), "the cached block is reused");
            assertEquals(1000f, u.sum().item());
        }
        Leaks.assertPoolReturnsTo(CUDA, start);
    }

    @Test
    void unreachableTensorsComeBackThroughTheCleaner() {
        long start = Leaks.settledPoolBytes(CUDA);
        assertTrue(dropSome() >= start + 2 * 256 * 256 * 4, "the tensors were allocated from the pool");
        Leaks.assertPoolReturnsTo(CUDA, start); // never closed: the cleaner returned them
    }

    /** Creates tensors and drops them without close(); returns the bytes in use while they lived. */
    private static long dropSome() {
        Tensor x = Tensor.randn(CUDA, 256, 256);
        Tensor y = x.relu();
        long inUse = Cuda.memoryAllocated(CUDA);
        java.lang.ref.Reference.reachabilityFence(x);
        java.lang.ref.Reference.reachabilityFence(y);
        return inUse;
    }

    /** More than the free memory: a tensorj exception with both numbers, and the device still works. */
    @Test
    void outOfMemoryIsAnExceptionAndTheDeviceStaysUsable() {
        long start = Leaks.settledPoolBytes(CUDA);
        long free = CudaBackends.memoryInfo(0)[0];
        // 1 GiB more than is free, and always more than 2^31 elements: sizes past int range must
        // reach the device's own out-of-memory answer, not an overflow on the way.
        long floats = Math.max(free / 4 + (1L << 28), (1L << 31) + (1L << 20));
        int cols = 1 << 20;
        int rows = (int) (floats / cols + 1);
        CudaOutOfMemoryException e = assertThrows(CudaOutOfMemoryException.class, () -> Tensor.zeros(CUDA, rows, cols));
        assertEquals((long) rows * cols * 4, e.requestedBytes());
        assertTrue(e.totalBytes() > 0 && e.freeBytes() >= 0 && e.freeBytes() <= e.totalBytes(), e.getMessage());
        assertTrue(e.requestedBytes() > e.freeBytes(), e.getMessage());
        assertTrue(e.getMessage().contains(Long.toString(e.requestedBytes()))
                && e.getMessage().contains(Long.toString(e.freeBytes()))
                && e.getMessage().contains(Long.toString(e.totalBytes())), e.getMessage());
        assertEquals("CUDA_ERROR_OUT_OF_MEMORY", e.errorName());
        try (Tensor small = Tensor.ones(CUDA, 10)) {
            assertEquals(10f, small.sum().item());
        }
        Leaks.assertPoolReturnsTo(CUDA, start);
    }
}
