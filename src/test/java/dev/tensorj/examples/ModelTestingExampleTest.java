package dev.tensorj.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Device;
import dev.tensorj.Functional;
import dev.tensorj.Tensor;
import dev.tensorj.junit.DevicesSource;
import dev.tensorj.junit.LeakCheck;
import dev.tensorj.junit.Placement;
import dev.tensorj.junit.StrictIdleGpu;
import dev.tensorj.junit.Timing;
import dev.tensorj.nn.CrossEntropyLoss;
import dev.tensorj.nn.Linear;
import dev.tensorj.nn.ReLU;
import dev.tensorj.nn.Sequential;
import dev.tensorj.optim.SGD;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * The README's "Testing models with JUnit" example: a small classifier's training step tested with
 * each part of dev.tensorj.junit. What it prints is pasted into the README.
 */
@LeakCheck // every test: no tensor left live, no CUDA memory left in use
class ModelTestingExampleTest {
    static final int BATCH = 32;

    /** A model, a batch and an optimizer on one device. */
    record Step(Sequential model, Tensor x, Tensor y, SGD optimizer, CrossEntropyLoss loss) {
        static Step on(Device device) {
            Tensor.manualSeed(7);
            Sequential model = new Sequential(new Linear(64, 128), new ReLU(), new Linear(128, 10)).to(device);
            return new Step(model, Tensor.randn(BATCH, 64).to(device), Tensor.randint(0, 10, BATCH).to(device),
                    new SGD(model.parameters(), 0.1f), new CrossEntropyLoss());
        }

        float run() {
            optimizer.zeroGrad();
            Tensor l = loss.forward(model.forward(x), y);
            l.backward();
            optimizer.step();
            return l.item();
        }
    }

    @ParameterizedTest
    @DevicesSource // cpu, each cuda:N (skipped, with the reason, where there is none)
    void aTrainingStepRunsWhereTheModelIs(Device device) {
        Step step = Step.on(device);
        float first = step.run();
        Placement p = Placement.of(step::run)
                .assertRanOnlyOn(device)                          // no FLOP anywhere else
                .assertHostDeviceBytesAtMost(device, BATCH * 8 + 4) // the targets' check and the loss read
                .assertLaunchesAtMost(device, 40)
                .assertBytesAllocatedAtMost(device, 200_000);
        System.out.println(device + ": " + p);
        assertTrue(step.run() < first);
    }

    @Test
    @StrictIdleGpu // a forward pass on the cpu while a GPU is free throws instead of warning
    void trainsOnTheBestDevice() {
        Step.on(Device.best()).run();
    }

    @ParameterizedTest
    @DevicesSource
    void theFusedCrossEntropyAgainstTheComposedOne(Device device) {
        Tensor logits = Tensor.randn(device, 256, 1000);
        Tensor target = Tensor.randint(0, 1000, 256).to(device);
        Timing.Comparison c = Timing.on(device).warmup(3).repeats(15).compare(
                () -> Functional.crossEntropy(logits, target),
                () -> Functional.nllLoss(logits.logSoftmax(1), target));
        System.out.println(device + ": fused/composed " + c);
    }
}
