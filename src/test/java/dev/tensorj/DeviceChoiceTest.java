package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link Device#best()} and the CUDA facts it rests on agree with the probe, on a machine with CUDA
 * (the emulated run) and without; and CUDA devices by index, cached or not, are the same values.
 */
class DeviceChoiceTest {

    @Test
    void bestIsTheFirstGpuExactlyWhenCudaIsAvailable() {
        CudaAvailability status = Device.cudaStatus();
        assertEquals(status.available(), Device.isCudaAvailable());
        assertEquals(status.deviceCount(), Device.cudaDeviceCount());
        assertEquals(status.available(), Device.cudaDeviceCount() > 0, status.toString());
        Device best = Device.best();
        assertEquals(status.available() ? Device.cuda(0) : Device.CPU, best);
        assertSame(best, Device.best(), "the same choice again");
    }

    @Test
    void everyIndexNamesOneDeviceWhetherCachedOrNot() {
        assertSame(Device.cuda(15), Device.cuda(15), "the first 16 are cached");
        assertSame(Device.cuda(15), Device.of("cuda:15"));
        Device sixteen = Device.cuda(16);
        assertEquals(16, sixteen.index());
        assertEquals("cuda:16", sixteen.toString());
        assertEquals(sixteen, Device.of("cuda:16"));
        assertNotSame(sixteen, Device.cuda(16));
        assertTrue(sixteen.isCuda());
    }
}
