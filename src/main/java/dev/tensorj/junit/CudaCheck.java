package dev.tensorj.junit;

import dev.tensorj.CudaAvailability;
import dev.tensorj.Device;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The one rule for a test that needs a CUDA device: run, skip with the probed reason, or fail. */
final class CudaCheck {
    /** The system property that turns a missing CUDA device into a failure. */
    static final String RUN_PROPERTY = "tensorj.test.cuda";
    /** The report entry each CUDA case publishes, its value the device. */
    static final String REPORT_KEY = "tensorj.cuda";

    private CudaCheck() {}

    /**
     * Returns when {@code device} (a CUDA device) can be used; otherwise aborts the test (JUnit
     * reports it skipped, with the reason), or fails it where {@code -Dtensorj.test.cuda} is
     * {@code required} (or {@code emulated}, tensorj's own runs on its CUDA emulator).
     */
    static void require(ExtensionContext context, Device device) {
        context.publishReportEntry(REPORT_KEY, device.toString());
        String why = unusable(device);
        if (why == null) {
            return;
        }
        String expected = System.getProperty(RUN_PROPERTY, "");
        if (expected.equals("required") || expected.equals("emulated")) {
            Assertions.fail("this run expects a CUDA device (" + RUN_PROPERTY + "=" + expected + "), but " + why);
        }
        Assumptions.abort(why);
    }

    /** Why {@code device} cannot be used, or null when it can. */
    static String unusable(Device device) {
        CudaAvailability status = Device.cudaStatus();
        if (!status.available()) {
            return "no CUDA device: " + status;
        }
        if (device.index() >= status.deviceCount()) {
            return "no " + device + ": this machine has " + status.deviceCount() + " CUDA device(s)";
        }
        return null;
    }
}
