package dev.tensorj.examples;

import dev.tensorj.Device;
import dev.tensorj.Tensor;
import dev.tensorj.nn.MSELoss;
import dev.tensorj.optim.SGD;
import java.util.ArrayList;
import java.util.List;

/**
 * The tutorial's Example 1, the mistake: a device is chosen but never used, so the model and the
 * data stay on the CPU. When a GPU is available, tensorj logs "GPU idle" for the model and for the
 * optimizer, and the counters show every FLOP on the cpu.
 */
public final class Example1ModelLeftOnCpu {
    private Example1ModelLeftOnCpu() {}

    public static void main(String[] args) {
        train();
        System.out.println("Training Complete (potentially on CPU)");
    }

    static List<Float> train() {
        Device device = Device.isCudaAvailable() ? Device.cuda() : Device.CPU;
        System.out.println("Using device: " + device);

        TutorialModels.SimpleModel model = new TutorialModels.SimpleModel(); // never moved
        Tensor inputData = Tensor.randn(32, 10);
        Tensor targetData = Tensor.randn(32, 1);
        SGD optimizer = new SGD(model.parameters(), 0.01f);
        MSELoss lossFn = new MSELoss();

        List<Float> losses = new ArrayList<>();
        for (int epoch = 0; epoch < 10; epoch++) {
            optimizer.zeroGrad();
            Tensor output = model.forward(inputData);
            Tensor loss = lossFn.forward(output, targetData);
            loss.backward();
            optimizer.step();
            losses.add(loss.item());
            System.out.println("Epoch: " + epoch + ", Loss: " + loss.item());
        }
        System.out.println(model.placement());
        return losses;
    }
}
