package dev.tensorj.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.backend.BackendException;
import jcuda.driver.CUresult;
import jcuda.jcublas.cublasStatus;
import org.junit.jupiter.api.Test;

/** JCuda's exceptions carry only the error name; tensorj's name the op and the device too. */
class CudaErrorsTest {

    @Test
    void outOfMemoryIsRecognisedByJcudasOwnName() {
        // DeviceMemory tells an out-of-memory failure (retry after freeing) from any other this way.
        assertEquals(CudaErrors.OUT_OF_MEMORY, CUresult.stringFor(CUresult.CUDA_ERROR_OUT_OF_MEMORY));
    }

    @Test
    void wrappedErrorsNameTheOpTheErrorAndTheDevice() {
        jcuda.CudaException cause = new jcuda.CudaException(cublasStatus.stringFor(cublasStatus.CUBLAS_STATUS_EXECUTION_FAILED));
        BackendException e = CudaErrors.wrap("matmul", "cuda:1", cause);
        assertEquals("matmul", e.op());
        assertEquals("CUBLAS_STATUS_EXECUTION_FAILED", e.errorName());
        assertEquals(BackendException.Kind.DEVICE_ERROR, e.kind());
        assertTrue(e.getMessage().startsWith("CUBLAS_STATUS_EXECUTION_FAILED on cuda:1"), e.getMessage());
        assertSame(cause, e.getCause());
        BackendException sticky = CudaErrors.wrap("toHost", "cuda:0",
                new jcuda.CudaException(CUresult.stringFor(CUresult.CUDA_ERROR_ILLEGAL_ADDRESS)));
        assertTrue(sticky.getMessage().contains("earlier op"), sticky.getMessage());
    }

    /**
     * The four sticky errors (the context is lost, and the failing kernel may be an earlier op's) say
     * so; any other error is its name and the device, nothing more.
     */
    @Test
    void onlyStickyErrorsWarnThatTheDeviceIsLost() {
        for (int code : new int[] {CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, CUresult.CUDA_ERROR_LAUNCH_FAILED,
            CUresult.CUDA_ERROR_ILLEGAL_INSTRUCTION, CUresult.CUDA_ERROR_MISALIGNED_ADDRESS}) {
            String name = CUresult.stringFor(code);
            BackendException e = CudaErrors.wrap("sum", "cuda:0", new jcuda.CudaException(name));
            assertEquals(name + " on cuda:0 (a kernel failed; it may belong to an earlier op, since kernels run "
                    + "asynchronously; the device cannot be used again in this process)", e.getMessage());
            assertEquals(name, e.errorName());
        }
        for (int code : new int[] {CUresult.CUDA_ERROR_INVALID_VALUE, CUresult.CUDA_ERROR_OUT_OF_MEMORY,
            CUresult.CUDA_ERROR_NOT_SUPPORTED}) {
            String name = CUresult.stringFor(code);
            assertEquals(name + " on cuda:2", CudaErrors.wrap("copy", "cuda:2", new jcuda.CudaException(name)).getMessage());
        }
        BackendException unnamed = CudaErrors.wrap("t", "cuda:0", new jcuda.CudaException(null));
        assertEquals("null on cuda:0", unnamed.getMessage());
    }
}
