package dev.tensorj.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Device;
import dev.tensorj.Tensor;
import dev.tensorj.junit.Placement;
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
        float[] last = new float[1];
        Placement p = Placement.of(() -> {
            for (int i = 0; i < 5; i++) {
                step.run();
            }
            last[0] = lossFn.forward(model.forward(x), y).item();
        });
        assertTrue(Float.isFinite(last[0]));
        p.assertOpsOnlyOn(gpu) // nothing ran on the cpu
                .assertHostDeviceBytesAtMost(gpu, Float.BYTES); // only the loss came back
        assertEquals(Float.BYTES, p.on(gpu).bytesDeviceToHost(), p.toString());
        assertTrue(p.on(gpu).flops() > 0 && p.on(gpu).launches() > 0, p.toString());
    }
}
