package dev.tensorj.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tensorj.IdleGpuException;
import dev.tensorj.IdleGpuPolicy;
import dev.tensorj.Tensor;
import dev.tensorj.nn.Linear;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult.Status;

/**
 * {@link StrictIdleGpu}: inside, a forward pass on the CPU while CUDA is (made to look) available
 * throws; outside, and after, the mode is what it was. Runs the fixtures through the JUnit Platform.
 */
class StrictIdleGpuTest {
    static final List<IdleGpuPolicy.Mode> SEEN = new CopyOnWriteArrayList<>();

    @BeforeEach
    void cudaLooksAvailable() {
        SEEN.clear();
        IdleGpuPolicy.overrideCudaAvailableForTesting(true);
        IdleGpuPolicy.setMode(IdleGpuPolicy.Mode.SILENT);
    }

    @AfterEach
    void realAnswer() {
        IdleGpuPolicy.overrideCudaAvailableForTesting(null);
        IdleGpuPolicy.setMode(IdleGpuPolicy.Mode.WARN);
    }

    static void forwardOnTheCpu() {
        new Linear(3, 2).forward(Tensor.randn(4, 3));
    }

    static class OnOneMethod {
        @Test
        @StrictIdleGpu
        void strict() {
            SEEN.add(IdleGpuPolicy.mode());
            assertThrows(IdleGpuException.class, StrictIdleGpuTest::forwardOnTheCpu);
        }

        @Test
        void notStrict() {
            SEEN.add(IdleGpuPolicy.mode());
            forwardOnTheCpu();
        }
    }

    @Test
    void onAMethodOnlyThatTestIsStrict() {
        FixtureRun run = FixtureRun.of(OnOneMethod.class);
        assertEquals(Status.SUCCESSFUL, run.test("strict()").status(), run.toString());
        assertEquals(Status.SUCCESSFUL, run.test("notStrict()").status(), run.toString());
        assertEquals(2, SEEN.size());
        assertEquals(List.of(IdleGpuPolicy.Mode.SILENT, IdleGpuPolicy.Mode.STRICT),
                SEEN.stream().sorted().toList(), "strict in one test only: " + SEEN); // in enum order
        assertEquals(IdleGpuPolicy.Mode.SILENT, IdleGpuPolicy.mode(), "restored");
    }

    @StrictIdleGpu
    static class OnTheClass {
        @BeforeAll
        static void before() {
            SEEN.add(IdleGpuPolicy.mode());
        }

        @Test
        void forward() {
            forwardOnTheCpu();
        }
    }

    @Test
    void onAClassItsTestsAndBeforeAllAreStrictAndAForwardOnTheCpuFails() {
        FixtureRun run = FixtureRun.of(OnTheClass.class);
        FixtureRun.Outcome o = run.test("forward()");
        assertEquals(Status.FAILED, o.status(), run.toString());
        assertEquals(IdleGpuException.class, o.throwable().getClass());
        assertEquals(List.of(IdleGpuPolicy.Mode.STRICT), SEEN);
        assertEquals(IdleGpuPolicy.Mode.SILENT, IdleGpuPolicy.mode(), "restored");
    }
}
