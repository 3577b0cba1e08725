package dev.tensorj;

import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The devices every value test runs on, and the one place that decides what a CUDA test does
 * without a device. Use with {@code @ParameterizedTest @MethodSource("dev.tensorj.TestDevices#devices")}
 * and start the test with {@link #assumeAvailable} (or {@link #requireCuda()} for a CUDA-only test).
 *
 * <p>Without a usable device a CUDA test skips, with the probed reason. Where a device is expected,
 * the same test fails instead, so that a device that did not load cannot hide as a run of skipped
 * tests: {@code -Dtensorj.test.cuda=emulated} in the runs on the CUDA emulator (the Maven profile
 * {@code cuda-emulator}), {@code -Dtensorj.test.cuda=required} on a GPU host (the GPU script).
 * Either way the test is counted as a CUDA test by {@link CudaTestTally}.
 */
public final class TestDevices {
    /** The system property that marks a run where a CUDA device must be usable. */
    public static final String CUDA_RUN_PROPERTY = "tensorj.test.cuda";

    private TestDevices() {}

    public static Stream<Device> devices() {
        return Stream.of(Device.CPU, Device.cuda(0));
    }

    /** Skips (or, in an emulated run, fails) the calling test when {@code device} is a CUDA device that cannot be used. */
    public static void assumeAvailable(Device device) {
        if (device.isCuda()) {
            requireCuda();
        }
    }

    /** Skips (or, in an emulated run, fails) the calling test unless CUDA is usable. */
    public static void requireCuda() {
        CudaTestTally.markCudaTest();
        String expected = System.getProperty(CUDA_RUN_PROPERTY);
        if ("emulated".equals(expected) || "required".equals(expected)) {
            Assertions.assertTrue(Device.isCudaAvailable(), () -> "this run expects a CUDA device ("
                    + CUDA_RUN_PROPERTY + "=" + expected + "), but CUDA is unavailable: " + Device.cudaStatus());
        }
        Assumptions.assumeTrue(Device.isCudaAvailable(), () -> "no CUDA device: " + Device.cudaStatus());
    }

    /** Whether this is one of the runs on the CUDA emulator. */
    public static boolean emulatedRun() {
        return "emulated".equals(System.getProperty(CUDA_RUN_PROPERTY));
    }

    /** Whether a device description (its name as the driver gives it) is the CUDA emulator's. */
    public static boolean isEmulator(String deviceDescription) {
        return deviceDescription.contains("tensorj CUDA emulator");
    }
}
