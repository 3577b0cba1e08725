package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/**
 * The counting thread's cell (DeviceCounters): the same cell for every count of a thread, and exact
 * counts when the device's owner thread ends and another thread takes its place.
 */
class CounterOwnershipTest {

    @Test
    void aThreadKeepsItsCell() throws InterruptedException {
        DeviceCounters c = DeviceCounters.of(Device.CPU);
        assertSame(c.cell(), c.cell());
        DeviceCounters.Cell[] seen = new DeviceCounters.Cell[2];
        Thread t = new Thread(() -> {
            seen[0] = c.cell();
            seen[1] = c.cell();
        });
        t.start();
        t.join();
        assertSame(seen[0], seen[1]);
    }

    @Test
    void countsStayExactWhenOwnershipMoves() throws InterruptedException {
        Tensor x = Tensor.zeros(Device.META, 3);
        Counters.Snapshot before = Counters.snapshot(Device.META);
        for (int t = 0; t < 3; t++) { // each thread may take over from the one that ended before it
            Thread th = new Thread(() -> {
                for (int i = 0; i < 100; i++) {
                    x.neg();
                }
            });
            th.start();
            th.join();
        }
        for (int i = 0; i < 7; i++) {
            x.neg();
        }
        Counters.Snapshot d = Counters.snapshot(Device.META).minus(before);
        assertEquals(307, d.ops());
        assertEquals(307, d.allocations());
        assertEquals(307L * 3 * Float.BYTES, d.bytesAllocated());
    }
}
