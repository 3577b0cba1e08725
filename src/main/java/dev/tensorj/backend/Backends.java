package dev.tensorj.backend;

import dev.tensorj.Device;
import dev.tensorj.backend.cpu.CpuBackend;
import dev.tensorj.backend.cuda.CudaBackends;
import dev.tensorj.backend.meta.MetaBackend;

/**
 * Device → backend. CUDA is reached through {@link CudaBackends} only when a CUDA device is used,
 * so the CPU path never loads a JCuda class or native library.
 */
public final class Backends {
    private Backends() {}

    /**
     * The backend of {@code device}.
     *
     * @throws dev.tensorj.CudaUnavailableException for a CUDA device that cannot be used
     */
    public static Backend of(Device device) {
        switch (device.type()) {
            case CPU:
                return CpuBackend.INSTANCE;
            case META:
                return MetaBackend.INSTANCE;
            case CUDA:
                return CudaBackends.get(device.index());
            default:
                throw new AssertionError(device);
        }
    }
}
