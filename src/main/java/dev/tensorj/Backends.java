package dev.tensorj;

import dev.tensorj.backend.BackendException;
import dev.tensorj.backend.cpu.CpuBackend;
import dev.tensorj.backend.cuda.CudaBackends;
import dev.tensorj.backend.meta.MetaBackend;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Device → its {@link DeviceBackend}. CUDA is reached through {@link CudaBackends} (which keeps the
 * CUDA state, once per device) only when a CUDA device is used, so the CPU path never loads a
 * JCuda class or native library.
 */
final class Backends {
    private static final DeviceBackend CPU = new DeviceBackend(Device.CPU, CpuBackend.INSTANCE);
    private static final DeviceBackend META = new DeviceBackend(Device.META, MetaBackend.INSTANCE);
    /** The engine's views of CUDA backends, by index: cheap wrappers, made once so ops allocate nothing. */
    private static final AtomicReferenceArray<DeviceBackend> CUDA = new AtomicReferenceArray<>(64);

    private Backends() {}

    /**
     * The backend of {@code device}.
     *
     * @throws CudaUnavailableException for a CUDA device that cannot be used
     */
    static DeviceBackend of(Device device) {
        switch (device.type()) {
            case CPU:
                return CPU;
            case META:
                return META;
            case CUDA:
                return cuda(device);
            default:
                throw new AssertionError(device);
        }
    }

    private static DeviceBackend cuda(Device device) {
        int i = device.index();
        DeviceBackend b = i < CUDA.length() ? CUDA.get(i) : null;
        if (b != null) {
            return b;
        }
        try {
            // Throws when CUDA is unusable; nothing is kept then, so the next use retries.
            b = new DeviceBackend(device, CudaBackends.get(i));
        } catch (BackendException e) {
            throw DeviceBackend.translate(device, e);
        }
        if (i < CUDA.length()) {
            CUDA.compareAndSet(i, null, b); // a racing thread's wrapper is as good: both wrap the one backend
        }
        return b;
    }

    /** The backend of {@code device}, counting one op dispatched there. */
    static DeviceBackend forOp(Device device) {
        DeviceBackend b = of(device);
        b.countOp();
        return b;
    }
}
