package dev.tensorj.junit;

import dev.tensorj.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The devices a device-parameterised test runs on: cpu, then each cuda:N of this machine, then meta
 * when asked. Where CUDA is unusable the list still holds {@code cuda:0}, so that the CUDA case is
 * reported as skipped with the reason rather than missing. {@link DevicesSource} yields these; a
 * source of your own that combines them with other arguments uses this class and marks the test
 * {@link CheckDevices}.
 */
public final class DeviceCases {
    private DeviceCases() {}

    /** cpu and each CUDA device (at least {@code cuda:0}). */
    public static Stream<Device> devices() {
        return list(false).stream();
    }

    /** As {@link #devices()}, then {@code meta}. */
    public static Stream<Device> devicesAndMeta() {
        return list(true).stream();
    }

    static List<Device> list(boolean meta) {
        List<Device> out = new ArrayList<>();
        out.add(Device.CPU);
        int cuda = Math.max(1, Device.cudaDeviceCount());
        for (int i = 0; i < cuda; i++) {
            out.add(Device.cuda(i));
        }
        if (meta) {
            out.add(Device.META);
        }
        return out;
    }
}
