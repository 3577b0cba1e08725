package dev.tensorj;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs device choices, once per distinct choice, so a training log says where it ran. */
final class DeviceLog {
    private static final Logger LOG = LoggerFactory.getLogger(Device.class);
    private static volatile Device lastChosen;

    private DeviceLog() {}

    static void chosen(Device d) {
        if (!d.equals(lastChosen)) {
            lastChosen = d;
            if (d.isCuda()) {
                LOG.info("Device.best(): using {} ({})", d, Device.cudaStatus());
            } else {
                LOG.info("Device.best(): using cpu; CUDA unavailable: {}", Device.cudaStatus());
            }
        }
    }
}
