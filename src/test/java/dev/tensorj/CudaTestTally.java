package dev.tensorj;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Says at the end of each test run how many CUDA tests ran, on what device, and how many skipped,
 * so that a run where the CUDA cases quietly skipped is visible in the build output. A test counts
 * as a CUDA test when it asked for a device through {@link TestDevices}. Registered through
 * {@code META-INF/services}; JUnit runs a test and its listener events on the same thread.
 */
public final class CudaTestTally implements TestExecutionListener {
    private static final ThreadLocal<Boolean> CURRENT_NEEDS_CUDA = ThreadLocal.withInitial(() -> false);

    private final AtomicInteger passed = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger skipped = new AtomicInteger();

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
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (!id.isTest() || !CURRENT_NEEDS_CUDA.get()) {
            return;
        }
        CURRENT_NEEDS_CUDA.set(false);
        switch (result.getStatus()) {
            case SUCCESSFUL: passed.incrementAndGet(); break;
            case ABORTED: skipped.incrementAndGet(); break;
            default: failed.incrementAndGet();
        }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        int ran = passed.get() + failed.get();
        if (ran + skipped.get() == 0) {
            return;
        }
        String where = ran == 0 ? "" : " on " + deviceDescription();
        System.out.printf("CUDA tests: %d ran%s (%d passed, %d failed), %d skipped%s%n", ran, where,
                passed.get(), failed.get(), skipped.get(),
                skipped.get() == 0 ? "" : " (" + Device.cudaStatus().message() + ")");
    }

    private static String deviceDescription() {
        try {
            String d = dev.tensorj.backend.cuda.CudaBackends.describe(0);
            return d.toLowerCase(java.util.Locale.ROOT).contains("emulat") ? d + ": EMULATED on the CPU, not a GPU result" : d;
        } catch (RuntimeException e) {
            return "cuda:0 (" + e.getMessage() + ")";
        }
    }
}
