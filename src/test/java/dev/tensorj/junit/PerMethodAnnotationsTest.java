package dev.tensorj.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Device;
import dev.tensorj.IdleGpuPolicy;
import dev.tensorj.Tensor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.TestExecutionResult.Status;

/**
 * The annotations put on one method of a class: only that method is affected, also when the class
 * registers the extension itself ({@code @ExtendWith}, e.g. in a base class) without the annotation.
 * Runs the fixtures through the JUnit Platform.
 */
class PerMethodAnnotationsTest {
    static final List<String> SEEN = new CopyOnWriteArrayList<>();
    /** Where a leaking fixture keeps its tensors, so that they stay reachable. */
    static final List<Tensor> KEPT = new CopyOnWriteArrayList<>();

    @BeforeEach
    void silent() {
        SEEN.clear();
        IdleGpuPolicy.setMode(IdleGpuPolicy.Mode.SILENT);
    }

    @AfterEach
    void restore() {
        IdleGpuPolicy.setMode(IdleGpuPolicy.Mode.WARN);
        KEPT.forEach(Tensor::close);
        KEPT.clear();
    }

    @ExtendWith(StrictIdleGpuExtension.class)
    static class RegisteredOnTheClass {
        @Test
        @StrictIdleGpu
        void strict() {
            SEEN.add("strict: " + IdleGpuPolicy.mode());
        }

        @Test
        void plain() {
            SEEN.add("plain: " + IdleGpuPolicy.mode());
        }
    }

    @Test
    void anExtensionRegisteredOnTheClassIsStrictOnlyWhereAnnotated() {
        FixtureRun run = FixtureRun.of(RegisteredOnTheClass.class);
        assertEquals(Status.SUCCESSFUL, run.test("strict()").status(), run.toString());
        assertEquals(Status.SUCCESSFUL, run.test("plain()").status(), run.toString());
        assertEquals(List.of("plain: SILENT", "strict: STRICT"), SEEN.stream().sorted().toList());
        assertEquals(IdleGpuPolicy.Mode.SILENT, IdleGpuPolicy.mode(), "restored");
    }

    static class LeakCheckOnOneMethod {
        @Test
        @LeakCheck
        void checked() {
            KEPT.add(Tensor.randn(2, 3));
        }

        @Test
        void unchecked() {
            KEPT.add(Tensor.randn(4));
        }
    }

    @Test
    void aLeakCheckOnAMethodChecksThatMethodOnly() {
        FixtureRun run = FixtureRun.of(LeakCheckOnOneMethod.class);
        FixtureRun.Outcome checked = run.test("checked()");
        assertEquals(Status.FAILED, checked.status(), run.toString());
        assertTrue(checked.message().startsWith("leak check: 1 tensor(s) allocated since the baseline"),
                checked.message());
        assertTrue(checked.message().contains("6 float32 elements on cpu"), checked.message());
        assertEquals(Status.SUCCESSFUL, run.test("unchecked()").status(), run.toString());
    }

    static class RequiresCudaOnOneMethod {
        @Test
        @RequiresCuda
        void onCuda() {
            SEEN.add("cuda");
        }

        @Test
        void anywhere() {
            SEEN.add("anywhere");
        }
    }

    @Test
    void requiresCudaOnAMethodChecksAndMarksThatMethodOnly() {
        String saved = System.clearProperty(CudaCheck.RUN_PROPERTY);
        try {
            FixtureRun run = FixtureRun.of(RequiresCudaOnOneMethod.class);
            FixtureRun.Outcome cuda = run.test("onCuda()");
            assertEquals(List.of(Map.of(CudaCheck.REPORT_KEY, "cuda:0")), cuda.entries(), run.toString());
            assertEquals(List.of(), run.test("anywhere()").entries());
            if (Device.isCudaAvailable()) {
                assertEquals(Status.SUCCESSFUL, cuda.status(), run.toString());
                assertEquals(List.of("anywhere", "cuda"), SEEN.stream().sorted().toList());
            } else {
                assertEquals(Status.ABORTED, cuda.status(), run.toString());
                assertEquals("no CUDA device: " + Device.cudaStatus(), cuda.message());
                assertEquals(List.of("anywhere"), SEEN);
            }
        } finally {
            if (saved != null) {
                System.setProperty(CudaCheck.RUN_PROPERTY, saved);
            }
        }
    }
}
