package dev.tensorj.backend.cuda;

import static dev.tensorj.backend.cuda.CudaBackend.ptr;

import dev.tensorj.backend.Storage;
import java.lang.ref.Reference;

/**
 * CudaBackend's layer-norm launches ({@code layernorm.cu}): rows of {@link CudaSoftmax#threadsPerRow}
 * threads each, several rows to a block, as the softmax kernels; the weight's and bias's gradients
 * by a second kernel of one thread per column.
 */
final class CudaLayerNorm {
    private final CudaContext ctx;
    private final CudaKernels kernels;
    private final String device; // cuda:N, for messages

    CudaLayerNorm(CudaContext ctx, CudaKernels kernels, String device) {
        this.ctx = ctx;
        this.kernels = kernels;
        this.device = device;
    }

    private int rowBlocks(long rows, int tpr) {
        return kernels.gridOfBlocks(CudaSoftmax.blocksForRows(rows, tpr));
    }

    void forward(Storage x, Storage weight, Storage bias, long rows, long len, float eps, Storage out, Storage stats) {
        int tpr = CudaSoftmax.threadsPerRow(len, 1);
        try {
            ctx.bind();
            kernels.launchBlocks(Kernel.LAYER_NORM, rowBlocks(rows, tpr), CudaKernels.BLOCK, 1, ptr(x),
                    weight == null ? null : ptr(weight), bias == null ? null : ptr(bias), ptr(out), ptr(stats), rows,
                    len, eps, tpr);
        } catch (jcuda.CudaException e) {
            throw CudaErrors.wrap("layer_norm", device, e);
        } finally {
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(weight);
            Reference.reachabilityFence(bias);
            Reference.reachabilityFence(out);
            Reference.reachabilityFence(stats);
        }
    }

    void backward(Storage x, Storage weight, Storage stats, Storage g, long rows, long len, Storage gx,
            Storage gWeight, Storage gBias) {
        int tpr = CudaSoftmax.threadsPerRow(len, 1);
        try {
            ctx.bind();
            kernels.launchBlocks(Kernel.LAYER_NORM_BACKWARD, rowBlocks(rows, tpr), CudaKernels.BLOCK, 1, ptr(x),
                    weight == null ? null : ptr(weight), ptr(stats), ptr(g), ptr(gx), rows, len, tpr);
            if (gWeight != null || gBias != null) {
                kernels.launch(Kernel.LAYER_NORM_COLUMNS, len, ptr(x), ptr(stats), ptr(g),
                        gWeight == null ? null : ptr(gWeight), gBias == null ? null : ptr(gBias), rows, len);
            }
        } catch (jcuda.CudaException e) {
            throw CudaErrors.wrap("layer_norm_backward", device, e);
        } finally {
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(weight);
            Reference.reachabilityFence(stats);
            Reference.reachabilityFence(g);
            Reference.reachabilityFence(gx);
            Reference.reachabilityFence(gWeight);
            Reference.reachabilityFence(gBias);
        }
    }
}
