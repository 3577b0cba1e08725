package dev.tensorj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Device;
import dev.tensorj.DeviceMismatchException;
import dev.tensorj.Tensor;
import dev.tensorj.nn.Linear;
import dev.tensorj.nn.MSELoss;
import dev.tensorj.nn.ReLU;
import dev.tensorj.nn.Sequential;
import dev.tensorj.optim.SGD;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's first example, as a user's test: a small model learns, and a misplaced tensor is refused. */
class TrainingTest {

    @Test
    void aSmallModelLearnsOnTheCpu() {
        Tensor.manualSeed(0);
        Device device = Device.of("cpu");
        // y = x · w for a fixed w: a network of this size fits it closely in a few hundred steps.
        Tensor x = Tensor.randn(device, 64, 8);
        Tensor w = Tensor.randn(device, 8, 1);
        Tensor y = x.matmul(w);
        Sequential model = new Sequential(new Linear(8, 32), new ReLU(), new Linear(32, 1)).to(device);
        SGD optimizer = new SGD(model.parameters(), 0.02f, 0.9f);
        MSELoss lossFn = new MSELoss();
        float first = Float.NaN;
        float last = Float.NaN;
        for (int step = 0; step < 300; step++) {
            optimizer.zeroGrad();
            Tensor loss = lossFn.forward(model.forward(x), y);
            loss.backward();
            optimizer.step();
            last = loss.item();
            if (step == 0) {
                first = last;
            }
        }
        assertTrue(Float.isFinite(last), "loss " + last);
        assertTrue(last < first / 20, "the loss fell from " + first + " to " + last + " only");
        for (Tensor p : model.parameters()) {
            assertEquals(device, p.device());
        }
    }

    @Test
    void anOperandOnAnotherDeviceIsRefusedWithTheFix() {
        Sequential model = new Sequential(new Linear(4, 2)).to(Device.META);
        Tensor input = Tensor.randn(3, 4); // on the cpu
        DeviceMismatchException e = assertThrows(DeviceMismatchException.class, () -> model.forward(input));
        assertEquals(List.of(Device.of("cpu"), Device.META, Device.META), e.devices());
        assertTrue(e.getMessage().startsWith("linear: expected all tensors on one device"), e.getMessage());
        assertTrue(e.getMessage().contains(".to("), e.getMessage());
    }
}
