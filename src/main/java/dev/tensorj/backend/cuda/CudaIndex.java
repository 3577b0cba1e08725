package dev.tensorj.backend.cuda;

import static dev.tensorj.backend.cuda.CudaBackend.ptr;

import dev.tensorj.backend.IndexPlan;
import dev.tensorj.backend.Storage;
import java.lang.ref.Reference;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;

/**
 * CudaBackend's gather and scatter-add launches ({@code index.cu}): one thread per position of the
 * {@link IndexPlan}, at most {@link #MAX_KERNEL_RANK} (collapsed) dimensions in the kernel's
 * {@code IndexArgs} struct; beyond that a dimension other than the indexed one loops on the host.
 */
final class CudaIndex {
    /** The kernel handles this many dimensions (index.cu's {@code TJ_INDEX_MAX_RANK}). */
    static final int MAX_KERNEL_RANK = 8;
    /** The {@code IndexArgs} struct's longs: rank, dim, then four arrays of {@link #MAX_KERNEL_RANK}. */
    static final int PACKED_LONGS = 2 + 4 * MAX_KERNEL_RANK;

    private final CudaContext ctx;
    private final CudaKernels kernels;
    private final String device;

    CudaIndex(CudaContext ctx, CudaKernels kernels, String device) {
        this.ctx = ctx;
        this.kernels = kernels;
        this.device = device;
    }

    void gather(Storage x, Storage index, Storage out, IndexPlan p) {
        run(Kernel.GATHER, "gather", x, index, out, p);
    }

    void scatterAdd(Storage src, Storage index, Storage out, IndexPlan p) {
        run(Kernel.SCATTER_ADD, "scatter_add", src, index, out, p);
    }

    /** {@code in} is the kernel's first pointer (gather's x, scatter-add's src), {@code out} its third. */
    private void run(Kernel kernel, String op, Storage in, Storage index, Storage out, IndexPlan p) {
        if (p.numel == 0) {
            return;
        }
        boolean gather = kernel == Kernel.GATHER;
        try {
            ctx.bind();
            // gather: in is the indexed side, out the dense; scatter-add: the other way round
            launch(kernel, p, ptr(in), ptr(index), ptr(out), gather);
        } catch (jcuda.CudaException e) {
            throw CudaErrors.wrap(op, device, e);
        } finally {
            Reference.reachabilityFence(in);
            Reference.reachabilityFence(index);
            Reference.reachabilityFence(out);
        }
    }

    private void launch(Kernel kernel, IndexPlan p, CUdeviceptr in, CUdeviceptr index, CUdeviceptr out,
            boolean gather) {
        if (p.rank() <= MAX_KERNEL_RANK) {
            kernels.launch(kernel, p.numel, in, index, out, p.numel, pack(p));
            return;
        }
        int d = p.dim == 0 ? 1 : 0; // a dimension the index's values do not select along
        IndexPlan slice = p.without(d);
        long inStride = gather ? p.indexedStrides[d] : p.denseStrides[d];
        long outStride = gather ? p.denseStrides[d] : p.indexedStrides[d];
        for (long i = 0; i < p.shape[d]; i++) {
            launch(kernel, slice, offset(in, i * inStride, Sizeof.FLOAT), offset(index, i * p.indexStrides[d], Sizeof.LONG),
                    offset(out, i * outStride, Sizeof.FLOAT), gather);
        }
    }

    private static CUdeviceptr offset(CUdeviceptr p, long elements, int elementBytes) {
        return elements == 0 ? p : p.withByteOffset(elements * elementBytes);
    }

    /** The kernel's {@code IndexArgs}: rank, dim, shape and the index's, dense and indexed strides. */
    static long[] pack(IndexPlan p) {
        long[] packed = new long[PACKED_LONGS];
        packed[0] = p.rank();
        packed[1] = p.dim;
        for (int i = 0; i < p.rank(); i++) {
            packed[2 + i] = p.shape[i];
            packed[2 + MAX_KERNEL_RANK + i] = p.indexStrides[i];
            packed[2 + 2 * MAX_KERNEL_RANK + i] = p.denseStrides[i];
            packed[2 + 3 * MAX_KERNEL_RANK + i] = p.indexedStrides[i];
        }
        return packed;
    }
}
