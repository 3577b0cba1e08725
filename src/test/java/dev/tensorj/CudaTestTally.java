package dev.tensorj;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Says at the end of each test run how many CUDA tests ran, on what device, and how many skipped,
 * so that a run where the CUDA cases quietly skipped is visible in the build output. A test counts
 * as a CUDA test when it asked for a device through {@link TestDevices}. Registered through
 * {@code META-INF/services}. Tests run one at a time, but not always on the listener's thread (a
 * per-test timeout runs the test on a thread of its own), so the mark is one shared flag.
 */
public final class CudaTestTally implements TestExecutionListener {
    private static final AtomicBoolean CURRENT_NEEDS_CUDA = new AtomicBoolean();

    private int passed;
    private int failed;
    private final Map<String, Integer> skipReasons = new TreeMap<>();

    /** Called by {@link TestDevices} when the running test asks for a CUDA device. */
    static void markCudaTest() {
        CURRENT_NEEDS_CUDA.set(true);
    }

    @Override
    public void executionStarted(TestIdentifier id) {
        if (id.isTest()) {
            CURRENT_NEEDS_CUDA.set(false);
        }
    }

    @Override
    public synchronized void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (!id.isTest() || !CURRENT_NEEDS_CUDA.getAndSet(false)) {
            return;
        }
        switch (result.getStatus()) {
            case SUCCESSFUL: passed++; break;
            case ABORTED: skipped(result); break;
            default: failed++;
        }
    }

    private void skipped(TestExecutionResult result) {
        String reason = result.getThrowable().map(Throwable::getMessage).orElse("no reason given")
                .replaceFirst("^Assumption failed: ", "");
        skipReasons.merge(reason, 1, Integer::sum);
    }

    @Override
    public synchronized void testPlanExecutionFinished(TestPlan plan) {
        int ran = passed + failed;
        int skipped = skipReasons.values().stream().mapToInt(Integer::intValue).sum();
        if (ran + skipped == 0) {
            return;
        }
        String where = ran == 0 ? "" : " on " + deviceDescription();
        String why = skipReasons.entrySet().stream().map(e -> e.getValue() + ": " + e.getKey())
                .collect(Collectors.joining("; "));
        System.out.printf("CUDA tests: %d ran%s (%d passed, %d failed), %d skipped%s%n", ran, where,
                passed, failed, skipped, skipped == 0 ? "" : " (" + why + ")");
    }

    private static String deviceDescription() {
        try {
            String d = dev.tensorj.backend.cuda.CudaBackends.describe(0);
            return TestDevices.isEmulator(d) ? d + ": EMULATED on the CPU, not a GPU result" : d;
        } catch (RuntimeException e) {
            return "cuda:0 (" + e.getMessage() + ")";
        }
    }
}
