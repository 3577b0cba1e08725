package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.backend.Backend;
import dev.tensorj.backend.BackendException;
import dev.tensorj.backend.RandomKind;
import dev.tensorj.backend.cuda.CudaStatus;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Backends throw {@link BackendException}; users see the public exception of its kind, with its fields. */
class BackendErrorsTest {

    @Test
    void outOfMemoryBecomesCudaOutOfMemoryExceptionWithTheSizesAndTheDevice() {
        TensorjException e = DeviceBackend.translate(Device.cuda(1), BackendException.outOfMemory("matmul", 8192, 3072, 4096));
        CudaOutOfMemoryException oom = assertInstanceOf(CudaOutOfMemoryException.class, e);
        assertEquals("matmul", oom.op());
        assertEquals(Device.cuda(1), oom.device());
        assertEquals(8192, oom.requestedBytes());
        assertEquals(3072, oom.freeBytes());
        assertEquals(4096, oom.totalBytes());
        assertTrue(oom.getMessage().contains("cuda:1") && oom.getMessage().contains("8192"), oom.getMessage());
    }

    @Test
    void aDeviceErrorBecomesCudaExceptionKeepingTheNameMessageAndCause() {
        RuntimeException cause = new RuntimeException("CUDA_ERROR_ILLEGAL_ADDRESS");
        TensorjException e = DeviceBackend.translate(Device.cuda(0),
                BackendException.deviceError("add", "CUDA_ERROR_ILLEGAL_ADDRESS", "CUDA_ERROR_ILLEGAL_ADDRESS on cuda:0", cause));
        CudaException ce = assertInstanceOf(CudaException.class, e);
        assertEquals("add", ce.op());
        assertEquals("CUDA_ERROR_ILLEGAL_ADDRESS", ce.errorName());
        assertEquals("add: CUDA_ERROR_ILLEGAL_ADDRESS on cuda:0", ce.getMessage());
        assertSame(cause, ce.getCause());
    }

    /** A failed random draw names the op the user called (dropout), not the distribution (bernoulli). */
    @Test
    void aRandomDrawsFailureNamesTheUsersOp() {
        Backend failing = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, method, args) -> {
                    throw BackendException.deviceError(method.getName().equals("random") ? "bernoulli" : method.getName(),
                            "CUDA_ERROR_LAUNCH_FAILED", "CUDA_ERROR_LAUNCH_FAILED on cuda:0", null);
                });
        DeviceBackend be = new DeviceBackend(Device.cuda(0), failing);
        CudaException e = assertThrows(CudaException.class,
                () -> be.random("dropout", RandomKind.BERNOULLI, 1, 0, null, 0.5f, 2f));
        assertEquals("dropout", e.op());
        assertEquals("dropout: CUDA_ERROR_LAUNCH_FAILED on cuda:0", e.getMessage());
        assertEquals("CUDA_ERROR_LAUNCH_FAILED", e.errorName());
    }

    @Test
    void unavailableBecomesCudaUnavailableException() {
        TensorjException e = DeviceBackend.translate(Device.cuda(3),
                BackendException.unavailable("cannot use cuda:3: this machine has 1 CUDA device(s)", null));
        assertInstanceOf(CudaUnavailableException.class, e);
        assertTrue(e.getMessage().contains("cannot use cuda:3"), e.getMessage());
    }

    @Test
    void theProbesReasonsAreThePublicReasons() {
        // Device.cudaStatus() converts the backend's reason to the public one by name.
        assertEquals(Arrays.toString(CudaStatus.Reason.values()), Arrays.toString(CudaAvailability.Reason.values()));
    }
}
