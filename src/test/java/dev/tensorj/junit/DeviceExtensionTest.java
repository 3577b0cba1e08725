package dev.tensorj.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Device;
import dev.tensorj.Tensor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.engine.TestExecutionResult.Status;

/**
 * {@link DevicesSource}, {@link CheckDevices} and {@link RequiresCuda} run through the JUnit
 * Platform: each CUDA case runs where its device is usable, and elsewhere is reported skipped with
 * the probed reason (failed with {@code -Dtensorj.test.cuda=required}), its body never run.
 */
class DeviceExtensionTest {
    /** What the fixtures' bodies saw, in order. */
    static final List<String> RAN = new CopyOnWriteArrayList<>();

    private String savedProperty;

    @BeforeEach
    void clearRunProperty() {
        RAN.clear();
        savedProperty = System.clearProperty(CudaCheck.RUN_PROPERTY);
    }

    @AfterEach
    void restoreRunProperty() {
        if (savedProperty != null) {
            System.setProperty(CudaCheck.RUN_PROPERTY, savedProperty);
        } else {
            System.clearProperty(CudaCheck.RUN_PROPERTY);
        }
    }

    static class OnEveryDevice {
        @ParameterizedTest
        @DevicesSource(meta = true)
        void adds(Device device) {
            try (Tensor a = Tensor.ones(device, 3); Tensor b = a.add(a)) {
                RAN.add(device.toString());
                assertEquals(device, b.device());
            }
        }
    }

    @Test
    void devicesSourceYieldsCpuEachCudaDeviceAndMetaAndSkipsAnUnusableCudaWithTheProbedReason() {
        FixtureRun run = FixtureRun.of(OnEveryDevice.class);
        int cuda = Math.max(1, Device.cudaDeviceCount());
        assertEquals(2 + cuda, run.tests().size(), run.toString());
        assertEquals(Status.SUCCESSFUL, run.test("[1] cpu").status(), run.toString());
        assertEquals(Status.SUCCESSFUL, run.test("[" + (2 + cuda) + "] meta").status(), run.toString());
        FixtureRun.Outcome c = run.test("[2] cuda:0");
        assertEquals(List.of(Map.of(CudaCheck.REPORT_KEY, "cuda:0")), c.entries(), "the CUDA case is marked for tallies");
        if (Device.isCudaAvailable()) {
            assertEquals(Status.SUCCESSFUL, c.status(), run.toString());
            assertTrue(RAN.contains("cuda:0"), RAN.toString());
        } else {
            assertEquals(Status.ABORTED, c.status(), run.toString());
            assertEquals("no CUDA device: " + Device.cudaStatus(), c.message());
            assertEquals(List.of("cpu", "meta"), RAN, "the skipped case's body never ran");
        }
        assertTrue(run.test("[1] cpu").entries().isEmpty(), "only CUDA cases are marked");
    }

    /** A device past the last one this machine has: unusable everywhere, with CUDA or without. */
    static Stream<Arguments> cpuAndAMissingCudaDevice() {
        Device missing = Device.cuda(Device.cudaDeviceCount());
        return Stream.of(Arguments.of("x", Device.CPU), Arguments.of("y", missing));
    }

    static class OwnSource {
        @ParameterizedTest
        @MethodSource("dev.tensorj.junit.DeviceExtensionTest#cpuAndAMissingCudaDevice")
        @CheckDevices
        void body(String name, Device device) {
            RAN.add(name + " " + device);
        }
    }

    static class OwnSourceUnchecked {
        @ParameterizedTest
        @MethodSource("dev.tensorj.junit.DeviceExtensionTest#cpuAndAMissingCudaDevice")
        void body(String name, Device device) {
            RAN.add(name + " " + device);
        }
    }

