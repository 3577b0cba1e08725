package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.examples.TutorialModels;
import dev.tensorj.junit.Placement;
import dev.tensorj.nn.MSELoss;
import dev.tensorj.optim.SGD;
import org.junit.jupiter.api.Test;

/** The meta device: shapes and placement rules without data. */
class MetaDeviceTest {

    @Test
    void opsComputeShapesOnly() {
        Tensor a = Tensor.randn(Device.META, 17, 33);
        Tensor b = Tensor.zeros(Device.META, 33, 65);
        Tensor c = a.matmul(b).add(Tensor.ones(Device.META, 65)).relu();
        assertEquals(Device.META, c.device());
        assertArrayEquals(new int[] {17, 65}, c.shape());
        assertArrayEquals(new int[] {65, 17}, c.t().shape());
        assertArrayEquals(new int[] {17}, c.sum(1, false).shape());
        assertArrayEquals(new int[] {}, c.mean().shape());
        assertArrayEquals(new int[] {17 * 65}, c.reshape(-1).shape());
    }

    @Test
    void shapeErrorsStillApply() {
        Tensor a = Tensor.randn(Device.META, 2, 3);
        Tensor b = Tensor.randn(Device.META, 4, 5);
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> a.matmul(b));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4, 5]"), e.getMessage());
    }

    @Test
    void readingValuesThrows() {
        Tensor a = Tensor.randn(Device.META, 3);
        assertEquals("toFloatArray", assertThrows(MetaTensorReadException.class, a::toFloatArray).op());
        assertEquals("item", assertThrows(MetaTensorReadException.class, () -> a.sum().item()).op());
        assertEquals("to", assertThrows(MetaTensorReadException.class, () -> a.to(Device.CPU)).op());
    }

    @Test
    void aWholeTrainingStepRunsOnMeta() {
        TutorialModels.ComplexModel model = new TutorialModels.ComplexModel();
        model.to(Device.META);
        SGD sgd = new SGD(model.parameters(), 0.01f, 0.9f);
        Tensor x = Tensor.randn(Device.META, 32, 10);
        Tensor y = Tensor.randn(Device.META, 32, 1);
        Placement steps = Placement.of(() -> {
            for (int i = 0; i < 2; i++) {
                sgd.zeroGrad();
                Tensor loss = new MSELoss().forward(model.forward(x), y);
                loss.backward();
                sgd.step();
            }
        });
        steps.assertLaunchesAtMost(Device.CPU, 0); // a meta training step ran nothing on the cpu
        for (Tensor p : model.parameters()) {
            assertEquals(Device.META, p.device());
            assertEquals(Device.META, p.grad().device());
            assertArrayEquals(p.shape(), p.grad().shape());
        }
    }
}
