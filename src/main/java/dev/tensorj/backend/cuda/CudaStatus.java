package dev.tensorj.backend.cuda;

import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes, once and on first use (never on the CPU path), whether CUDA can be used here, and logs
 * the answer once. Every failure is caught here so that no class-initialisation error poisons
 * later calls.
 */
public final class CudaStatus {
    private static final Logger LOG = LoggerFactory.getLogger(CudaStatus.class);
    /** Driver API version 12.0, the oldest that JCuda 12.6's natives run on. */
    private static final int MIN_DRIVER_VERSION = 12000;

    /**
     * Why CUDA is or is not usable. The public {@code CudaAvailability.Reason} has the same
     * constants (a test checks), so the API converts by name.
     */
    public enum Reason {
        AVAILABLE,
        NO_DRIVER,
        NATIVES_MISSING,
        DRIVER_TOO_OLD,
        NO_DEVICE,
        CUBLAS_MISSING,
        CUBLAS_WRONG_VERSION,
        INIT_FAILED
    }

    /** The probe's findings. */
    public record Result(boolean available, Reason reason, String message, int deviceCount, int driverVersion,
                         Throwable cause) {}

    private final Result availability;

    private CudaStatus(Result availability) {
        this.availability = availability;
    }

    private static final class Holder {
        static final CudaStatus STATUS = probe();
    }

    /** The probe's result; the first call probes and logs. */
    public static CudaStatus get() {
        return Holder.STATUS;
    }

    public Result result() {
        return availability;
    }

    public boolean available() {
        return availability.available();
    }

    public int deviceCount() {
        return availability.deviceCount();
    }

    /** The underlying error when unavailable, else {@code null}. */
    public Throwable cause() {
        return availability.cause();
    }

    /** One line: available with what, or unavailable and why. */
    public String describe() {
        return availability.message();
    }

    private static CudaStatus probe() {
        Result a = probeQuietly();
        if (a.available()) {
            LOG.info("CUDA available: {}; loaded natives JCudaDriver and JCublas2 (JCuda 12.6.0)", a.message());
        } else {
            LOG.info("CUDA unavailable ({}): {}", a.reason(), a.message());
        }
        return new CudaStatus(a);
    }

    private static Result probeQuietly() {
        int[] version = {0};
        int[] count = {0};
        try {
            // Loads libJCudaDriver from the jcuda-natives jar; it needs only the driver (libcuda.so.1).
            JCudaDriver.setExceptionsEnabled(true);
            JCudaDriver.cuInit(0);
            JCudaDriver.cuDriverGetVersion(version);
            JCudaDriver.cuDeviceGetCount(count);
        } catch (Throwable e) {
            return driverFailed(e, version[0]);
        }
        Result unusable = driverUnusable(version[0], count[0]);
        if (unusable != null) {
            return unusable;
        }
        try {
            // Loads libJCublas2, which links against libcublas.so.12 (README: CUDA 13-only machines).
            JCublas2.setExceptionsEnabled(true);
            JCublas2.initialize();
        } catch (Throwable e) {
            return cublasFailed(e, version[0]);
        }
        return new Result(true, Reason.AVAILABLE, count[0] + " device(s), driver API "
                + fmt(version[0]), count[0], version[0], null);
    }

    /** Why the driver's first calls ({@code cuInit} and the queries after it) threw {@code e}. */
    static Result driverFailed(Throwable e, int version) {
        if (e instanceof UnsatisfiedLinkError) {
            String detail = loaderDetail(e);
            if (detail.contains("libcuda.so")) {
                return unavailable(Reason.NO_DRIVER, 0, "no NVIDIA driver: " + detail
                        + " (install the NVIDIA driver, R525 or newer)", e);
            }
            return unavailable(Reason.NATIVES_MISSING, 0, "JCuda's native driver library could not be loaded: "
                    + detail + " (the jcuda-natives jar for this platform must be on the classpath)", e);
        }
        if (String.valueOf(e.getMessage()).contains("CUDA_ERROR_NO_DEVICE")) {
            return unavailable(Reason.NO_DEVICE, version, "the CUDA driver found no device ("
                    + e.getMessage() + ")", e);
        }
        return unavailable(Reason.INIT_FAILED, version, "the CUDA driver failed to initialise: "
                + loaderDetail(e), e);
    }

    /** Why a driver that answered cannot be used, or {@code null} when it can. */
    static Result driverUnusable(int version, int count) {
        if (version < MIN_DRIVER_VERSION) {
            return unavailable(Reason.DRIVER_TOO_OLD, version, "CUDA driver too old: API version "
                    + fmt(version) + ", JCuda 12.6 needs 12.0 or newer (driver R525+)", null);
        }
        if (count == 0) {
            return unavailable(Reason.NO_DEVICE, version, "CUDA driver " + fmt(version)
                    + " found but no CUDA device is visible", null);
        }
        return null;
    }

    /** Why loading cuBLAS threw {@code e}. */
    static Result cublasFailed(Throwable e, int version) {
        String detail = loaderDetail(e);
        Reason r = detail.contains("version") || detail.contains("undefined symbol")
                ? Reason.CUBLAS_WRONG_VERSION : Reason.CUBLAS_MISSING;
        return unavailable(r, version, "cuBLAS unusable: JCublas2 needs libcublas.so.12 from CUDA 12 ("
                + detail + "); on a CUDA 13-only machine see the README's CUDA section", e);
    }

    private static Result unavailable(Reason reason, int version, String message, Throwable cause) {
        return new Result(false, reason, message, 0, version, cause);
    }

    static String fmt(int v) {
        return v / 1000 + "." + (v % 1000) / 10;
    }

    /**
     * The informative part of a loader error: JCuda's UnsatisfiedLinkError lists every attempt,
     * and the one that matters names the missing library ({@code libcuda.so.1: cannot open ...}).
     */
    static String loaderDetail(Throwable e) {
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
