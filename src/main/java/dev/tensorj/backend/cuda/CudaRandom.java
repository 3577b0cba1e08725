package dev.tensorj.backend.cuda;

import static dev.tensorj.backend.cuda.CudaBackend.ptr;

import dev.tensorj.backend.RandomKind;
import dev.tensorj.backend.Storage;
import java.lang.ref.Reference;
import java.util.Locale;

/**
 * CudaBackend's random launches ({@code random.cu}): Philox streams drawn on the device.
 */
final class CudaRandom {
    private final CudaContext ctx;
    private final CudaKernels kernels;
    private final String device; // cuda:N, for messages

    CudaRandom(CudaContext ctx, CudaKernels kernels, String device) {
        this.ctx = ctx;
        this.kernels = kernels;
        this.device = device;
    }

    /** One thread per Philox block of four words (four floats), as {@code CpuRandom}. */
    void random(RandomKind kind, long seed, long offset, Storage out, float a, float b) {
        long n = out.numel();
        if (n == 0) {
            return;
        }
        try {
            ctx.bind();
            kernels.launch(Kernel.RANDOM, (n + 3) / 4, kind.ordinal(), seed, offset, ptr(out), a, b, n);
        } catch (jcuda.CudaException e) {
            throw CudaErrors.wrap(kind.name().toLowerCase(Locale.ROOT), device, e);
        } finally {
            Reference.reachabilityFence(out);
        }
    }

    /** One thread per Philox block of four words (two int64s). */
    void randint(long seed, long offset, Storage out, long low, long high) {
        long n = out.numel();
        if (n == 0) {
            return;
        }
        try {
            ctx.bind();
            kernels.launch(Kernel.RANDINT, (n + 1) / 2, seed, offset, ptr(out), low, high, n);
        } catch (jcuda.CudaException e) {
            throw CudaErrors.wrap("randint", device, e);
        } finally {
            Reference.reachabilityFence(out);
        }
    }
}
