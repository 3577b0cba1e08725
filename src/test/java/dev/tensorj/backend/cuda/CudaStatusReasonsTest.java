package dev.tensorj.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.CudaTestTally;
import dev.tensorj.backend.cuda.CudaStatus.Reason;
import dev.tensorj.backend.cuda.CudaStatus.Result;
import org.junit.jupiter.api.Test;

/**
 * Why CUDA is unavailable, told from the errors the driver and JCuda's loader really raise (their
 * messages as JCuda 12.6 words them, reproduced here), and what the probe says on this machine. No
 * GPU needed: each failure is fed to the classification the probe uses.
 */
class CudaStatusReasonsTest {

    /** JCuda lists every attempt to load its library; the one that matters names the missing library. */
    private static UnsatisfiedLinkError loaderError(String library, String reason) {
        return new UnsatisfiedLinkError("Error while loading native library \"" + library + "-12.6.0-linux-x86_64\"\n"
                + "Operating system name: Linux\n"
                + "Stack trace from the attempt to load the library as a file:\n"
                + "java.lang.UnsatisfiedLinkError: no " + library + "-12.6.0-linux-x86_64 in java.library.path\n"
                + "Stack trace from the attempt to load the library as a resource:\n"
                + "java.lang.UnsatisfiedLinkError: /tmp/lib" + library + "-12.6.0-linux-x86_64.so: " + reason + "\n"
                + "\tat java.base/jdk.internal.loader.NativeLibraries.load(Native Method)");
    }

    private static void assertUnavailable(Result r, Reason reason, int version, String message, Throwable cause) {
        assertFalse(r.available());
        assertEquals(reason, r.reason());
        assertEquals(message, r.message());
        assertEquals(0, r.deviceCount());
        assertEquals(version, r.driverVersion());
        assertSame(cause, r.cause());
    }

    @Test
    void aMissingDriverIsToldFromMissingNatives() {
        UnsatisfiedLinkError noDriver = loaderError("JCudaDriver", "libcuda.so.1: cannot open shared object file: "
                + "No such file or directory");
        assertUnavailable(CudaStatus.driverFailed(noDriver, 12060), Reason.NO_DRIVER, 0,
                "no NVIDIA driver: libcuda.so.1: cannot open shared object file: No such file or directory"
                        + " (install the NVIDIA driver, R525 or newer)", noDriver);
        UnsatisfiedLinkError noNatives = new UnsatisfiedLinkError("no JCudaDriver-12.6.0-linux-x86_64 in java.library.path\n"
                + "  at somewhere: libfoo.so: here");
        assertUnavailable(CudaStatus.driverFailed(noNatives, 0), Reason.NATIVES_MISSING, 0,
                "JCuda's native driver library could not be loaded: UnsatisfiedLinkError: no "
                        + "JCudaDriver-12.6.0-linux-x86_64 in java.library.path (the jcuda-natives jar for this "
                        + "platform must be on the classpath)", noNatives);
    }

    @Test
    void aDriverWithoutDevicesOrFailingToStartKeepsItsVersionAndError() {
        jcuda.CudaException none = new jcuda.CudaException("CUDA_ERROR_NO_DEVICE");
        assertUnavailable(CudaStatus.driverFailed(none, 12060), Reason.NO_DEVICE, 12060,
                "the CUDA driver found no device (CUDA_ERROR_NO_DEVICE)", none);
        jcuda.CudaException broken = new jcuda.CudaException("CUDA_ERROR_UNKNOWN\nsecond line");
        assertUnavailable(CudaStatus.driverFailed(broken, 12020), Reason.INIT_FAILED, 12020,
                "the CUDA driver failed to initialise: CudaException: CUDA_ERROR_UNKNOWN", broken);
        RuntimeException bare = new RuntimeException((String) null);
        assertEquals("the CUDA driver failed to initialise: RuntimeException: null",
                CudaStatus.driverFailed(bare, 0).message());
    }

    @Test
    void aDriverThatAnsweredIsUsableFromApi12WithADevice() {
        assertNull(CudaStatus.driverUnusable(12000, 1));
        assertNull(CudaStatus.driverUnusable(12060, 8));
        assertUnavailable(CudaStatus.driverUnusable(11080, 2), Reason.DRIVER_TOO_OLD, 11080,
                "CUDA driver too old: API version 11.8, JCuda 12.6 needs 12.0 or newer (driver R525+)", null);
        assertEquals(Reason.DRIVER_TOO_OLD, CudaStatus.driverUnusable(11999, 1).reason());
        assertUnavailable(CudaStatus.driverUnusable(12060, 0), Reason.NO_DEVICE, 12060,
                "CUDA driver 12.6 found but no CUDA device is visible", null);
        assertEquals("12.0", CudaStatus.fmt(12000));
        assertEquals("13.1", CudaStatus.fmt(13010));
    }

    @Test
    void aMissingCublasIsToldFromOneOfTheWrongVersion() {
        UnsatisfiedLinkError missing = loaderError("JCublas2", "libcublas.so.12: cannot open shared object file");
        assertUnavailable(CudaStatus.cublasFailed(missing, 12060), Reason.CUBLAS_MISSING, 12060,
                "cuBLAS unusable: JCublas2 needs libcublas.so.12 from CUDA 12 (libcublas.so.12: cannot open shared "
                        + "object file); on a CUDA 13-only machine see the README's CUDA section", missing);
        UnsatisfiedLinkError versioned = loaderError("JCublas2",
                "/usr/lib/libcublasLt.so.12: version `libcublasLt.so.12' not found");
        assertEquals(Reason.CUBLAS_WRONG_VERSION, CudaStatus.cublasFailed(versioned, 12060).reason());
        UnsatisfiedLinkError symbol = loaderError("JCublas2", "undefined symbol: cublasSgemmStridedBatched_64");
        assertEquals(Reason.CUBLAS_WRONG_VERSION, CudaStatus.cublasFailed(symbol, 12060).reason());
    }

    /** In the emulated runs the probe found the emulator: one device, driver API 12.6 (its README). */
    @Test
    void theProbeOnThisMachine() {
        CudaStatus status = CudaStatus.get();
        Result r = status.result();
        assertEquals(r.available(), status.available());
        assertEquals(r.deviceCount(), status.deviceCount());
        assertSame(r.cause(), status.cause());
        assertEquals(r.message(), status.describe());
        assertEquals(r.available(), r.reason() == Reason.AVAILABLE);
        if (r.available()) {
            assertNull(r.cause());
        }
        if (CudaTestTally.emulatedRun() && System.getenv("TENSORJ_EMU_DEVICES") == null) {
            assertTrue(r.available(), r.message());
            assertEquals(1, r.deviceCount());
            assertEquals(12060, r.driverVersion());
            assertEquals("1 device(s), driver API 12.6", r.message());
        }
    }
}
