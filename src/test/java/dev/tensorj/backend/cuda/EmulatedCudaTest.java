package dev.tensorj.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tensorj.CudaTestTally;
import dev.tensorj.Device;
import org.junit.jupiter.api.Test;

/**
 * The emulated runs of the suite really run on the CUDA emulator (src/test/cuda-emulator): the
 * device is usable and says that it is an emulation. A run that found no driver, or found a real
 * GPU first on the library path, would otherwise pass for what it is not. In the run with delayed
 * stream tasks, the emulator took the delay.
 */
class EmulatedCudaTest {

    @Test
    void theEmulatedRunRunsOnTheEmulator() {
        assumeTrue(CudaTestTally.emulatedRun(), "runs only in the test runs on the CUDA emulator (-D"
                + CudaTestTally.CUDA_RUN_PROPERTY + "=emulated)");
        assertTrue(Device.isCudaAvailable(), () -> "the emulator did not load: " + Device.cudaStatus());
        String device = CudaBackends.describe(0);
        assertTrue(CudaTestTally.isEmulator(device), device);
        String delay = System.getenv("TENSORJ_EMU_STREAM_DELAY_US");
        if (delay != null && !delay.equals("0")) {
            assertTrue(device.contains("stream tasks delayed " + delay + " us"), device);
        }
    }
}
