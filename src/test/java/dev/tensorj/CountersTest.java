package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Counters count exactly, across threads, and reset without losing later counts. */
class CountersTest {

    @Test
    void countsOpsLaunchesFlopsAndAllocations() {
        Tensor a = Tensor.randn(3, 4);
        Tensor b = Tensor.randn(4, 5);
        Counters.Snapshot before = Counters.snapshot(Device.CPU);
        a.matmul(b).relu();
        Counters.Snapshot d = Counters.snapshot(Device.CPU).minus(before);
        assertEquals(2, d.ops());
        assertEquals(2, d.launches());
        assertEquals(2L * 3 * 4 * 5, d.flops());
        assertEquals(2, d.allocations());
        assertEquals(2L * 15 * Float.BYTES, d.bytesAllocated());
        assertEquals(0, d.bytesHostToDevice() + d.bytesDeviceToHost(), "cpu copies are no transfers");
    }

    @Test
    void workOfOtherThreadsIsCountedOnceJoined() throws InterruptedException {
        Tensor x = Tensor.randn(8);
        Counters.Snapshot before = Counters.snapshot(Device.CPU);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                for (int i = 0; i < 1000; i++) {
                    x.neg();
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        for (int i = 0; i < 10; i++) {
            x.neg();
        }
        assertEquals(4010, Counters.snapshot(Device.CPU).minus(before).launches());
    }

    @Test
    void resetZeroesAndCountingGoesOn() {
        Tensor x = Tensor.randn(8);
        x.neg();
        Counters.reset();
        assertEquals(0, Counters.snapshot(Device.CPU).launches());
        x.neg();
        x.neg();
        assertEquals(2, Counters.snapshot(Device.CPU).launches());
        assertThrows(IllegalArgumentException.class,
                () -> Counters.snapshot(Device.CPU).minus(Counters.snapshot(Device.META)));
    }
}
