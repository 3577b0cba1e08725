package dev.tensorj.backend.cuda;

import static dev.tensorj.backend.cuda.CudaBackend.ptr;

import dev.tensorj.backend.Storage;
import java.lang.ref.Reference;

/**
 * CudaBackend's softmax, log-softmax and cross-entropy launches ({@code softmax.cu}): rows of
 * {@link #threadsPerRow} threads each, several rows to a block.
 */
final class CudaSoftmax {
    private final CudaContext ctx;
    private final CudaKernels kernels;
    private final String device; // cuda:N, for messages

    CudaSoftmax(CudaContext ctx, CudaKernels kernels, String device) {
        this.ctx = ctx;
        this.kernels = kernels;
        this.device = device;
    }

    /**
     * Threads that share one row in the softmax kernels: 1 for strided columns ({@code inner > 1},
     * where neighbouring threads then read neighbouring columns), else a power of two giving each
     * thread about 8 of the row's elements, up to a whole block for long rows.
     */
    static int threadsPerRow(long len, long inner) {
        int t = 1;
        while (inner == 1 && t < CudaKernels.BLOCK && t * 8L < len) {
            t <<= 1;
        }
        return t;
    }

    /**
     * Blocks that give each of {@code rows} rows its {@code tpr} threads, {@code BLOCK / tpr} rows to a
     * block; the launch caps it ({@link CudaKernels#gridOfBlocks}) and the kernels loop over the rest.
     */
    static long blocksForRows(long rows, int tpr) {
        long perBlock = CudaKernels.BLOCK / tpr;
        return (rows + perBlock - 1) / perBlock;
    }

    private int rowBlocks(long rows, int tpr) {
        return kernels.gridOfBlocks(blocksForRows(rows, tpr));
    }

    void softmax(boolean log, Storage x, long outer, long len, long inner, Storage out) {
        int tpr = threadsPerRow(len, inner);
        try {
            ctx.bind();
            kernels.launchBlocks(Kernel.SOFTMAX, rowBlocks(outer * inner, tpr), CudaKernels.BLOCK, 1, log ? 1 : 0,
                    ptr(x), ptr(out), outer, len, inner, tpr);
        } catch (jcuda.CudaException e) {
            throw CudaErrors.wrap(log ? "log_softmax" : "softmax", device, e);
        } finally {
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(out);
        }
    }

    void softmaxBackward(boolean log, Storage y, Storage g, long outer, long len, long inner, Storage gx) {
        int tpr = threadsPerRow(len, inner);
        try {
            ctx.bind();
            kernels.launchBlocks(Kernel.SOFTMAX_BACKWARD, rowBlocks(outer * inner, tpr), CudaKernels.BLOCK, 1,
                    log ? 1 : 0, ptr(y), ptr(g), ptr(gx), outer, len, inner, tpr);
        } catch (jcuda.CudaException e) {
            throw CudaErrors.wrap(log ? "log_softmax_backward" : "softmax_backward", device, e);
        } finally {
            Reference.reachabilityFence(y);
            Reference.reachabilityFence(g);
            Reference.reachabilityFence(gx);
        }
    }

    void crossEntropy(Storage x, Storage target, Storage weight, long n, long c, long ignoreIndex,
            float smoothing, Storage loss, Storage stats) {
        int tpr = threadsPerRow(c, 1);
        try {
            ctx.bind();
            kernels.launchBlocks(Kernel.CROSS_ENTROPY, rowBlocks(n, tpr), CudaKernels.BLOCK, 1, ptr(x), ptr(target),
                    weight == null ? null : ptr(weight), ptr(loss), ptr(stats), n, c, ignoreIndex, smoothing, tpr);
        } catch (jcuda.CudaException e) {
            throw CudaErrors.wrap("cross_entropy", device, e);
        } finally {
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(target);
            Reference.reachabilityFence(weight);
            Reference.reachabilityFence(loss);
            Reference.reachabilityFence(stats);
        }
    }

    void crossEntropyBackward(Storage x, Storage target, Storage weight, Storage stats, Storage g,
            boolean gPerRow, long n, long c, long ignoreIndex, float smoothing, Storage gx) {
        try {
            ctx.bind();
            kernels.launch(Kernel.CROSS_ENTROPY_BACKWARD, n * c, ptr(x), ptr(target), weight == null ? null : ptr(weight),
                    ptr(stats), ptr(g), gPerRow ? 1 : 0, ptr(gx), n, c, ignoreIndex, smoothing);
        } catch (jcuda.CudaException e) {
            throw CudaErrors.wrap("cross_entropy_backward", device, e);
        } finally {
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(target);
            Reference.reachabilityFence(weight);
            Reference.reachabilityFence(stats);
            Reference.reachabilityFence(g);
            Reference.reachabilityFence(gx);
        }
    }
}
