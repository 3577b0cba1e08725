package dev.tensorj.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.tensorj.Counters;
import dev.tensorj.Device;
import dev.tensorj.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * The fluent use of {@link Placement} and {@link Timing} that their Javadoc shows: every assertion
 * returns the same placement for the next, a device the block never touched reads as all zero, and
 * a timing takes the smallest counts it allows (no warm-up, one measured run).
 */
class ChainedChecksTest {
    @ParameterizedTest
    @DevicesSource(meta = true)
    void everyPlacementAssertionReturnsThePlacementForTheNext(Device device) {
        Tensor x = Tensor.randn(device, 8, 8);
        Placement p = Placement.of(() -> x.matmul(x).relu());
        assertSame(p, p.assertRanOnlyOn(device));
        assertSame(p, p.assertOpsOnlyOn(device));
        assertSame(p, p.assertHostDeviceBytesAtMost(device, 0));
        assertSame(p, p.assertLaunchesAtMost(device, 2));
        assertSame(p, p.assertBytesAllocatedAtMost(device, 2 * 8 * 8 * 4));
        assertEquals(2, p.on(device).ops());
    }

    /** A device no counter has seen (cuda:5, on any machine here): all its counts are zero. */
    @Test
    void aDeviceTheBlockNeverTouchedReadsAsZero() {
        Device untouched = Device.cuda(5);
        Placement p = Placement.of(() -> Tensor.ones(3).relu());
        assertEquals(new Counters.Snapshot(untouched, 0, 0, 0, 0, 0, 0, 0), p.on(untouched));
        p.assertRanOnlyOn(Device.CPU).assertLaunchesAtMost(untouched, 0).assertBytesAllocatedAtMost(untouched, 0);
    }

    @Test
    void noWarmUpAndASingleMeasuredRunAreAllowed() {
        List<String> log = new ArrayList<>();
        long[] ticks = {100, 142};
        int[] next = {0};
        Timing.Result r = Timing.withClock(Device.cuda(0), () -> log.add("sync"), () -> ticks[next[0]++])
                .warmup(0).repeats(1).measure(() -> log.add("block"));
        assertEquals(List.of("sync", "block", "sync"), log, "no warm-up run");
        assertEquals(1, r.nanos().length);
        assertEquals(Duration.ofNanos(42), r.median());
        assertEquals(Duration.ofNanos(42), r.min());
        assertEquals(Duration.ofNanos(42), r.max());
        assertEquals(Device.cuda(0), r.device(), "the device synchronised around the run");
    }
}
