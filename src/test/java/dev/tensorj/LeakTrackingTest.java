package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link LeakReport}'s view of open tensors: what each allocation was, where and on which thread it
 * was made, oldest first, per device; a close forgets it, an allocation made while the mode is off
 * is never listed, and a tensor the garbage collector finds unclosed is counted as leaked.
 */
class LeakTrackingTest {

    @AfterEach
    void off() {
        LeakReport.setEnabled(false);
    }

    private static Tensor allocateInAHelper(Device device) {
        return Tensor.zeros(device, DType.INT64, 2, 3);
    }

    @Test
    void eachOpenAllocationIsListedWithWhatItIsAndWhereItWasMade() {
        Tensor untracked = Tensor.zeros(4);
        LeakReport.setEnabled(true);
        assertTrue(LeakReport.isEnabled());
        long cpuBefore = LeakReport.liveCount(Device.CPU);
        long metaBefore = LeakReport.liveCount(Device.META);
        Tensor a = allocateInAHelper(Device.CPU);
        Tensor b = allocateInAHelper(Device.META);
        Tensor c = Tensor.ones(Device.CPU, 5);
        assertEquals(cpuBefore + 2, LeakReport.liveCount(Device.CPU));
        assertEquals(metaBefore + 1, LeakReport.liveCount(Device.META));

        List<LeakReport.Allocation> live = LeakReport.live();
        LeakReport.Allocation la = live.get(live.size() - 3);
        LeakReport.Allocation lb = live.get(live.size() - 2);
        LeakReport.Allocation lc = live.get(live.size() - 1);
        assertTrue(la.id() < lb.id() && lb.id() < lc.id(), "oldest first: " + live);
        assertEquals(Device.CPU, la.device());
        assertEquals(DType.INT64, la.dtype());
        assertEquals(6, la.numel());
        assertEquals(Thread.currentThread().getName(), la.thread());
        assertEquals("allocateInAHelper", la.stack()[0].getMethodName(), "tensorj's own frames are dropped: " + la);
        assertEquals("eachOpenAllocationIsListedWithWhatItIsAndWhereItWasMade", la.stack()[1].getMethodName());
        assertTrue(la.stack().length <= 8, "at most 8 frames: " + la);
        assertEquals(Device.META, lb.device());
        assertEquals(DType.FLOAT32, lc.dtype());
        String text = la.toString();
        assertTrue(text.startsWith("tensor storage #" + la.id() + ": 6 int64 elements on cpu, allocated on thread '"
                + Thread.currentThread().getName() + "' at\n    at dev.tensorj.LeakTrackingTest.allocateInAHelper("), text);

        a.close();
        b.close();
        assertEquals(cpuBefore + 1, LeakReport.liveCount(Device.CPU));
        assertEquals(metaBefore, LeakReport.liveCount(Device.META));
        assertFalse(LeakReport.live().stream().anyMatch(x -> x.id() == la.id()), "a closed tensor is forgotten");
        c.close();
        untracked.close(); // made while off: nothing to forget, nothing listed
        assertEquals(cpuBefore, LeakReport.liveCount(Device.CPU));
        LeakReport.setEnabled(false);
        assertFalse(LeakReport.isEnabled());
        Tensor d = Tensor.ones(3);
        assertEquals(cpuBefore, LeakReport.liveCount(Device.CPU), "nothing is tracked while off");
        d.close();
    }

    @Test
    void openAllocationsAreListedOldestFirstWhateverTheirIds() {
        LeakReport.setEnabled(true);
        List<Tensor> kept = new java.util.ArrayList<>();
        // Gaps of 1 to 40 closed allocations between the kept ones spread their ids over the map's buckets.
        for (int gap = 1; gap <= 40; gap++) {
            for (int i = 0; i < gap; i++) {
                Tensor.zeros(Device.META, 1).close();
            }
            kept.add(Tensor.zeros(Device.META, 1));
        }
        List<LeakReport.Allocation> live = LeakReport.live();
        for (int i = 1; i < live.size(); i++) {
            assertTrue(live.get(i - 1).id() < live.get(i).id(), "not oldest first at " + i + ": " + live.get(i - 1).id()
                    + " then " + live.get(i).id());
        }
        kept.forEach(Tensor::close);
    }

    @Test
    void aTensorCollectedWithoutCloseIsCountedAsLeakedAndNoLongerListed() throws InterruptedException {
        LeakReport.setEnabled(true);
        long leakedBefore = LeakReport.leakedCount();
        long liveBefore = LeakReport.liveCount(Device.META);
        long id = dropOne();
        assertEquals(liveBefore + 1, LeakReport.liveCount(Device.META));
        long deadline = System.nanoTime() + 20_000_000_000L;
        while ((LeakReport.live().stream().anyMatch(x -> x.id() == id) || LeakReport.leakedCount() == leakedBefore)
                && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertFalse(LeakReport.live().stream().anyMatch(x -> x.id() == id), "the collected tensor is still listed");
        assertTrue(LeakReport.leakedCount() > leakedBefore, "the collected tensor was not counted as leaked");
    }

    /** Allocates a tensor and drops it unclosed; returns its tracking id. */
    private static long dropOne() {
        Tensor.randn(Device.META, 3);
        List<LeakReport.Allocation> live = LeakReport.live();
        return live.get(live.size() - 1).id();
    }
}
