package dev.tensorj.backend.cuda;

import dev.tensorj.backend.Backend;
import dev.tensorj.backend.BackendException;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One backend per CUDA device, created on first use and kept for the life of the process: the
 * only cache of CUDA state (context, stream, kernels, memory pool). Also the few device-level
 * calls that tests and benchmarks need beyond the {@link Backend} interface.
 */
public final class CudaBackends {
    private static final Logger LOG = LoggerFactory.getLogger(CudaBackends.class);
    private static final ConcurrentHashMap<Integer, CudaBackend> BACKENDS = new ConcurrentHashMap<>();

    private CudaBackends() {}

    /**
     * The backend of {@code cuda:index}.
     *
     * @throws BackendException {@code UNAVAILABLE} when CUDA is unusable or there is no such device,
     *     {@code DEVICE_ERROR} when the device fails to initialise
     */
    public static Backend get(int index) {
        return backend(index);
    }

    private static CudaBackend backend(int index) {
        CudaBackend b = BACKENDS.get(index);
        if (b != null) {
            return b;
        }
        CudaStatus status = CudaStatus.get();
        if (!status.available()) {
            throw BackendException.unavailable("cannot use cuda:" + index + ": CUDA is unavailable: "
                    + status.describe(), status.cause());
        }
        if (index >= status.deviceCount()) {
            throw BackendException.unavailable("cannot use cuda:" + index + ": this machine has "
                    + status.deviceCount() + " CUDA device(s) (cuda:0 to cuda:" + (status.deviceCount() - 1) + ")", null);
        }
        // A failed initialisation throws out of computeIfAbsent and is not cached: the next use retries.
        return BACKENDS.computeIfAbsent(index, i -> {
            CudaBackend created = new CudaBackend(i);
            LOG.info("CUDA backend ready on {}", created.context().describe());
            return created;
        });
    }

    /**
     * Whether {@code cuda:index} has been used in this process (its backend exists): lets callers
     * read a device's state without creating a CUDA context on it.
     */
    public static boolean started(int index) {
        return BACKENDS.containsKey(index);
    }

    /** The memory pool's counters for {@code cuda:index}. */
    public static PoolStats memoryStats(int index) {
        return backend(index).pool().stats();
    }

    /** Waits until every op queued on {@code cuda:index} has finished (for timing). */
    public static void synchronize(int index) {
        CudaContext ctx = backend(index).context();
        try {
            ctx.synchronize();
        } catch (jcuda.CudaException e) {
            throw CudaErrors.wrap("synchronize", ctx.device, e);
        }
    }

    /** Returns the pool's cached blocks of {@code cuda:index} to the driver. */
    public static void emptyCache(int index) {
        backend(index).pool().emptyCache();
    }

    /** The device's name, compute capability and settings, for logs. */
    public static String describe(int index) {
        return backend(index).context().describe();
    }

    /** {@code {free, total}} bytes of device memory on {@code cuda:index}. */
    public static long[] memoryInfo(int index) {
        return new DeviceMemory(backend(index).context()).memoryInfo();
    }
}
