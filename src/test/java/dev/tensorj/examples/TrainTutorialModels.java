package dev.tensorj.examples;

import dev.tensorj.Device;
import dev.tensorj.Tensor;
import dev.tensorj.nn.MSELoss;
import dev.tensorj.nn.Module;
import dev.tensorj.optim.SGD;
import java.util.Map;

/**
 * The main job: picks {@link Device#best()}, trains the tutorial's two models on it and prints
 * the device, the loss per epoch and where the parameters live.
 * Run with {@code mvn -q test-compile exec:exec}.
 */
public final class TrainTutorialModels {
    private TrainTutorialModels() {}

    public static void main(String[] args) {
        Device device = Device.best();
        System.out.println("Using device: " + device);
        Tensor.manualSeed(0);
        train("SimpleModel", new TutorialModels.SimpleModel(), device);
        train("ComplexModel", new TutorialModels.ComplexModel(), device);
    }

    static void train(String name, Module model, Device device) {
        System.out.println();
        System.out.println("== " + name + " on " + device);
        model.to(device);
        Tensor input = Tensor.randn(32, 10).to(device);
        Tensor target = Tensor.randn(32, 1).to(device);
        SGD optimizer = new SGD(model.parameters(), 0.01f);
        MSELoss lossFn = new MSELoss();
        for (int epoch = 0; epoch < 10; epoch++) {
            optimizer.zeroGrad();
            Tensor output = model.forward(input);
            Tensor loss = lossFn.forward(output, target);
            loss.backward();
            optimizer.step();
            System.out.printf("Epoch: %d, Loss: %.6f%n", epoch, loss.item());
        }
        System.out.println("Parameters:");
        for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
            Tensor p = e.getValue();
            System.out.printf("  %-16s %-10s on %s%n", e.getKey(), java.util.Arrays.toString(p.shape()), p.device());
        }
    }
}
