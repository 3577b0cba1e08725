package dev.tensorj;

import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The devices every value test runs on. Use with
 * {@code @ParameterizedTest @MethodSource("dev.tensorj.TestDevices#devices")} and start the test with
 * {@link #assumeAvailable}: CUDA cases then skip with the reason CUDA cannot be used here.
 */
public final class TestDevices {
    private TestDevices() {}

    public static Stream<Device> devices() {
        return Stream.of(Device.CPU, Device.cuda(0));
    }

    /** Skips the calling test (with a stated reason) when {@code device} is a CUDA device that cannot be used. */
    public static void assumeAvailable(Device device) {
        if (device.isCuda()) {
            Assumptions.assumeTrue(Device.isCudaAvailable(), () -> "no CUDA device: " + Device.cudaStatus());
        }
    }
}
