package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.junit.DevicesSource;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/** {@link Tensor#setData} and {@link Tensor#setGrad}: PyTorch's {@code t.data = s} and {@code t.grad = g}. */
class TensorDataTest {
    private static final float[] OLD = {0.5f, -1.25f, 3f, 2.75f, -0.125f, 4.5f};
    private static final float[] NEW = {-2f, 0.375f, 1.5f, -3.25f, 6f, 0.25f};

    private static Tensor param() {
        return Tensor.of(OLD.clone(), 2, 3).requiresGrad(true);
    }

    @ParameterizedTest
    @DevicesSource
    void setDataUsesTheSourcesDataAndKeepsTheTensor(Device device) {
        Tensor p = param();
        Tensor source = Tensor.of(NEW.clone(), 2, 3).to(device);
        p.setData(source);
        assertEquals(device, p.device());
        assertTrue(p.requiresGrad() && p.isLeaf());
        source.close(); // p holds its own reference to the data
        assertArrayEquals(NEW, p.toFloatArray());
        // Still a leaf of the graph, now on the new device.
        p.mul(Tensor.of(OLD.clone(), 2, 3).to(device)).sum().backward();
        assertEquals(device, p.grad().device());
        assertArrayEquals(OLD, p.grad().toFloatArray());
    }

    @Test
    void setDataRejectsAnotherShapeAndKeepsTheData() {
        Tensor p = param();
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                () -> p.setData(Tensor.of(NEW.clone(), 3, 2)));
        assertEquals("setData", e.op());
        assertTrue(e.getMessage().contains("[3, 2]") && e.getMessage().contains("[2, 3]"), e.getMessage());
        assertArrayEquals(OLD, p.toFloatArray());
    }

    @Test
    void setDataIsOnlyForLeaves() {
        Tensor y = param().mul(2f);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> y.setData(Tensor.of(NEW.clone(), 2, 3)));
        assertTrue(e.getMessage().startsWith("setData:") && e.getMessage().contains("leaf"), e.getMessage());
    }

    @Test
    void setDataChecksBothTensorsAreOpen() {
        Tensor closedSource = Tensor.of(NEW.clone(), 2, 3);
        closedSource.close();
        Tensor p = param();
        TensorClosedException e = assertThrows(TensorClosedException.class, () -> p.setData(closedSource));
        assertEquals("setData", e.op());
        assertArrayEquals(OLD, p.toFloatArray());
        p.close();
        assertEquals("setData", assertThrows(TensorClosedException.class,
                () -> p.setData(Tensor.of(NEW.clone(), 2, 3))).op());
    }

    @Test
    void setGradSetsWhatTheNextBackwardAccumulatesOnto() {
        Tensor p = param();
        Tensor g = Tensor.of(NEW.clone(), 2, 3);
        p.setGrad(g);
        assertSame(g, p.grad());
        p.mul(Tensor.of(OLD.clone(), 2, 3)).sum().backward();
        float[] got = p.grad().toFloatArray();
        for (int i = 0; i < got.length; i++) {
            assertEquals(NEW[i] + OLD[i], got[i], 0f);
        }
        p.setGrad(null);
        assertNull(p.grad());
    }

    @Test
    void setGradRejectsAnotherDeviceAndKeepsTheGradient() {
        Tensor p = param();
        Tensor g = Tensor.of(NEW.clone(), 2, 3);
        p.setGrad(g);
        DeviceMismatchException e = assertThrows(DeviceMismatchException.class,
                () -> p.setGrad(Tensor.randn(Device.META, 2, 3)));
        assertEquals("setGrad", e.op());
        assertEquals(List.of("tensor", "grad"), e.roles());
        assertEquals(List.of(Device.CPU, Device.META), e.devices());
        assertSame(g, p.grad());
    }

    @Test
    void setGradRejectsAnotherShape() {
        Tensor p = param();
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                () -> p.setGrad(Tensor.of(NEW.clone(), 6)));
        assertEquals("setGrad", e.op());
        assertTrue(e.getMessage().contains("[6]") && e.getMessage().contains("[2, 3]"), e.getMessage());
        assertNull(p.grad());
    }

    @org.junit.jupiter.api.Test
    void dataAndGradientsKeepTheTensorsDtype() {
        Tensor p = Tensor.of(new float[] {1f, 2f}).requiresGrad(true);
        assertThrows(DTypeMismatchException.class, () -> Tensor.of(new float[] {0f, 0f}).setData(Tensor.of(new long[] {1, 2})));
        assertThrows(DTypeMismatchException.class, () -> p.setGrad(Tensor.of(new long[] {1, 2})));
        IllegalArgumentException self = assertThrows(IllegalArgumentException.class, () -> p.setGrad(p));
        assertTrue(self.getMessage().startsWith("setGrad:"), self.getMessage());
        assertEquals(null, p.grad());
    }

    @org.junit.jupiter.api.Test
    void theReplacedStorageEndsItsLeakTracking() {
        boolean was = LeakReport.isEnabled();
        LeakReport.setEnabled(true);
        try {
            long before = LeakReport.liveCount(Device.CPU);
            Tensor t = Tensor.of(new float[] {1f, 2f});
            try (Tensor source = Tensor.of(new float[] {3f, 4f})) {
                t.setData(source.to(Device.META));
            }
            assertEquals(before, LeakReport.liveCount(Device.CPU), "the cpu storages were released, not leaked");
        } finally {
            LeakReport.setEnabled(was);
        }
    }
}
