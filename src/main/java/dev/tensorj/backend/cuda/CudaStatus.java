package dev.tensorj.backend.cuda;

import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether CUDA can be used here, and if not, exactly why. Probed once, on first use (never on the
 * CPU path), and logged once. Every failure is caught here so that no class-initialisation error
 * poisons later calls.
 */
public final class CudaStatus {
    private static final Logger LOG = LoggerFactory.getLogger(CudaStatus.class);
    /** Driver API version 12.0, the oldest that JCuda 12.6's natives run on. */
    private static final int MIN_DRIVER_VERSION = 12000;

    private final boolean available;
    private final int deviceCount;
    private final int driverVersion;
    private final String reason;
    private final Throwable cause;

    private CudaStatus(boolean available, int deviceCount, int driverVersion, String reason, Throwable cause) {
        this.available = available;
        this.deviceCount = deviceCount;
        this.driverVersion = driverVersion;
        this.reason = reason;
        this.cause = cause;
    }

    private static final class Holder {
        static final CudaStatus STATUS = probe();
    }

    /** The probe's result; the first call probes and logs. */
    public static CudaStatus get() {
        return Holder.STATUS;
    }

    public boolean available() {
        return available;
    }

    public int deviceCount() {
        return deviceCount;
    }

    /** The CUDA driver API version, such as 13000, or 0 when no driver answered. */
    public int driverVersion() {
        return driverVersion;
    }

    /** The underlying error when unavailable, else {@code null}. */
    public Throwable cause() {
        return cause;
    }

    /** One line: available with what, or unavailable and why. */
    public String describe() {
        return reason;
    }

    private static CudaStatus probe() {
        CudaStatus s = probeQuietly();
        if (s.available) {
            LOG.info("CUDA available: {}", s.reason);
        } else {
            LOG.info("CUDA unavailable: {}", s.reason);
        }
        return s;
    }

    private static CudaStatus probeQuietly() {
        int[] version = {0};
        int[] count = {0};
        try {
            // Loads libJCudaDriver from the jcuda-natives jar; it needs only the driver (libcuda.so.1).
            JCudaDriver.setExceptionsEnabled(true);
            JCudaDriver.cuInit(0);
            JCudaDriver.cuDriverGetVersion(version);
            JCudaDriver.cuDeviceGetCount(count);
        } catch (UnsatisfiedLinkError e) {
            return unavailable(version[0], "no CUDA driver or JCuda driver natives could not be loaded ("
                    + firstLine(e) + ")", e);
        } catch (Throwable e) {
            return unavailable(version[0], "the CUDA driver failed to initialise (" + firstLine(e) + ")", e);
        }
        if (version[0] < MIN_DRIVER_VERSION) {
            return unavailable(version[0], "CUDA driver too old: API version " + fmt(version[0])
                    + ", JCuda 12.6 needs 12.0 or newer", null);
        }
        if (count[0] == 0) {
            return unavailable(version[0], "CUDA driver " + fmt(version[0]) + " found but no CUDA device", null);
        }
        try {
            // Loads libJCublas2, which links against libcublas.so.12 (see README: CUDA 13 machines).
            JCublas2.setExceptionsEnabled(true);
            JCublas2.initialize();
        } catch (Throwable e) {
            return unavailable(version[0], "cuBLAS could not be loaded: JCublas2 needs libcublas.so.12 ("
                    + firstLine(e) + ")", e);
        }
        return new CudaStatus(true, count[0], version[0],
                count[0] + " device(s), driver API " + fmt(version[0]), null);
    }

    private static CudaStatus unavailable(int version, String reason, Throwable cause) {
        return new CudaStatus(false, 0, version, reason, cause);
    }

    private static String fmt(int v) {
        return v / 1000 + "." + (v % 1000) / 10;
    }

    /**
     * The informative part of a loader error: JCuda's UnsatisfiedLinkError lists every attempt,
     * and the one that matters names the missing library ({@code libcuda.so.1: cannot open ...}).
     */
    private static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        for (String line : m.split("\n")) {
            int so = line.indexOf(".so: ");
            if (so >= 0 && line.startsWith("java.lang.UnsatisfiedLinkError")) {
                return line.substring(so + 5).trim();
            }
        }
        int nl = m.indexOf('\n');
        return e.getClass().getSimpleName() + ": " + (nl < 0 ? m : m.substring(0, nl));
    }
}
