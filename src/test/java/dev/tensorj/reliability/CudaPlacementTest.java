package dev.tensorj.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.CudaUnavailableException;
import dev.tensorj.Device;
import dev.tensorj.DeviceMismatchException;
import dev.tensorj.Functional;
import dev.tensorj.Tensor;
import dev.tensorj.examples.TutorialModels;
import dev.tensorj.junit.Placement;
import dev.tensorj.junit.RequiresCuda;
import dev.tensorj.nn.MSELoss;
import dev.tensorj.optim.SGD;
import java.util.List;
import org.junit.jupiter.api.Test;

/** cpu/cuda placement rules on a real GPU (skipped without one; the cpu/meta twin is PlacementTest). */
@RequiresCuda
class CudaPlacementTest {

    @Test
    void aDeviceBeyondTheLastIsRejectedWithTheCount() {
        int count = Device.cudaDeviceCount();
        CudaUnavailableException e = assertThrows(CudaUnavailableException.class,
                () -> Tensor.zeros(Device.cuda(count), 2));
        assertTrue(e.getMessage().contains("cuda:" + count) && e.getMessage().contains(count + " CUDA device"),
                e.getMessage());
        assertEquals(Device.cuda(0), Tensor.zeros(Device.cuda(0), 2).device(), "later ops still work");
    }

    @Test
    void roundTripThroughTheGpuIsBitIdentical() {
        float[] v = Tensor.randn(1000).toFloatArray();
        v[0] = Float.NaN;
        v[1] = Float.NEGATIVE_INFINITY;
        v[2] = -0f;
        v[3] = Float.MIN_VALUE;
        float[] back = Tensor.of(v).to(Device.cuda()).to(Device.CPU).toFloatArray();
        for (int i = 0; i < v.length; i++) {
            assertEquals(Float.floatToRawIntBits(v[i]), Float.floatToRawIntBits(back[i]), "element " + i);
        }
    }

    @Test
    void gradientsFlowBackAcrossTo() {
        Tensor x = Tensor.randn(4, 3).requiresGrad(true);
        Tensor w = Tensor.randn(3, 2);
        x.to(Device.cuda()).matmul(w.to(Device.cuda())).sum().backward();
        assertEquals(Device.CPU, x.grad().device());
        float[] expected = Tensor.ones(4, 2).matmul(w.t()).toFloatArray();
        float[] got = x.grad().toFloatArray();
        for (int i = 0; i < got.length; i++) {
            assertEquals(expected[i], got[i], 1e-5f * (1 + Math.abs(expected[i])));
        }
    }

    /**
     * A CUDA leaf whose graph crosses to the CPU and back: its gradient comes back to cuda:0 and
     * the CPU leaf's stays on the CPU. loss = sum((w_cpu * a) @ b_cuda) with w = w0.to(cpu):
     * dloss/dw0 = a * (ones @ bᵀ) row sums, computed here in double.
     */
    @Test
    void gradientsFlowAcrossCpuAndCudaInBothDirections() {
        Tensor w0 = Tensor.randn(Device.cuda(), 3, 4).requiresGrad(true);
        Tensor a = Tensor.randn(3, 4).requiresGrad(true);
        Tensor b = Tensor.randn(Device.cuda(), 4, 2);
        w0.to(Device.CPU).mul(a).to(Device.cuda()).matmul(b).sum().backward();
        assertEquals(Device.cuda(), w0.grad().device());
        assertEquals(Device.CPU, a.grad().device());
        float[] wv = w0.toFloatArray();
        float[] av = a.toFloatArray();
        float[] bv = b.toFloatArray();
        float[] gw = w0.grad().toFloatArray();
        float[] ga = a.grad().toFloatArray();
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) {
                double rowSumB = (double) bv[j * 2] + bv[j * 2 + 1]; // d sum(y @ b) / d y[i, j]
                assertEquals(av[i * 4 + j] * rowSumB, gw[i * 4 + j], 1e-5, "dloss/dw0 at " + i + "," + j);
                assertEquals(wv[i * 4 + j] * rowSumB, ga[i * 4 + j], 1e-5, "dloss/da at " + i + "," + j);
            }
        }
    }

    @Test
    void everyMultiTensorOpRejectsCpuAgainstCuda() {
        Tensor c = Tensor.randn(3, 3);
        Tensor g = Tensor.randn(Device.cuda(), 3, 3);
        Tensor g0 = Tensor.randn(Device.cuda()); // a 0-d cuda operand is no exception
        List<Runnable> calls = List.of(() -> c.add(g), () -> g.sub(c), () -> c.mul(g0), () -> g.div(c),
                () -> c.matmul(g), () -> Functional.linear(c, g, null), () -> Functional.mseLoss(g, c));
        Placement.of(() -> {
            for (Runnable call : calls) {
                DeviceMismatchException e = assertThrows(DeviceMismatchException.class, call::run);
                assertTrue(e.getMessage().contains(".to(cuda:0)"), e.getMessage());
            }
        }).assertLaunchesAtMost(Device.cuda(), 0).assertBytesAllocatedAtMost(Device.cuda(), 0);
    }

    @Test
    void moduleAndOptimizerMisuseIsRejected() {
        TutorialModels.SimpleModel model = new TutorialModels.SimpleModel();
        model.to(Device.cuda());
        Tensor x = Tensor.randn(32, 10);
        DeviceMismatchException e = assertThrows(DeviceMismatchException.class, () -> model.forward(x));
        assertEquals(List.of(Device.CPU, Device.cuda(), Device.cuda()), e.devices());

        SGD sgd = new SGD(model.parameters(), 0.1f, 0.9f);
        new MSELoss().forward(model.forward(x.to(Device.cuda())), Tensor.randn(Device.cuda(), 32, 1)).backward();
        sgd.step();
        Tensor weight = model.parameters().get(0);
        weight.setData(weight.to(Device.CPU)); // the weight moves without its gradient
        float[] before = weight.toFloatArray();
        e = assertThrows(DeviceMismatchException.class, sgd::step);
        assertEquals(List.of(Device.CPU, Device.cuda()), e.devices());
        assertArrayEquals(before, weight.toFloatArray());
    }
}
