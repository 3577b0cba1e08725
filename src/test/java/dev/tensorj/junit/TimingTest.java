package dev.tensorj.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Device;
import dev.tensorj.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * {@link Timing}: the clock is read only after the device was synchronised, warm-up runs are not
 * measured, a comparison alternates, and the statistics are those of the runs.
 */
class TimingTest {

    /** A fake clock that advances by the given steps, and a log of what happened in which order. */
    private static final class Script {
        final List<String> log = new ArrayList<>();
        final long[] ticks;
        int next;

        Script(long... ticks) {
            this.ticks = ticks;
        }

        long clock() {
            log.add("clock");
            return ticks[next++];
        }
    }

    @Test
    void theDeviceIsSynchronisedBeforeEachClockReadAndWarmUpRunsAreNotTimed() {
        Script s = new Script(0, 5, 100, 103, 200, 209);
        Timing t = Timing.withClock(Device.CPU, () -> s.log.add("sync"), s::clock).warmup(2).repeats(3);
        Timing.Result r = t.measure(() -> s.log.add("block"));
        assertEquals(List.of("block", "block", // warm-up: no clock
                "sync", "clock", "block", "sync", "clock",
                "sync", "clock", "block", "sync", "clock",
                "sync", "clock", "block", "sync", "clock"), s.log);
        assertEquals(List.of(5L, 3L, 9L), java.util.Arrays.stream(r.nanos()).boxed().toList());
        assertEquals(Duration.ofNanos(5), r.median());
        assertEquals(Duration.ofNanos(3), r.min());
        assertEquals(Duration.ofNanos(9), r.max());
        assertEquals("median 0.000 ms (min 0.000 ms, max 0.000 ms; 3 runs on cpu)", r.toString());
    }

    @Test
    void aComparisonAlternatesAndRatesTheMedians() {
        Script s = new Script(0, 10, 0, 20, 0, 30, 0, 40);
        Timing t = Timing.withClock(Device.CPU, () -> { }, s::clock).warmup(1).repeats(2);
        Timing.Comparison c = t.compare(() -> s.log.add("A"), () -> s.log.add("B"));
        s.log.removeIf("clock"::equals);
        assertEquals(List.of("A", "B", "A", "B", "A", "B"), s.log);
        assertEquals(Duration.ofNanos(20), c.candidate().median()); // (10 + 30) / 2
        assertEquals(Duration.ofNanos(30), c.baseline().median());  // (20 + 40) / 2
        assertEquals(2.0 / 3, c.ratio(), 1e-12);
        assertTrue(c.toString().endsWith(": ratio 0.67"), c.toString());
    }

    @Test
    void badCountsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Timing.on(Device.CPU).repeats(0));
        assertThrows(IllegalArgumentException.class, () -> Timing.on(Device.CPU).warmup(-1));
        assertThrows(NullPointerException.class, () -> Timing.on(null));
    }

    @ParameterizedTest
    @DevicesSource
    void timesRealWorkOnEachDevice(Device device) {
        Tensor x = Tensor.randn(device, 64, 64);
        Timing.Result r = Timing.on(device).warmup(1).repeats(5).measure(() -> x.matmul(x).relu());
        assertEquals(5, r.nanos().length);
        assertTrue(r.min().compareTo(r.median()) <= 0 && r.median().compareTo(r.max()) <= 0, r.toString());
        assertTrue(r.min().toNanos() > 0, r.toString());
        assertTrue(r.toString().endsWith("; 5 runs on " + device + ")"), r.toString());
    }

    /**
     * On the emulator whose stream tasks each wait {@code TENSORJ_EMU_STREAM_DELAY_US}, twenty
     * queued kernels take at least twenty delays: a timing that did not wait for the stream would
     * measure only the queueing.
     */
    @Test
    @RequiresCuda
    void aCudaBlockIsTimedUntilItsKernelsFinish() {
        String delay = System.getenv("TENSORJ_EMU_STREAM_DELAY_US");
        Device cuda = Device.cuda(0);
        Tensor x = Tensor.randn(cuda, 16);
        Timing.Result r = Timing.on(cuda).warmup(1).repeats(3).measure(() -> {
            Tensor y = x;
            for (int i = 0; i < 20; i++) {
                y = y.relu();
            }
        });
        if (delay != null) {
            long floor = 20 * Long.parseLong(delay) * 1000;
            assertTrue(r.min().toNanos() >= floor, r + " is less than 20 stream delays of " + delay + " µs");
        }
    }
}
