package dev.tensorj;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Says at the end of each test run how many CUDA tests ran, on what device, and how many skipped,
 * so that a run where the CUDA cases quietly skipped is visible in the build output. A test counts
 * as a CUDA test when dev.tensorj.junit checked a CUDA device for it ({@code @DevicesSource},
 * {@code @CheckDevices}, {@code @RequiresCuda}): it publishes the report entry {@code tensorj.cuda}.
 * Registered through {@code META-INF/services}.
 *
 * <p>Also the two facts about the run that tests of the emulator itself need.
 */
public final class CudaTestTally implements TestExecutionListener {
    /** The system property that marks a run where a CUDA device must be usable ("emulated" or "required"). */
    public static final String CUDA_RUN_PROPERTY = "tensorj.test.cuda";
    /** The report entry dev.tensorj.junit publishes for each test it checked a CUDA device for. */
    private static final String CUDA_ENTRY = "tensorj.cuda";

    private int passed;
    private int failed;
    private final Map<String, Integer> skipReasons = new TreeMap<>();
    private final Set<String> cudaTests = new HashSet<>();

    /** Whether this is one of the runs on the CUDA emulator. */
    public static boolean emulatedRun() {
        return "emulated".equals(System.getProperty(CUDA_RUN_PROPERTY));
    }

    /** Whether a device description (its name as the driver gives it) is the CUDA emulator's. */
    public static boolean isEmulator(String deviceDescription) {
        return deviceDescription.contains("tensorj CUDA emulator");
    }

    @Override
    public synchronized void reportingEntryPublished(TestIdentifier id, ReportEntry entry) {
        if (entry.getKeyValuePairs().containsKey(CUDA_ENTRY)) {
            cudaTests.add(id.getUniqueId());
        }
    }

    @Override
    public synchronized void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (!id.isTest() || !cudaTests.remove(id.getUniqueId())) {
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
            return isEmulator(d) ? d + ": EMULATED on the CPU, not a GPU result" : d;
        } catch (RuntimeException e) {
            return "cuda:0 (" + e.getMessage() + ")";
        }
    }
}
