package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link IdleGpuPolicy} as a model or optimizer meets it: one WARN per model and per optimizer that
 * works on the cpu while CUDA is available (made to look available through the policy's testing
 * seam), saying where the parameters are and how to move them; nothing when there is nothing to
 * say; an exception on every call in strict mode.
 */
class IdleGpuWarningsTest {
    /** Named in the messages by its simple name. */
    private static final class Net {}

    private static final class Opt {}

    @AfterEach
    void restore() {
        IdleGpuPolicy.overrideCudaAvailableForTesting(null);
        IdleGpuPolicy.setMode(IdleGpuPolicy.Mode.WARN);
    }

    @Test
    void aForwardPassOnTheCpuWarnsOncePerModelSayingWhereItsParametersAre() {
        IdleGpuPolicy.overrideCudaAvailableForTesting(true);
        Map<String, Tensor> params = new LinkedHashMap<>();
        for (String name : List.of("l1.weight", "l1.bias", "l2.weight", "l2.bias", "l3.weight")) {
            params.put(name, Tensor.zeros(2));
        }
        params.put("head.weight", Tensor.zeros(Device.META, 2));
        Net model = new Net();
        Tensor input = Tensor.zeros(3, 4);
        String log = stderrDuring(() -> {
            IdleGpuPolicy.checkForward(model, () -> params, input);
            IdleGpuPolicy.checkForward(model, () -> params, input);
        });
        assertEquals(1, count(log, "GPU idle"), log);
        assertTrue(log.contains("WARN dev.tensorj.IdleGpu - GPU idle: Net is running its forward pass on cpu while "
                + "cuda:0 is available. Parameters: 5 on cpu (l1.weight, l1.bias, l2.weight, l2.bias, ...); "
                + "1 on meta (head.weight); input [3, 4] on cpu. Move both: model.to(Device.cuda(0)) and "
                + "input.to(Device.cuda(0)) (silence with IdleGpuPolicy.setMode(SILENT) or -Dtensorj.idleGpu=silent)"),
                log);
        Map<String, Tensor> four = new LinkedHashMap<>(params);
        four.remove("l3.weight");
        four.remove("head.weight");
        String other = stderrDuring(() -> IdleGpuPolicy.checkForward(new Net(), () -> four, input));
        assertTrue(other.contains("Parameters: 4 on cpu (l1.weight, l1.bias, l2.weight, l2.bias); input"), other);
    }

    @Test
    void nothingToSayAsksForNoParameters() {
        Supplier<Map<String, Tensor>> unused = () -> {
            throw new AssertionError("the parameters were asked for");
        };
        IdleGpuPolicy.overrideCudaAvailableForTesting(true);
        String log = stderrDuring(() -> IdleGpuPolicy.checkForward(new Net(), unused, Tensor.zeros(Device.META, 2)));
        IdleGpuPolicy.setMode(IdleGpuPolicy.Mode.SILENT);
        log += stderrDuring(() -> IdleGpuPolicy.checkForward(new Net(), unused, Tensor.zeros(2)));
        IdleGpuPolicy.setMode(IdleGpuPolicy.Mode.WARN);
        IdleGpuPolicy.overrideCudaAvailableForTesting(false);
        assertFalse(IdleGpuPolicy.cudaAvailableForCheck());
        log += stderrDuring(() -> IdleGpuPolicy.checkForward(new Net(), unused, Tensor.zeros(2)));
        assertFalse(log.contains("GPU idle"), log);
    }

    @Test
    void strictModeThrowsOnEveryCallBeforeAnythingRuns() {
        IdleGpuPolicy.overrideCudaAvailableForTesting(true);
        IdleGpuPolicy.setMode(IdleGpuPolicy.Mode.STRICT);
        assertEquals(IdleGpuPolicy.Mode.STRICT, IdleGpuPolicy.mode());
        Net model = new Net();
        Map<String, Tensor> params = Map.of("w", Tensor.zeros(2));
        for (int i = 0; i < 2; i++) {
            IdleGpuException e = assertThrows(IdleGpuException.class,
                    () -> IdleGpuPolicy.checkForward(model, () -> params, Tensor.zeros(1, 2)));
            assertEquals("forward", e.op());
            assertTrue(e.getMessage().startsWith("forward: GPU idle: Net is running its forward pass on cpu"),
                    e.getMessage());
        }
        Tensor w = withGrad(Device.CPU);
        IdleGpuException step = assertThrows(IdleGpuException.class, () -> IdleGpuPolicy.checkStep(new Opt(), List.of(w)));
        assertEquals("step", step.op());
        assertThrows(NullPointerException.class, () -> IdleGpuPolicy.setMode(null));
        assertEquals(IdleGpuPolicy.Mode.STRICT, IdleGpuPolicy.mode(), "a refused mode changes nothing");
    }

    @Test
    void aStepWarnsOncePerOptimizerCountingTheCpuParametersItUpdates() {
        IdleGpuPolicy.overrideCudaAvailableForTesting(true);
        List<Tensor> params = List.of(withGrad(Device.CPU), withGrad(Device.CPU), withGrad(Device.META),
                Tensor.zeros(3).requiresGrad(true));
        Opt optimizer = new Opt();
        String log = stderrDuring(() -> {
            IdleGpuPolicy.checkStep(optimizer, params);
            IdleGpuPolicy.checkStep(optimizer, params);
        });
        assertEquals(1, count(log, "GPU idle"), log);
        assertTrue(log.contains("GPU idle: Opt.step() is updating 2 parameter(s) on cpu while cuda:0 is available. "
                + "Move the model with model.to(Device.cuda(0)) (the optimizer keeps working) and its inputs with "
                + ".to(Device.cuda(0))"), log);
        String quiet = stderrDuring(() -> {
            IdleGpuPolicy.checkStep(new Opt(), List.of(withGrad(Device.META), Tensor.zeros(2).requiresGrad(true)));
            IdleGpuPolicy.setMode(IdleGpuPolicy.Mode.SILENT);
            IdleGpuPolicy.checkStep(new Opt(), List.of(withGrad(Device.CPU)));
            IdleGpuPolicy.setMode(IdleGpuPolicy.Mode.WARN);
            IdleGpuPolicy.overrideCudaAvailableForTesting(false);
            IdleGpuPolicy.checkStep(new Opt(), List.of(withGrad(Device.CPU)));
        });
        assertFalse(quiet.contains("GPU idle"), quiet);
    }

    /** A parameter on {@code device} that has a gradient, as after a backward pass. */
    private static Tensor withGrad(Device device) {
        Tensor p = Tensor.ones(device, 3).requiresGrad(true);
        p.sum().backward();
        return p;
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    /** What slf4j-simple (the test binding, which writes to System.err) logs while {@code body} runs. */
    private static String stderrDuring(Runnable body) {
        PrintStream original = System.err;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(original);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
