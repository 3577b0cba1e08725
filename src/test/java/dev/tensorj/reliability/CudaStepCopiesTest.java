package dev.tensorj.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Counters;
import dev.tensorj.Device;
import dev.tensorj.Tensor;
import dev.tensorj.junit.RequiresCuda;
import dev.tensorj.nn.Linear;
import dev.tensorj.nn.MSELoss;
import dev.tensorj.nn.ReLU;
import dev.tensorj.nn.Sequential;
import dev.tensorj.optim.SGD;
import org.junit.jupiter.api.Test;

/**
 * A CUDA training step does all its FLOPs on the GPU and copies nothing between host and device
 * beyond the readout asked for (the counters are the proof; skipped without a GPU).
 */
class CudaStepCopiesTest {

    @Test
    @RequiresCuda
    void aTrainingStepCopiesOnlyTheLossItReads() {
        Device gpu = Device.cuda();
        Sequential model = new Sequential(new Linear(10, 20), new ReLU(), new Linear(20, 1)).to(gpu);
        Tensor x = Tensor.randn(32, 10).to(gpu);
        Tensor y = Tensor.randn(32, 1).to(gpu);
        SGD sgd = new SGD(model.parameters(), 0.01f, 0.9f);
        MSELoss lossFn = new MSELoss();
        Runnable step = () -> {
            sgd.zeroGrad();
            Tensor loss = lossFn.forward(model.forward(x), y);
            loss.backward();
            sgd.step();
        };
        step.run(); // the first step creates the momentum buffers
        Counters.Snapshot cpu = Counters.snapshot(Device.CPU);
        Counters.Snapshot dev = Counters.snapshot(gpu);
        for (int i = 0; i < 5; i++) {
            step.run();
        }
        float last = lossFn.forward(model.forward(x), y).item();
        Counters.Snapshot cpuWork = Counters.snapshot(Device.CPU).minus(cpu);
        Counters.Snapshot gpuWork = Counters.snapshot(gpu).minus(dev);
        assertTrue(Float.isFinite(last));
        assertEquals(0, cpuWork.flops() + cpuWork.launches(), "nothing ran on the cpu: " + cpuWork);
        assertEquals(0, gpuWork.bytesHostToDevice(), "no host→device copy in a step: " + gpuWork);
        assertEquals(Float.BYTES, gpuWork.bytesDeviceToHost(), "only the loss came back: " + gpuWork);
        assertTrue(gpuWork.flops() > 0 && gpuWork.launches() > 0, gpuWork.toString());
    }
}
