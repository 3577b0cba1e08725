package dev.tensorj.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Device;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/** The documented defaults of {@link Progress} can be set explicitly, and mean what they say. */
class ProgressDefaultsTest {
    private final AtomicLong now = new AtomicLong();
    private final List<String> lines = new ArrayList<>();

    private Progress progress() {
        Logger log = (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class},
                (proxy, m, args) -> switch (m.getName()) {
                    case "info" -> {
                        lines.add((String) args[0]);
                        yield null;
                    }
                    case "getName" -> Progress.LOGGER;
                    default -> m.getReturnType() == boolean.class ? true : null;
                });
        return new Progress(Device.CPU, now::get, log);
    }

    @Test
    void logEveryZeroLogsPerEpochOnly() {
        Progress p = progress().logEvery(3).logEvery(0);
        for (int i = 1; i <= 4; i++) {
            now.set(i * 1_000_000_000L);
            p.step(1.0, 1);
        }
        p.endEpoch();
        assertEquals(List.of("epoch 1: loss 1.000000, 1.0 samples/s, 4.00 s on cpu"), lines);
    }

    @Test
    void stepsPerEpochZeroLeavesTheTotalOut() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress p = progress().stepsPerEpoch(5).stepsPerEpoch(0)
                .liveLine(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        now.set(1_000_000_000L);
        p.step(1.0, 2);
        assertEquals("\repoch 1 step 1: loss 1.000000, 2.0 samples/s", bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void startingAtOneIsTheDefaultNumbering() {
        Progress p = progress().startingAt(5).startingAt(1);
        assertEquals(1, p.endEpoch().epoch());
        assertTrue(lines.get(0).startsWith("epoch 1: "), lines.get(0));
    }
}
