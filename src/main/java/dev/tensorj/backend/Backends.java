package dev.tensorj.backend;

import dev.tensorj.Device;
import dev.tensorj.backend.cpu.CpuBackend;
import dev.tensorj.backend.cuda.CudaBackends;
import dev.tensorj.backend.meta.MetaBackend;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Device → backend, each wrapped once in a {@link CountingBackend}. CUDA is reached through
 * {@link CudaBackends} only when a CUDA device is used, so the CPU path never loads a JCuda class
 * or native library.
 */
public final class Backends {
    /**
     * Counters are always on; {@code -Dtensorj.counters=false} exists only to measure what they
     * cost (a static final, so the JIT drops the wrapper entirely).
     */
    private static final boolean COUNTING = !"false".equals(System.getProperty("tensorj.counters"));
    private static final Backend CPU = wrap(CpuBackend.INSTANCE);
    private static final Backend META = wrap(MetaBackend.INSTANCE);
    private static final ConcurrentHashMap<Integer, Backend> CUDA = new ConcurrentHashMap<>();

    private Backends() {}

    /**
     * The backend of {@code device}.
     *
     * @throws dev.tensorj.CudaUnavailableException for a CUDA device that cannot be used
     */
    public static Backend of(Device device) {
        switch (device.type()) {
            case CPU:
                return CPU;
            case META:
                return META;
            case CUDA:
                // CudaBackends.get throws when CUDA is unusable; nothing is cached then.
                return CUDA.computeIfAbsent(device.index(), i -> wrap(CudaBackends.get(i)));
            default:
                throw new AssertionError(device);
        }
    }

    /** The backend of {@code device}, counting one op dispatched there. */
    public static Backend forOp(Device device) {
        Backend b = of(device);
        if (b instanceof CountingBackend) {
            ((CountingBackend) b).countOp();
        }
        return b;
    }

    private static Backend wrap(Backend b) {
        return COUNTING ? new CountingBackend(b) : b;
    }
}
