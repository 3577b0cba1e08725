package dev.tensorj.examples;

import dev.tensorj.Device;
import dev.tensorj.Tensor;
import dev.tensorj.nn.Linear;
import dev.tensorj.nn.MSELoss;
import dev.tensorj.nn.Module;
import dev.tensorj.nn.ReLU;
import dev.tensorj.optim.SGD;
import java.util.ArrayList;
import java.util.List;

/**
 * The tutorial's Example 3: intermediate tensors of the forward pass live where the parameters
 * and inputs live, with no code of the user's. The model records each intermediate's device so a
 * test can check it.
 */
public final class Example3IntermediateTensors {
    private Example3IntermediateTensors() {}

    /** ComplexModel that also remembers where each intermediate tensor was. */
    static final class ComplexModel extends Module {
        final Linear linear1 = register("linear1", new Linear(10, 20));
        final ReLU relu = register("relu", new ReLU());
        final Linear linear2 = register("linear2", new Linear(20, 1));
        final List<Device> intermediateDevices = new ArrayList<>();

        @Override
        public Tensor forward(Tensor x) {
            x = linear1.forward(x);
            intermediateDevices.add(x.device());
            x = relu.forward(x);
            intermediateDevices.add(x.device());
            x = linear2.forward(x);
            intermediateDevices.add(x.device());
            return x;
        }
    }

    public static void main(String[] args) {
        train(Device.isCudaAvailable() ? Device.cuda() : Device.CPU);
        System.out.println("Training Complete (on the specified device)");
    }

    static ComplexModel train(Device device) {
        System.out.println("Using device: " + device);

        ComplexModel model = new ComplexModel();
        model.to(device);
        Tensor inputData = Tensor.randn(32, 10).to(device);
        Tensor targetData = Tensor.randn(32, 1).to(device);
        SGD optimizer = new SGD(model.parameters(), 0.01f);
        MSELoss lossFn = new MSELoss();

        for (int epoch = 0; epoch < 10; epoch++) {
            optimizer.zeroGrad();
            Tensor output = model.forward(inputData);
            Tensor loss = lossFn.forward(output, targetData);
            loss.backward();
            optimizer.step();
            System.out.println("Epoch: " + epoch + ", Loss: " + loss.item());
        }
        System.out.println(model.placement());
        return model;
    }
}
