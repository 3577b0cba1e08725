package dev.tensorj.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Device;
import dev.tensorj.LeakReport;
import dev.tensorj.Tensor;
import dev.tensorj.nn.Linear;
import dev.tensorj.nn.MSELoss;
import dev.tensorj.nn.ReLU;
import dev.tensorj.nn.Sequential;
import dev.tensorj.optim.SGD;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Leak-report mode: where unclosed tensors were made, and a soak that returns to its baseline. */
class LeakReportTest {

    @AfterEach
    void off() {
        LeakReport.setEnabled(false);
    }

    private static Tensor makeOne() {
        return Tensor.randn(7, 3);
    }

    @Test
    void reportsWhereEachOpenTensorWasAllocated() {
        LeakReport.setEnabled(true);
        long before = LeakReport.liveCount(Device.CPU);
        Tensor a = makeOne();
        Tensor b = a.add(1f);
        List<LeakReport.Allocation> live = LeakReport.live();
        assertEquals(before + 2, LeakReport.liveCount(Device.CPU));
        LeakReport.Allocation last = live.get(live.size() - 1);
        assertEquals(21, last.numel());
        assertTrue(last.toString().contains("LeakReportTest.reportsWhereEachOpenTensorWasAllocated"), last.toString());
        LeakReport.Allocation first = live.get(live.size() - 2);
        assertTrue(first.stack()[0].getMethodName().equals("makeOne"), first.toString());
        a.close();
        b.close();
        assertEquals(before, LeakReport.liveCount(Device.CPU));
    }

    @Test
    void aSoakOfDroppedTensorsAndTrainingStepsReturnsToBaseline() throws InterruptedException {
        LeakReport.setEnabled(true);
        System.gc();
        long baseline = settle(Long.MAX_VALUE);
        long leakedBefore = LeakReport.leakedCount();
        // 100,000 create/op/drop cycles, never closed: the garbage collector must reclaim them.
        for (int i = 0; i < 100_000; i++) {
            Tensor t = Tensor.randn(4, 4);
            t.matmul(t).relu().sum();
        }
        // 10,000 training steps, never calling close().
        Sequential model = new Sequential(new Linear(10, 20), new ReLU(), new Linear(20, 1));
        Tensor x = Tensor.randn(32, 10);
        Tensor y = Tensor.randn(32, 1);
        SGD sgd = new SGD(model.parameters(), 0.01f, 0.9f);
        MSELoss loss = new MSELoss();
        for (int i = 0; i < 10_000; i++) {
            sgd.zeroGrad();
            loss.forward(model.forward(x), y).backward();
            sgd.step();
        }
        sgd.zeroGrad();
        // What must stay: x, y, 4 parameters and 4 momentum buffers; everything else was collected.
        long expectedKept = baseline + 2 + 4 + 4;
        long live = settle(expectedKept);
        assertEquals(expectedKept, live, "live tensors after the soak");
        // Each dropped cycle left 4 tensors (randn, matmul, relu, sum) for the collector.
        assertTrue(LeakReport.leakedCount() - leakedBefore >= 400_000, "collected unclosed tensors are reported");
        java.lang.ref.Reference.reachabilityFence(model);
        java.lang.ref.Reference.reachabilityFence(x);
        java.lang.ref.Reference.reachabilityFence(y);
        java.lang.ref.Reference.reachabilityFence(sgd);
    }

    /** Runs the GC until the live count reaches {@code target} or stops falling. */
    private static long settle(long target) throws InterruptedException {
        long live = LeakReport.liveCount(Device.CPU);
        for (int i = 0; i < 50 && live > target; i++) {
            System.gc();
            Thread.sleep(20);
            live = LeakReport.liveCount(Device.CPU);
        }
        return live;
    }
}
