package dev.tensorj.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tensorj.Device;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/**
 * {@link Progress}'s live line as a person at a terminal sees it: shown at once (flushed, even on a
 * buffered stream), cleared before every log line (so a log line never lands in the middle of it),
 * redrawn at exactly 200 ms, and absent where the output is not a terminal (as under Maven).
 */
class ProgressLiveLineTest {
    private final AtomicLong now = new AtomicLong();
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    /** Each log line, with what the screen held when it was logged. */
    private final List<String> logged = new ArrayList<>();

    private String screen() {
        return screen.toString(StandardCharsets.UTF_8);
    }

    private Progress progress() {
        Logger log = (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class},
                (proxy, m, args) -> switch (m.getName()) {
                    case "info" -> {
                        logged.add(screen() + "|" + args[0]);
                        yield null;
                    }
                    case "getName" -> Progress.LOGGER;
                    default -> m.getReturnType() == boolean.class ? true : null;
                });
        return new Progress(Device.CPU, now::get, log);
    }

    /** A stream that holds what is printed until it is flushed, as a buffered System.err would. */
    private PrintStream buffered() {
        return new PrintStream(new BufferedOutputStream(screen, 1 << 16), false, StandardCharsets.UTF_8);
    }

    @Test
    void theLineIsFlushedAtEachDrawAndAtEachClear() {
        Progress p = progress().liveLine(buffered());
        now.set(1_000_000_000L);
        p.step(1.0, 4);
        String line = "epoch 1 step 1: loss 1.000000, 4.0 samples/s";
        assertEquals("\r" + line, screen(), "drawn and shown at once");
        now.set(2_000_000_000L);
        p.endEpoch();
        assertEquals("\r" + line + "\r" + " ".repeat(line.length()) + "\r", screen(), "cleared and shown at once");
        assertEquals(List.of("\r" + line + "\r" + " ".repeat(line.length()) + "\r"
                + "|epoch 1: loss 1.000000, 4.0 samples/s, 2.00 s on cpu"), logged);
    }

    @Test
    void theLineIsClearedBeforeEachStepLogLineAndDrawnAgainAfter() {
        Progress p = progress().logEvery(2).liveLine(buffered());
        now.set(1_000_000_000L);
        p.step(2.0, 4);
        now.set(1_500_000_000L);
        p.step(1.0, 4);
        String first = "epoch 1 step 1: loss 2.000000, 4.0 samples/s";
        String second = "epoch 1 step 2: loss 1.500000, 5.3 samples/s";
        String cleared = "\r" + first + "\r" + " ".repeat(first.length()) + "\r";
        assertEquals(List.of(cleared + "|epoch 1 step 2: loss 1.500000, 5.3 samples/s"), logged);
        assertEquals(cleared + "\r" + second, screen());
    }

    @Test
    void theLineIsRedrawnAtExactly200ms() {
        Progress p = progress().liveLine(buffered());
        now.set(1_000_000_000L);
        p.step(1.0, 1);
        now.set(1_199_999_999L);
        p.step(1.0, 1);
        now.set(1_200_000_000L);
        p.step(1.0, 1);
        String first = "epoch 1 step 1: loss 1.000000, 1.0 samples/s";
        String third = "epoch 1 step 3: loss 1.000000, 2.5 samples/s";
        assertEquals("\r" + first + "\r" + third, screen());
    }

    /** Under Maven the output is not a terminal: the public constructor draws nothing on System.err. */
    @Test
    void noLiveLineWhereTheOutputIsNotATerminal() {
        assertNull(System.console(), "this test assumes it does not run on a terminal");
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        Progress p;
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            p = new Progress(Device.CPU);
            p.step(1.0, 8);
            p.step(0.5, 8);
        } finally {
            System.setErr(err);
        }
        assertEquals("", captured.toString(StandardCharsets.UTF_8));
        assertEquals(0.75, p.endEpoch().loss());
    }
}
