package dev.tensorj;

import dev.tensorj.backend.cuda.CudaStatus;
import java.util.Locale;
import java.util.Objects;

/**
 * Where a tensor's data lives and where the ops on it run: {@code cpu}, {@code cuda:N} or
 * {@code meta} (shapes only, no data). Value semantics: two devices of the same type and index
 * are equal, and {@link #toString()} gives the name PyTorch users know ({@code cpu}, {@code cuda:0}).
 *
 * <p>Naming a CUDA device never loads CUDA; using one does. Without a usable CUDA installation
 * {@link #isCudaAvailable()} is {@code false} and {@link #cudaStatus()} says why.
 */
public final class Device {

    /** The kinds of device tensorj knows. */
    public enum Type { CPU, CUDA, META }

    /** The host. */
    public static final Device CPU = new Device(Type.CPU, -1);
    /** A device that holds shapes but no data: ops compute output shapes only. */
    public static final Device META = new Device(Type.META, -1);

    private static final int CACHED_CUDA = 16;
    private static final Device[] CUDA_DEVICES = new Device[CACHED_CUDA];

    static {
        for (int i = 0; i < CACHED_CUDA; i++) {
            CUDA_DEVICES[i] = new Device(Type.CUDA, i);
        }
    }

    private final Type type;
    private final int index;

    private Device(Type type, int index) {
        this.type = type;
        this.index = index;
    }

    /** {@code cuda:0}. */
    public static Device cuda() {
        return cuda(0);
    }

    /**
     * {@code cuda:index}. Naming a device does not check that it exists; the first tensor placed
     * on it does.
     *
     * @throws IllegalArgumentException if {@code index} is negative
     */
    public static Device cuda(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("CUDA device index must be >= 0, got " + index);
        }
        return index < CACHED_CUDA ? CUDA_DEVICES[index] : new Device(Type.CUDA, index);
    }

    /**
     * Parses {@code "cpu"}, {@code "cuda"}, {@code "cuda:N"} or {@code "meta"} (case-insensitive).
     *
     * @throws IllegalArgumentException for any other name
     */
    public static Device of(String name) {
        Objects.requireNonNull(name, "name");
        String s = name.trim().toLowerCase(Locale.ROOT);
        switch (s) {
            case "cpu":
                return CPU;
            case "meta":
                return META;
            case "cuda":
                return cuda(0);
            default:
                if (s.startsWith("cuda:")) {
                    try {
                        return cuda(Integer.parseInt(s.substring(5)));
                    } catch (NumberFormatException e) {
                        // fall through to the error below
                    }
                }
                throw new IllegalArgumentException(
                        "unknown device '" + name + "': expected cpu, cuda, cuda:N or meta");
        }
    }

    /** Whether at least one CUDA device can be used (driver, JCuda natives and cuBLAS all load). */
    public static boolean isCudaAvailable() {
        return CudaStatus.get().available();
    }

    /** The number of usable CUDA devices; 0 when CUDA is unavailable. */
    public static int cudaDeviceCount() {
        return CudaStatus.get().deviceCount();
    }

    /**
     * Whether CUDA is usable and, if not, why (no driver, natives missing, cuBLAS missing or the
     * wrong version, driver too old ...), with the underlying error. Probed once, on first use,
     * and logged once; its {@code toString()} is one line for people.
     */
    public static CudaAvailability cudaStatus() {
        CudaStatus.Result r = CudaStatus.get().result();
        return new CudaAvailability(r.available(), CudaAvailability.Reason.valueOf(r.reason().name()), r.message(),
                r.deviceCount(), r.driverVersion(), r.cause());
    }

    /** {@code cuda:0} when CUDA is available, otherwise {@code cpu}. Logs the choice. */
    public static Device best() {
        Device d = isCudaAvailable() ? cuda(0) : CPU;
        DeviceLog.chosen(d);
        return d;
    }

    public Type type() {
        return type;
    }

    /** The CUDA ordinal, or -1 for cpu and meta. */
    public int index() {
        return index;
    }

    public boolean isCpu() {
        return type == Type.CPU;
    }

    public boolean isCuda() {
        return type == Type.CUDA;
    }

    public boolean isMeta() {
        return type == Type.META;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Device && ((Device) o).type == type && ((Device) o).index == index;
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 + index;
    }

    @Override
    public String toString() {
        return type == Type.CUDA ? "cuda:" + index : type.name().toLowerCase(Locale.ROOT);
    }
}
