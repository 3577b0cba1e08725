package dev.tensorj.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Device;
import dev.tensorj.LeakReport;
import dev.tensorj.Tensor;
import dev.tensorj.TensorClosedException;
import dev.tensorj.junit.DevicesSource;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

class BuffersTest {

    /** A layer with a parameter and two buffers. */
    static final class Stats extends Module {
        final Tensor scale = registerParameter("scale", Tensor.of(new float[] {2, 3}, 2));
        final Tensor runningMean = registerBuffer("running_mean", Tensor.of(new float[] {0.5f, -1.5f}, 2));
        final Tensor count = registerBuffer("count", Tensor.of(new float[] {7}, 1));

        @Override
        public Tensor forward(Tensor input) {
            return input.sub(runningMean).mul(scale);
        }
    }

    static final class Net extends Module {
        final Linear lin = register("lin", new Linear(2, 2));
        final Stats stats = register("stats", new Stats());

        @Override
        public Tensor forward(Tensor input) {
            return stats.forward(lin.forward(input));
        }
    }

    @Test
    void buffersAreListedByPathAndAreNotParameters() {
        Net net = new Net();
        assertEquals(List.of("stats.running_mean", "stats.count"), List.copyOf(net.namedBuffers().keySet()));
        assertEquals(List.of("lin.weight", "lin.bias", "stats.scale"), List.copyOf(net.namedParameters().keySet()));
        assertSame(net.stats.runningMean, net.buffers().get(0));
        assertFalse(net.stats.runningMean.requiresGrad());
        net.forward(Tensor.randn(3, 2)).sum().backward();
        assertEquals(null, net.stats.runningMean.grad());
        assertTrue(net.stats.scale.grad() != null);
    }

    @Test
    void registerBufferRejectsBadInput() {
        class Bad extends Module {
            @Override
            public Tensor forward(Tensor input) {
                return input;
            }

            void add(String name, Tensor t) {
                registerBuffer(name, t);
            }
        }
        Bad b = new Bad();
        b.add("x", Tensor.zeros(2));
        assertThrows(IllegalArgumentException.class, () -> b.add("x", Tensor.zeros(2)), "taken");
        assertThrows(IllegalArgumentException.class, () -> b.add("a.b", Tensor.zeros(2)), "dotted");
        assertThrows(IllegalArgumentException.class, () -> b.add("g", Tensor.zeros(2).requiresGrad(true)), "grad");
        assertThrows(NullPointerException.class, () -> b.add("n", null));
    }

    @ParameterizedTest
    @DevicesSource
    void toMovesBuffersWithTheParameters(Device device) {
        Net net = new Net();
        List<Tensor> buffers = net.buffers();
        net.to(device);
        assertEquals(buffers, net.buffers());
        assertSame(buffers.get(0), net.stats.runningMean);
        for (Tensor b : net.buffers()) {
            assertEquals(device, b.device());
            assertFalse(b.requiresGrad());
        }
        assertArrayEquals(new float[] {0.5f, -1.5f}, net.stats.runningMean.toFloatArray());
        assertArrayEquals(new float[] {7}, net.stats.count.toFloatArray());
        Tensor y = net.forward(Tensor.randn(3, 2).to(device));
        assertEquals(device, y.device());
        net.to(Device.META);
        assertEquals(Device.META, net.stats.count.device());
        assertEquals(Device.META, net.lin.weight().device());
    }

    @Test
    void aClosedBufferMakesToMoveNothing() {
        Net net = new Net();
        net.stats.count.close();
        LeakReport.setEnabled(true);
        long copiesLeft;
        try {
            long before = LeakReport.liveCount(Device.META);
            assertThrows(TensorClosedException.class, () -> net.to(Device.META));
            copiesLeft = LeakReport.liveCount(Device.META) - before;
        } finally {
            LeakReport.setEnabled(false);
        }
        assertEquals(0, copiesLeft, "the copies made before the failure were released");
        for (Tensor p : net.parameters()) {
            assertEquals(Device.CPU, p.device());
        }
        assertEquals(Device.CPU, net.stats.runningMean.device());
        assertArrayEquals(new float[] {0.5f, -1.5f}, net.stats.runningMean.toFloatArray());
    }
}
