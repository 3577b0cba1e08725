package dev.tensorj.backend.cuda;

import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;

/** Raw device memory for the pool: {@code cuMemAlloc} and {@code cuMemFree} in one context. */
final class DeviceMemory implements RawAllocator<CUdeviceptr> {
    private final CudaContext ctx;

    DeviceMemory(CudaContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public CUdeviceptr allocate(long bytes) {
        CUdeviceptr p = new CUdeviceptr();
        try {
            ctx.bind();
            JCudaDriver.cuMemAlloc(p, bytes);
            return p;
        } catch (jcuda.CudaException e) {
            if (CudaErrors.OUT_OF_MEMORY.equals(e.getMessage())) {
                return null; // not sticky: the pool frees what it can and retries
            }
            throw CudaErrors.wrap("allocate", ctx.device, e);
        }
    }

    @Override
    public void free(CUdeviceptr block) {
        try {
            ctx.bind();
            JCudaDriver.cuMemFree(block);
        } catch (jcuda.CudaException e) {
            throw CudaErrors.wrap("free", ctx.device, e);
        }
    }

    @Override
    public void synchronize() {
        try {
            ctx.synchronize();
        } catch (jcuda.CudaException e) {
            throw CudaErrors.wrap("synchronize", ctx.device, e);
        }
    }

    @Override
    public long[] memoryInfo() {
        try {
            return ctx.memoryInfo();
        } catch (jcuda.CudaException e) {
            throw CudaErrors.wrap("memoryInfo", ctx.device, e);
        }
    }
}
