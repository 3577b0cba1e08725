package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import org.junit.jupiter.api.Test;

class DeviceTest {

    @Test
    void parsesNamesAndPrintsThemBack() {
        assertSame(Device.CPU, Device.of("cpu"));
        assertSame(Device.META, Device.of("META"));
        assertEquals(Device.cuda(0), Device.of("cuda"));
        assertEquals(Device.cuda(1), Device.of(" cuda:1 "));
        assertEquals("cpu", Device.CPU.toString());
        assertEquals("cuda:0", Device.cuda().toString());
        assertEquals("cuda:3", Device.of("cuda:3").toString());
        assertEquals("meta", Device.META.toString());
    }

    @Test
    void hasValueSemantics() {
        assertEquals(Device.cuda(2), Device.cuda(2));
        assertEquals(Device.cuda(40), Device.cuda(40)); // beyond the cached ones
        assertEquals(Device.cuda(40).hashCode(), Device.cuda(40).hashCode());
        assertNotEquals(Device.cuda(0), Device.cuda(1));
        assertNotEquals(Device.CPU, Device.META);
        assertEquals(Device.Type.CUDA, Device.cuda(1).type());
        assertEquals(1, Device.cuda(1).index());
        assertEquals(-1, Device.CPU.index());
    }

    @Test
    void rejectsUnknownNames() {
        for (String bad : new String[] {"gpu", "cuda:", "cuda:x", "cuda:-1", "", "cpu:0"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Device.of(bad), bad);
            assertTrue(e.getMessage().contains("cpu, cuda, cuda:N or meta")
                    || e.getMessage().contains(">= 0"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Device.cuda(-1));
    }

    @Test
    void withoutCudaEverythingSaysWhyAndNothingFallsBack() {
        assumeFalse(Device.isCudaAvailable(), "this machine has CUDA; the unavailable path is not reachable");
        assertEquals(0, Device.cudaDeviceCount());
        assertEquals(Device.CPU, Device.best());
        CudaAvailability status = Device.cudaStatus();
        assertFalse(status.available());
        assertNotEquals(CudaAvailability.Reason.AVAILABLE, status.reason());
        String reason = status.message();
        assertFalse(reason.isBlank());
        assertEquals(reason, status.toString());

        CudaUnavailableException e = assertThrows(CudaUnavailableException.class,
                () -> Tensor.zeros(Device.cuda(), 2, 2));
        assertTrue(e.getMessage().contains("cuda:0") && e.getMessage().contains(reason), e.getMessage());
        Tensor x = Tensor.randn(3, 3);
        assertThrows(CudaUnavailableException.class, () -> x.to(Device.cuda()));
        assertThrows(CudaUnavailableException.class, () -> Tensor.randn(Device.cuda(1), 2));
        // The failed attempts poisoned nothing: the CPU path still works.
        assertEquals(Device.CPU, x.matmul(x).device());
        assertEquals(Device.CPU, x.to(Device.CPU).device());
    }

    @Test
    void withoutADriverTheReasonSaysSo() {
        assumeFalse(Device.isCudaAvailable(), "this machine has CUDA");
        boolean driverInstalled = java.nio.file.Files.exists(java.nio.file.Path.of("/usr/lib/x86_64-linux-gnu/libcuda.so.1"))
                || java.nio.file.Files.exists(java.nio.file.Path.of("/usr/lib64/libcuda.so.1"));
        assumeFalse(driverInstalled, "an NVIDIA driver is installed here; CUDA is unavailable for another reason");
        CudaAvailability status = Device.cudaStatus();
        assertEquals(CudaAvailability.Reason.NO_DRIVER, status.reason(), status.message());
        assertTrue(status.message().contains("libcuda.so.1"), status.message());
        assertTrue(status.cause() instanceof UnsatisfiedLinkError, String.valueOf(status.cause()));
    }
}
