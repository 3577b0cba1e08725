package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.ThreadMXBean;
import dev.tensorj.nn.Linear;
import dev.tensorj.nn.MSELoss;
import dev.tensorj.nn.ReLU;
import dev.tensorj.nn.Sequential;
import dev.tensorj.optim.SGD;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The heap one op allocates is a fixed number of bytes: its output (Tensor, shape, storage, data
 * array, version), and when recorded its graph node, and nothing that grows with the catalogue or
 * with how the op is dispatched and counted (no map, list or string built per call). Measured as the
 * calling thread's allocated bytes (com.sun.management.ThreadMXBean) over many calls.
 *
 * <p>Why the bounds hold in every JIT state: each is what the code's bytecode allocates, the count
 * the interpreter (and C1) makes, exact to the byte; C2 can only remove allocations (escape analysis
 * drops the lambdas and arrays that do not escape), never add any; for the ops and steps below the
 * steady state measured the same as the interpreter (2026-12-05). One-time
 * work (class loading, lambda linkage) is left out by untimed calls first, and the smallest of a few
 * windows is kept. The sizes are those of HotSpot's default 64-bit layout (compressed oops and class
 * pointers, 8-byte alignment); elsewhere the test is skipped. A bound that fails names the bytes per
 * call: a new per-call object shows as its size.
 */
class OpAllocationTest {
    private static final int WARM_CALLS = 500;
    private static final int CALLS = 2_000;
    private static final int WINDOWS = 4;
    private static ThreadMXBean threads;

    @BeforeAll
    static void defaultLayoutAndAllocationCounting() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof ThreadMXBean, "no com.sun.management.ThreadMXBean");
        threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "thread allocation counting unsupported");
        threads.setThreadAllocatedMemoryEnabled(true);
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        assumeTrue(vm != null, "not HotSpot");
        assumeTrue(option(vm, "UseCompressedOops").equals("true") && option(vm, "UseCompressedClassPointers")
                .equals("true") && option(vm, "ObjectAlignmentInBytes").equals("8")
                && !option(vm, "UseCompactObjectHeaders").equals("true"), "not the default object layout");
        assumeFalse(LeakTracker.isEnabled(), "leak-report mode records a stack per allocation");
    }

    private static String option(HotSpotDiagnosticMXBean vm, String name) {
        try {
            return vm.getVMOption(name).getValue();
        } catch (IllegalArgumentException e) {
            return "absent";
        }
    }

    @Test
    void unaryOpOutsideTheGraph() {
        Tensor x = Tensor.randn(4);
        // Tensor 56 (its dtype read from its storage), CpuStorage 48 (its reference count a field) and
        // float[4] 32; CpuBackend's kernel lambda 24. Nothing else: the shape array is shared with the
        // other [4] tensors (Shapes.shared), the Version is made only when needed, the rule's arrays and
        // lambda only when recorded, and DeviceBackend calls the backend without a lambda.
        assertAtMost(160, "neg of a [4] tensor", () -> x.neg());
    }

    @Test
    void unaryOpRecorded() {
        Tensor x = Tensor.randn(4).requiresGrad(true);
        // As above, plus its GradFn 48, the rule's inputs array 24 and lambda 24, and the node array
        // 24 (nothing saved: the saved-version array is a shared empty one).
        assertAtMost(280, "neg of a [4] tensor that requires grad", () -> x.neg());
    }

    @Test
    void binaryOpOutsideTheGraph() {
        Tensor a = Tensor.randn(4);
        Tensor b = Tensor.randn(4);
        // Tensor, storage and float[4] as neg (136), the CPU binary kernel's lambdas 56 and the broadcast
        // shape int[1] 24; the plan comes from Shapes.plan's cache.
        assertAtMost(216, "add of two [4] tensors", () -> a.add(b));
    }

    @Test
    void binaryOpRecorded() {
        Tensor a = Tensor.randn(4).requiresGrad(true);
        Tensor b = Tensor.randn(4);
        // As add, plus GradFn 48, inputs and saved arrays 24 + 24, nodes 24, saved versions int[2] 24,
        // the rule's lambda 32.
        assertAtMost(392, "mul of two [4] tensors, one requiring grad", () -> a.mul(b));
    }

    @Test
    void smallTrainingSteps() {
        // The CPU suite's S1 and S2 steps (MSE, SGD lr 0.01, batch 32), 1452 and 2308 bytes on
        // 2026-12-05 once the CPU kernels stopped making lambdas on one thread (1852 and 3164
        // before that, 7248 and 11016 before the day), with a margin of about 3%. Of S1's: 7 Tensors 392 and 8
        // storages 384 (forward output, loss, the loss's saved difference and squares, the seed of
        // backward, the loss's gradient, the weight's and bias's gradients), the two float arrays the
        // pool cannot give back because the user may hold their tensors (output and loss) 168, two
        // graph nodes with their arrays and rules; backward's walk (4 bytes
        // a step: it is replaced every 256 passes), broadcast plans, shapes and versions next to
        // nothing. See
        // benchmarks/results/2026-12-05-small-step-heap.md.
        Tensor.manualSeed(15);
        Tensor x = Tensor.randn(32, 10);
        Tensor y = Tensor.randn(32, 1);
        MSELoss mse = new MSELoss();
        Linear s1 = new Linear(10, 1);
        SGD sgd1 = new SGD(s1.parameters(), 0.01f);
        assertAtMost(1496, "an S1 step", () -> {
            sgd1.zeroGrad();
            mse.forward(s1.forward(x), y).backward();
            sgd1.step();
        });
        Sequential s2 = new Sequential(new Linear(10, 20), new ReLU(), new Linear(20, 1));
        SGD sgd2 = new SGD(s2.parameters(), 0.01f);
        assertAtMost(2380, "an S2 step", () -> {
            sgd2.zeroGrad();
            mse.forward(s2.forward(x), y).backward();
            sgd2.step();
        });
    }

    /**
     * Runs {@code op} untimed, then counts the bytes its calls allocate on this thread in a few
     * windows and keeps the smallest: a one-time allocation (a lambda linked on a first-taken branch,
     * a thread-local table growing) lands in one window, a per-call object in all of them.
     */
    private static void assertAtMost(long bytesPerCall, String what, Runnable op) {
        for (int i = 0; i < WARM_CALLS; i++) {
            op.run();
        }
        long id = Thread.currentThread().getId();
        double perCall = Double.MAX_VALUE;
        for (int w = 0; w < WINDOWS; w++) {
            long before = threads.getThreadAllocatedBytes(id);
            for (int i = 0; i < CALLS; i++) {
                op.run();
            }
            perCall = Math.min(perCall, (threads.getThreadAllocatedBytes(id) - before) / (double) CALLS);
        }
        assertTrue(perCall <= bytesPerCall, String.format(Locale.ROOT,
                "%s allocated %.1f heap bytes per call, more than its %d (a new per-call object?)", what, perCall,
                bytesPerCall));
    }
}
