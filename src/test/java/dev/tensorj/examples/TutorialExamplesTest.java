package dev.tensorj.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Counters;
import dev.tensorj.Device;
import dev.tensorj.IdleGpuException;
import dev.tensorj.IdleGpuPolicy;
import dev.tensorj.TestDevices;
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
        Counters.Snapshot cpu = Counters.snapshot(Device.CPU);
        Counters.Snapshot gpu = Counters.snapshot(Device.cuda(0));
        List<Float>[] losses = new List[1];
        String log = StderrCapture.during(() -> losses[0] = Example1ModelLeftOnCpu.train());

        assertEquals(1, count(log, "WARN dev.tensorj.IdleGpu - GPU idle: SimpleModel is running its forward pass on cpu"),
                log);
        assertEquals(1, count(log, "GPU idle: SGD.step() is updating 2 parameter(s) on cpu"), log);
        assertTrue(log.contains("2 on cpu (linear.weight, linear.bias); input [32, 10] on cpu"), log);
        assertTrue(log.contains("model.to(Device.cuda(0))"), log);

        Counters.Snapshot cpuWork = Counters.snapshot(Device.CPU).minus(cpu);
        Counters.Snapshot gpuWork = Counters.snapshot(Device.cuda(0)).minus(gpu);
        // 10 steps × (forward 32·10·1 + grad-weight 1·32·10 + grad-input... ) all on the cpu.
        assertTrue(cpuWork.flops() >= 10L * 2 * (2 * 32 * 10), "cpu FLOPs: " + cpuWork);
        assertEquals(0, gpuWork.flops() + gpuWork.launches() + gpuWork.ops(), "nothing on the GPU: " + gpuWork);
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
    void strictModeThrowsBeforeTheFirstForwardPass() {
        IdleGpuPolicy.overrideCudaAvailableForTesting(true);
        IdleGpuPolicy.setMode(IdleGpuPolicy.Mode.STRICT);
        Counters.Snapshot cpu = Counters.snapshot(Device.CPU);
        TutorialModels.SimpleModel model = new TutorialModels.SimpleModel();
        dev.tensorj.Tensor x = dev.tensorj.Tensor.randn(32, 10);
        Counters.Snapshot before = Counters.snapshot(Device.CPU);
        IdleGpuException e = assertThrows(IdleGpuException.class, () -> model.forward(x));
        assertEquals("forward", e.op());
        assertTrue(e.getMessage().contains("SimpleModel"), e.getMessage());
        assertEquals(0, Counters.snapshot(Device.CPU).minus(before).flops(), "nothing computed");
        assertTrue(Counters.snapshot(Device.CPU).minus(cpu).allocations() > 0, "setup itself allocated");
    }

    @Test
    void example2TrainsWithEveryFlopOnTheGpu() {
        TestDevices.requireCuda();
        Counters.Snapshot cpu = Counters.snapshot(Device.CPU);
        Counters.Snapshot gpu = Counters.snapshot(Device.cuda(0));
        String log = StderrCapture.during(() -> {
            List<Float> losses = Example2ModelMoved.train(Device.cuda(0));
            assertTrue(losses.get(9) < losses.get(0), losses.toString());
        });
        assertFalse(log.contains("GPU idle"), log);
        Counters.Snapshot cpuWork = Counters.snapshot(Device.CPU).minus(cpu);
        Counters.Snapshot gpuWork = Counters.snapshot(Device.cuda(0)).minus(gpu);
        assertEquals(0, cpuWork.flops(), "no FLOP on the cpu: " + cpuWork);
        assertTrue(gpuWork.flops() > 0, gpuWork.toString());
        // What crossed to the host: the ten losses the loop prints (4 bytes each), nothing else.
        assertEquals(10 * Float.BYTES, gpuWork.bytesDeviceToHost(), gpuWork.toString());
    }

    @Test
    void example3IntermediatesFollowTheirInputs() {
        Example3IntermediateTensors.ComplexModel cpuModel = Example3IntermediateTensors.train(Device.CPU);
        assertEquals(30, cpuModel.intermediateDevices.size());
        assertTrue(cpuModel.intermediateDevices.stream().allMatch(Device.CPU::equals));

        TestDevices.requireCuda();
        Counters.Snapshot cpu = Counters.snapshot(Device.CPU);
        Example3IntermediateTensors.ComplexModel gpuModel = Example3IntermediateTensors.train(Device.cuda(0));
        assertTrue(gpuModel.intermediateDevices.stream().allMatch(Device.cuda(0)::equals));
        assertEquals(0, Counters.snapshot(Device.CPU).minus(cpu).flops());
    }
}
