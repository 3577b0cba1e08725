package dev.tensorj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.tensorj.Device;
import dev.tensorj.Tensor;
import dev.tensorj.junit.DevicesSource;
import dev.tensorj.junit.LeakCheck;
import dev.tensorj.junit.Leaks;
import dev.tensorj.junit.Placement;
import dev.tensorj.junit.Timing;
import dev.tensorj.nn.Linear;
import dev.tensorj.nn.MSELoss;
import dev.tensorj.nn.Sequential;
import dev.tensorj.optim.SGD;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The optional JUnit part (dev.tensorj.junit) used from a user's own tests, against the installed
 * jar: a device-parameterised test whose CUDA case is reported as skipped with its reason on this
 * machine (no GPU), the leak check, a placement assertion that fails when work ran elsewhere, and
 * the timing helper.
 */
@LeakCheck
class JUnitExtensionTest {

    /** A user's test class, run below through the JUnit Platform to see how its cases are reported. */
    static class UsersDeviceTest {
        @ParameterizedTest
        @DevicesSource
        void aTrainingStepStaysOnItsDevice(Device device) {
            Tensor.manualSeed(1);
            Sequential model = new Sequential(new Linear(8, 4)).to(device);
            Tensor x = Tensor.randn(16, 8).to(device);
            Tensor y = Tensor.randn(16, 4).to(device);
            SGD sgd = new SGD(model.parameters(), 0.1f);
            Placement.of(() -> {
                sgd.zeroGrad();
                new MSELoss().forward(model.forward(x), y).backward();
                sgd.step();
            }).assertRanOnlyOn(device);
        }
    }

    @Test
    void theCpuCaseRunsAndTheCudaCaseIsSkippedWithItsReason() {
        List<String> outcomes = new ArrayList<>();
        LauncherFactory.create(LauncherConfig.builder().enableTestExecutionListenerAutoRegistration(false).build())
                .execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(UsersDeviceTest.class)).build(),
                        new TestExecutionListener() {
                            @Override
                            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                                if (id.isTest()) {
                                    outcomes.add(id.getDisplayName() + " " + result.getStatus() + " "
                                            + result.getThrowable().map(Throwable::getMessage).orElse(""));
                                }
                            }
                        });
        assertEquals(2, outcomes.size(), outcomes.toString());
        assertTrue(outcomes.get(0).contains("cpu") && outcomes.get(0).contains("SUCCESSFUL"), outcomes.toString());
        // No GPU here: the cuda:0 case is there, aborted (reported as skipped) with the probed reason.
        assertTrue(outcomes.get(1).contains("cuda:0") && outcomes.get(1).contains("ABORTED")
                && outcomes.get(1).contains("no CUDA device"), outcomes.toString());
    }

    @Test
    void aPlacementAssertionFailsWhenTheWorkRanOnAnotherDevice() {
        Tensor a = Tensor.randn(4, 4);
        AssertionError e = assertThrows(AssertionError.class,
                () -> Placement.of(() -> a.matmul(a).close()).assertRanOnlyOn(Device.META));
        assertTrue(e.getMessage().contains("cpu"), e.getMessage());
        a.close();
    }

    @Test
    void aTensorLeftOpenIsNamedByTheLeakCheck() {
        Leaks.Baseline baseline = Leaks.Baseline.take(true);
        Tensor kept = Tensor.randn(3, 5);
        AssertionError e = assertThrows(AssertionError.class, baseline::verify);
        // It names the tensor and where it was allocated: this test.
        assertTrue(e.getMessage().contains("15 float32 elements on cpu")
                && e.getMessage().contains("aTensorLeftOpenIsNamedByTheLeakCheck"), e.getMessage());
        kept.close();
    }

    @Test
    void timingReportsMedianMinAndMax() {
        Tensor a = Tensor.randn(64, 64);
        Timing.Result r = Timing.on(Device.of("cpu")).warmup(2).repeats(9).measure(() -> a.matmul(a).close());
        assertEquals(9, r.nanos().length);
        assertTrue(r.median().toNanos() > 0, r.toString());
        a.close();
    }
}
