package dev.tensorj.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Cuda;
import dev.tensorj.Device;
import dev.tensorj.LeakReport;
import dev.tensorj.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.platform.engine.TestExecutionResult.Status;
import org.opentest4j.AssertionFailedError;

/**
 * {@link LeakCheck} through the JUnit Platform on each device: a test that keeps a tensor live
 * fails, naming it and the line that allocated it (and, on CUDA, the pool's bytes); one that closes
 * or drops what it made passes; per class, what the class holds until its {@code @AfterAll} counts.
 */
class LeakCheckTest {
    /** The device the fixtures use (set by each test before it runs one). */
    static Device device;
    /** Where a leaking fixture keeps its tensor, so that it stays reachable. */
    static Tensor kept;

    @BeforeEach
    void reportIsOff() {
        assertFalse(LeakReport.isEnabled(), "this class expects the leak report off");
    }

    @AfterEach
    void release() {
        if (kept != null) {
            kept.close();
            kept = null;
        }
        assertFalse(LeakReport.isEnabled(), "the check turned the leak report off again");
    }

    @LeakCheck
    static class Leaky {
        @Test
        void keepsATensor() {
            kept = Tensor.randn(device, 3, 5);
        }

        @Test
        void closesOneAndDropsAnother() {
            Tensor.randn(device, 4, 4).close();
            Tensor dropped = Tensor.ones(device, 1000).relu();
            assertEquals(1000f, dropped.sum().item());
        }
    }

    @ParameterizedTest
    @DevicesSource
    void aTensorLeftLiveFailsTheTestNamingItAndWhereItWasAllocated(Device d) {
        device = d;
        FixtureRun run = FixtureRun.of(Leaky.class);
        FixtureRun.Outcome leak = run.test("keepsATensor()");
        assertEquals(Status.FAILED, leak.status(), run.toString());
        String m = leak.message();
        assertTrue(m.startsWith("leak check: 1 tensor(s) allocated since the baseline are still live"), m);
        assertTrue(m.contains("15 float32 elements on " + d), m);
        assertTrue(m.contains("at dev.tensorj.junit.LeakCheckTest$Leaky.keepsATensor(LeakCheckTest.java:"), m);
        if (d.isCuda()) {
            assertTrue(m.contains("cuda:0's pool holds 512 bytes more than before"), m);
        }
        assertEquals(Status.SUCCESSFUL, run.test("closesOneAndDropsAnother()").status(), run.toString());
    }

    @LeakCheck(tensors = false)
    static class PoolsOnly {
        @Test
        void keepsATensor() {
            kept = Tensor.randn(device, 3, 5);
        }
    }

    @ParameterizedTest
    @DevicesSource
    void withoutTensorsOnlyThePoolsCount(Device d) {
        device = d;
        FixtureRun run = FixtureRun.of(PoolsOnly.class);
        FixtureRun.Outcome o = run.test("keepsATensor()");
        if (d.isCuda()) {
            assertEquals(Status.FAILED, o.status(), run.toString());
            assertTrue(o.message().startsWith("leak check: cuda:0's pool holds 512 bytes more than before ("),
                    o.message());
        } else {
            assertEquals(Status.SUCCESSFUL, o.status(), run.toString());
        }
    }

    @LeakCheck(LeakCheck.Scope.CLASS)
    @TestMethodOrder(MethodOrderer.MethodName.class)
    static class HeldUntilAfterAll {
        static Tensor shared;

        @Test
        void makes() {
            shared = Tensor.randn(device, 2, 2);
        }

        @Test
        void uses() {
            assertEquals(4, shared.numel());
        }

        @AfterAll
        static void closeIt() {
            shared.close();
        }
    }

    @LeakCheck(LeakCheck.Scope.CLASS)
    static class NeverReleased {
        @Test
        void makes() {
            kept = Tensor.randn(device, 2, 2);
        }
    }

    @ParameterizedTest
    @DevicesSource
    void perClassWhatTheClassReleasesByItsAfterAllPasses(Device d) {
        device = d;
        FixtureRun ok = FixtureRun.of(HeldUntilAfterAll.class);
        assertEquals(Status.SUCCESSFUL, ok.container(HeldUntilAfterAll.class).status(), ok.toString());
        assertEquals(2, ok.tests().stream().filter(t -> t.status() == Status.SUCCESSFUL).count(), ok.toString());
        FixtureRun bad = FixtureRun.of(NeverReleased.class);
        assertEquals(Status.SUCCESSFUL, bad.test("makes()").status(), "per class, a test on its own is not checked");
        FixtureRun.Outcome c = bad.container(NeverReleased.class);
        assertEquals(Status.FAILED, c.status(), bad.toString());
        assertTrue(c.message().contains("1 tensor(s) allocated since the baseline are still live"), c.message());
        assertTrue(c.message().contains("LeakCheckTest$NeverReleased.makes("), c.message());
    }

    @ParameterizedTest
    @DevicesSource
    void aBaselineInsideATestFindsWhatTheBlockLeft(Device d) {
        Leaks.Baseline b = Leaks.Baseline.take(true);
        Tensor t = Tensor.zeros(d, 7);
        AssertionFailedError e = assertThrows(AssertionFailedError.class, b::verify);
        assertTrue(e.getMessage().contains("7 float32 elements on " + d), e.getMessage());
        assertFalse(LeakReport.isEnabled());
        Leaks.Baseline again = Leaks.Baseline.take(true);
        t.close();
        again.verify();
    }

    @Test
    void aReportAlreadyOnStaysOn() {
        LeakReport.setEnabled(true);
        try {
            Leaks.Baseline.take(true).verify();
            assertTrue(LeakReport.isEnabled());
        } finally {
            LeakReport.setEnabled(false);
        }
    }

    @Test
    @RequiresCuda
    void poolBytesSettleAndReturn() {
        Device cuda = Device.cuda(0);
        long start = Leaks.settledPoolBytes(cuda);
        Tensor t = Tensor.zeros(cuda, 1000);
        assertEquals(start + 4096, Cuda.memoryAllocated(cuda));
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> Leaks.assertPoolReturnsTo(cuda, start));
        assertTrue(e.getMessage().contains("cuda:0's pool did not return"), e.getMessage());
        t.close();
        Leaks.assertPoolReturnsTo(cuda, start);
        assertThrows(IllegalArgumentException.class, () -> Leaks.settledPoolBytes(Device.CPU));
    }
}