    @Test
    void checkDevicesSkipsTheCaseOfAnUnusableDeviceAmongOtherArguments() {
        FixtureRun run = FixtureRun.of(OwnSource.class);
        Device missing = Device.cuda(Device.cudaDeviceCount());
        assertEquals(Status.SUCCESSFUL, run.test("[1] x, cpu").status(), run.toString());
        FixtureRun.Outcome skipped = run.test("[2] y, " + missing);
        assertEquals(Status.ABORTED, skipped.status(), run.toString());
        String expected = Device.isCudaAvailable()
                ? "no " + missing + ": this machine has " + Device.cudaDeviceCount() + " CUDA device(s)"
                : "no CUDA device: " + Device.cudaStatus();
        assertEquals(expected, skipped.message());
        assertEquals(List.of("x cpu"), RAN);
        // Without the mark the body runs (and here would fail on its first use of the device).
        RAN.clear();
        FixtureRun.of(OwnSourceUnchecked.class);
        assertEquals(List.of("x cpu", "y " + missing), RAN);
    }

    @Test
    void whereCudaIsRequiredAnUnusableDeviceFailsInsteadOfSkipping() {
        System.setProperty(CudaCheck.RUN_PROPERTY, "required");
        FixtureRun run = FixtureRun.of(OwnSource.class);
        FixtureRun.Outcome failed = run.test("[2] y, " + Device.cuda(Device.cudaDeviceCount()));
        assertEquals(Status.FAILED, failed.status(), run.toString());
        assertTrue(failed.message().startsWith("this run expects a CUDA device (tensorj.test.cuda=required), but no "),
                failed.message());
        assertEquals(Status.SUCCESSFUL, run.test("[1] x, cpu").status());
    }

    @RequiresCuda
    static class NeedsCuda {
        @BeforeEach
        void setUp() {
            RAN.add("setUp");
        }

        @Test
        void usesCuda() {
            try (Tensor t = Tensor.ones(Device.cuda(0), 2)) {
                RAN.add("body " + t.sum().item());
            }
        }
    }

    @TestMethodOrder(MethodOrderer.MethodName.class)
    static class NeedsCudaOnOneMethod {
        @Test
        void plain() {
            RAN.add("plain");
        }

        @Test
        @RequiresCuda
        void usesCuda() {
            RAN.add("cuda");
        }
    }

    @Test
    void requiresCudaRunsOrSkipsBeforeAnyBeforeEachMethod() {
        FixtureRun run = FixtureRun.of(NeedsCuda.class);
        FixtureRun.Outcome o = run.test("usesCuda()");
        assertEquals(List.of(Map.of(CudaCheck.REPORT_KEY, "cuda:0")), o.entries());
        if (Device.isCudaAvailable()) {
            assertEquals(Status.SUCCESSFUL, o.status(), run.toString());
            assertEquals(List.of("setUp", "body 2.0"), RAN);
        } else {
            assertEquals(Status.ABORTED, o.status(), run.toString());
            assertEquals("no CUDA device: " + Device.cudaStatus(), o.message());
            assertEquals(List.of(), RAN);
        }
        RAN.clear();
        FixtureRun one = FixtureRun.of(NeedsCudaOnOneMethod.class);
        assertEquals(Status.SUCCESSFUL, one.test("plain()").status());
        assertTrue(one.test("plain()").entries().isEmpty());
        assertEquals(Device.isCudaAvailable() ? Status.SUCCESSFUL : Status.ABORTED, one.test("usesCuda()").status());
        assertEquals(Device.isCudaAvailable() ? List.of("plain", "cuda") : List.of("plain"), RAN);
    }

    @Test
    void deviceCasesListCpuThenEachCudaDeviceThenMeta() {
        int cuda = Math.max(1, Device.cudaDeviceCount());
        List<Device> all = DeviceCases.devicesAndMeta().toList();
        assertEquals(2 + cuda, all.size());
        assertEquals(Device.CPU, all.get(0));
        for (int i = 0; i < cuda; i++) {
            assertEquals(Device.cuda(i), all.get(1 + i));
        }
        assertEquals(Device.META, all.get(all.size() - 1));
        assertEquals(all.subList(0, all.size() - 1), DeviceCases.devices().toList());
    }
}
