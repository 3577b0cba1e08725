package dev.tensorj.backend.cuda;

import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasMath;
import jcuda.runtime.cudaStream_t;
import java.nio.charset.StandardCharsets;

/**
 * One device's CUDA state: its primary context, the one stream every op of the device runs on,
 * and a cuBLAS handle bound to that stream.
 *
 * <p>Threads: the driver's current context is per thread, so every entry point calls
 * {@link #bind()} first (a cheap thread-local store in the driver). All threads share the one
 * stream, which keeps the pool's stream-ordered frees valid across threads. cuBLAS calls are
 * serialised on {@link #cublasLock} because one handle must not be used by two threads at once.
 */
final class CudaContext {
    /** Opt-in TF32 for matmul: faster on Ampere and newer, with 10-bit mantissa products. */
    static final boolean TF32 = Boolean.getBoolean("tensorj.cuda.tf32");

    final int index;
    /** {@code cuda:N}, for messages. */
    final String device;
    final CUcontext context = new CUcontext();
    final CUstream stream = new CUstream();
    final cublasHandle cublas = new cublasHandle();
    final Object cublasLock = new Object();
    final int multiprocessors;
    final String name;
    final int computeMajor;
    final int computeMinor;

    private CudaContext(int index) {
        this.index = index;
        this.device = "cuda:" + index;
        CUdevice dev = new CUdevice();
        JCudaDriver.cuDeviceGet(dev, index);
        // The primary context is the one the CUDA runtime (and so cuBLAS and other libraries in
        // the process) uses too; a private context would not share memory with them.
        JCudaDriver.cuDevicePrimaryCtxRetain(context, dev);
        bind();
        // A blocking stream: it synchronises with the legacy default stream, which orders
        // fromHost's synchronous copies after every queued kernel (see CudaBackend.fromHost).
        JCudaDriver.cuStreamCreate(stream, CUstream_flags.CU_STREAM_DEFAULT);
        int[] v = {0};
        JCudaDriver.cuDeviceGetAttribute(v, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev);
        multiprocessors = v[0];
        JCudaDriver.cuDeviceGetAttribute(v, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev);
        computeMajor = v[0];
        JCudaDriver.cuDeviceGetAttribute(v, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
        computeMinor = v[0];
        byte[] nameBytes = new byte[256];
        JCudaDriver.cuDeviceGetName(nameBytes, nameBytes.length, dev);
        name = cString(nameBytes);
        JCublas2.cublasCreate(cublas);
        JCublas2.cublasSetStream(cublas, new cudaStream_t(stream));
        // Default math is exact FP32, as PyTorch's default; TF32 only when asked for.
        JCublas2.cublasSetMathMode(cublas, TF32 ? cublasMath.CUBLAS_TF32_TENSOR_OP_MATH : cublasMath.CUBLAS_DEFAULT_MATH);
    }

    static CudaContext open(int index) {
        try {
            return new CudaContext(index);
        } catch (jcuda.CudaException e) {
            throw CudaErrors.wrap("init", "cuda:" + index, e);
        }
    }

    /** Makes this device's context current on the calling thread. */
    void bind() {
        JCudaDriver.cuCtxSetCurrent(context);
    }

    /** Waits for every op queued on the device. */
    void synchronize() {
        bind();
        JCudaDriver.cuStreamSynchronize(stream);
    }

    /** {@code {free, total}} bytes. */
    long[] memoryInfo() {
        bind();
        long[] free = {0};
        long[] total = {0};
        JCudaDriver.cuMemGetInfo(free, total);
        return new long[] {free[0], total[0]};
    }

    String describe() {
        return device + " (" + name + ", compute capability " + computeMajor + "." + computeMinor + ", "
                + multiprocessors + " SMs, TF32 " + (TF32 ? "on" : "off") + ")";
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.US_ASCII);
    }
}
