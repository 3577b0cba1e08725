package dev.tensorj.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Device;
import dev.tensorj.IdleGpuException;
import dev.tensorj.IdleGpuPolicy;
import dev.tensorj.junit.Placement;
import dev.tensorj.junit.RequiresCuda;
import dev.tensorj.junit.StrictIdleGpu;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The tutorial's three programs. Without a GPU, Example 1's warning is tested through the one
 * documented seam, {@link IdleGpuPolicy#overrideCudaAvailableForTesting}: only the check is told
 * CUDA is available; nothing runs anywhere but the CPU. Examples 2 and 3 on CUDA need a GPU.
 */
class TutorialExamplesTest {

    @AfterEach
    void restore() {
        IdleGpuPolicy.overrideCudaAvailableForTesting(null);
        IdleGpuPolicy.setMode(IdleGpuPolicy.Mode.WARN);
    }

    private static long count(String text, String needle) {
        return text.lines().filter(l -> l.contains(needle)).count();
    }

    @Test
    void example1WarnsOncePerModelAndOptimizerAndEveryFlopIsOnTheCpu() {
        IdleGpuPolicy.overrideCudaAvailableForTesting(true);
        List<Float>[] losses = new List[1];
        Placement[] training = new Placement[1];
        String log = StderrCapture.during(() -> training[0] = Placement.of(() -> losses[0] = Example1ModelLeftOnCpu.train()));

        assertEquals(1, count(log, "WARN dev.tensorj.IdleGpu - GPU idle: SimpleModel is running its forward pass on cpu"),
                log);
        assertEquals(1, count(log, "GPU idle: SGD.step() is updating 2 parameter(s) on cpu"), log);
        assertTrue(log.contains("2 on cpu (linear.weight, linear.bias); input [32, 10] on cpu"), log);
        assertTrue(log.contains("model.to(Device.cuda(0))"), log);

        // 10 steps × (forward 32·10·1 + grad-weight 1·32·10 + grad-input... ) all on the cpu.
        training[0].assertOpsOnlyOn(Device.CPU);
        assertTrue(training[0].on(Device.CPU).flops() >= 10L * 2 * (2 * 32 * 10), training[0].toString());
        assertTrue(losses[0].get(9) < losses[0].get(0), "still trains: " + losses[0]);
    }

    @Test
    void noWarningWhenNoGpuIsAvailable() {
        IdleGpuPolicy.overrideCudaAvailableForTesting(false);
        String log = StderrCapture.during(Example1ModelLeftOnCpu::train);
        assertFalse(log.contains("GPU idle"), log);
    }

    @Test
    void silentModeSaysNothing() {
        IdleGpuPolicy.overrideCudaAvailableForTesting(true);
        IdleGpuPolicy.setMode(IdleGpuPolicy.Mode.SILENT);
        String log = StderrCapture.during(Example1ModelLeftOnCpu::train);
        assertFalse(log.contains("GPU idle"), log);
    }

    @Test
    @StrictIdleGpu
    void strictModeThrowsBeforeTheFirstForwardPass() {
        IdleGpuPolicy.overrideCudaAvailableForTesting(true);
        TutorialModels.SimpleModel model = new TutorialModels.SimpleModel();
        dev.tensorj.Tensor x = dev.tensorj.Tensor.randn(32, 10);
        IdleGpuException[] e = new IdleGpuException[1];
        Placement p = Placement.of(() -> e[0] = assertThrows(IdleGpuException.class, () -> model.forward(x)));
        assertEquals("forward", e[0].op());
        assertTrue(e[0].getMessage().contains("SimpleModel"), e[0].getMessage());
        assertEquals(0, p.on(Device.CPU).ops(), "nothing computed: " + p);
    }

    @Test
    @RequiresCuda
    void example2TrainsWithEveryFlopOnTheGpu() {
        Device cuda = Device.cuda(0);
        Placement[] training = new Placement[1];
        String log = StderrCapture.during(() -> training[0] = Placement.of(() -> {
            List<Float> losses = Example2ModelMoved.train(cuda);
            assertTrue(losses.get(9) < losses.get(0), losses.toString());
        }));
        assertFalse(log.contains("GPU idle"), log);
        training[0].assertRanOnlyOn(cuda);
        assertTrue(training[0].on(cuda).flops() > 0, training[0].toString());
        // What crossed to the host: the ten losses the loop prints (4 bytes each), nothing else.
        assertEquals(10 * Float.BYTES, training[0].on(cuda).bytesDeviceToHost(), training[0].toString());
    }

    @Test
    void example3IntermediatesFollowTheirInputsOnTheCpu() {
        Example3IntermediateTensors.ComplexModel cpuModel = Example3IntermediateTensors.train(Device.CPU);
        assertEquals(30, cpuModel.intermediateDevices.size());
        assertTrue(cpuModel.intermediateDevices.stream().allMatch(Device.CPU::equals));
    }

    @Test
    @RequiresCuda
    void example3IntermediatesFollowTheirInputsOnCuda() {
        Example3IntermediateTensors.ComplexModel[] gpuModel = new Example3IntermediateTensors.ComplexModel[1];
        Placement.of(() -> gpuModel[0] = Example3IntermediateTensors.train(Device.cuda(0))).assertRanOnlyOn(Device.cuda(0));
        assertEquals(30, gpuModel[0].intermediateDevices.size());
        assertTrue(gpuModel[0].intermediateDevices.stream().allMatch(Device.cuda(0)::equals));
    }
}
