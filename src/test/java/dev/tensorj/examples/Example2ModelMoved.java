package dev.tensorj.examples;

import dev.tensorj.Device;
import dev.tensorj.Tensor;
import dev.tensorj.nn.MSELoss;
import dev.tensorj.optim.SGD;
import java.util.ArrayList;
import java.util.List;

/** The tutorial's Example 2, the fix: model and data moved to the chosen device. */
public final class Example2ModelMoved {
    private Example2ModelMoved() {}

    public static void main(String[] args) {
        train(Device.isCudaAvailable() ? Device.cuda() : Device.CPU);
        System.out.println("Training Complete (on the specified device)");
    }

    static List<Float> train(Device device) {
        System.out.println("Using device: " + device);

        TutorialModels.SimpleModel model = new TutorialModels.SimpleModel();
        model.to(device);
        Tensor inputData = Tensor.randn(32, 10).to(device);
        Tensor targetData = Tensor.randn(32, 1).to(device);
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
            System.out.println("Epoch: " + epoch + ", Loss: " + losses.get(epoch));
        }
        System.out.println(model.placement());
        return losses;
    }
}
