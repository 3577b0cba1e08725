package dev.tensorj;

import dev.tensorj.backend.cuda.CudaBackends;
import java.util.Objects;

/**
 * What PyTorch's {@code torch.cuda.synchronize} and {@code torch.cuda.memory_allocated} give: waiting
 * for a device's queued ops (to time them) and the bytes its live tensors hold (to see that none
 * leaked). Both read a device only if a tensor was ever placed on it, so they never create a CUDA
 * context, and on a machine without CUDA they load nothing.
 */
public final class Cuda {
    private Cuda() {}

    /**
     * Waits until every op queued on {@code device} has finished. CUDA ops return as soon as they
     * are queued on the device's stream, so a clock read without this measures the queue; cpu and
     * meta ops finish before they return, and a CUDA device no tensor was placed on has nothing
     * queued: for those it returns at once.
     *
     * @throws CudaException if the device reports an error of an op that was queued earlier
     */
    public static void synchronize(Device device) {
        Objects.requireNonNull(device, "device");
        if (device.isCuda() && CudaBackends.started(device.index())) {
            Backends.of(device).synchronize();
        }
    }

    /**
     * The bytes that live tensors hold on the CUDA {@code device}, as its memory pool counts them
     * (each storage rounded up to the pool's size class); 0 if no tensor was ever placed there.
     * Blocks of tensors that became unreachable count until the garbage collector has found them.
     *
     * @throws IllegalArgumentException if {@code device} is not a CUDA device
     */
    public static long memoryAllocated(Device device) {
        Objects.requireNonNull(device, "device");
        if (!device.isCuda()) {
            throw new IllegalArgumentException("memoryAllocated: " + device + " is not a CUDA device");
        }
        return CudaBackends.started(device.index()) ? CudaBackends.memoryStats(device.index()).bytesInUse() : 0;
    }
}
