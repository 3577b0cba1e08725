package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.junit.Leaks;
import dev.tensorj.junit.RequiresCuda;
import org.junit.jupiter.api.Test;

/** {@link Cuda#synchronize} and {@link Cuda#memoryAllocated}, and {@link Counters#devices()}. */
class CudaSyncAndMemoryTest {

    @Test
    void cpuAndMetaHaveNothingToWaitForAndNoPool() {
        Cuda.synchronize(Device.CPU);
        Cuda.synchronize(Device.META);
        NullPointerException npe = assertThrows(NullPointerException.class, () -> Cuda.synchronize(null));
        assertEquals("device", npe.getMessage());
        assertThrows(NullPointerException.class, () -> Cuda.memoryAllocated(null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cuda.memoryAllocated(Device.CPU));
        assertEquals("memoryAllocated: cpu is not a CUDA device", e.getMessage());
    }

    /** A device no tensor was placed on is not started by asking: nothing queued, nothing held. */
    @Test
    void anUnusedCudaDeviceIsNotStartedByAsking() {
        Device unused = Device.cuda(15);
        Cuda.synchronize(unused);
        assertEquals(0, Cuda.memoryAllocated(unused));
        assertTrue(!Counters.devices().contains(unused), Counters.devices().toString());
    }

    @Test
    void countersListTheDevicesThatCountedAnything() {
        try (Tensor t = Tensor.ones(Device.META, 2)) {
            assertEquals(2, t.numel());
            assertTrue(Counters.devices().contains(Device.META), Counters.devices().toString());
        }
    }

    @Test
    @RequiresCuda
    void memoryAllocatedIsThePoolsBytesInUseAndSynchronizeWaits() {
        Device cuda = Device.cuda(0);
        long start = Leaks.settledPoolBytes(cuda);
        Tensor t = Tensor.zeros(cuda, 1000);
        assertEquals(start + 4096, Cuda.memoryAllocated(cuda)); // 4000 bytes, rounded up to the size class
        Tensor u = t.add(t);
        Cuda.synchronize(cuda);
        assertEquals(start + 2 * 4096, Cuda.memoryAllocated(cuda));
        assertTrue(Counters.devices().contains(cuda));
        t.close();
        u.close();
        assertEquals(start, Cuda.memoryAllocated(cuda));
    }
}
