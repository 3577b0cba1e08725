package dev.tensorj.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tensorj.Device;
import dev.tensorj.LeakReport;
import dev.tensorj.Tensor;
import dev.tensorj.TensorClosedException;
import dev.tensorj.junit.DevicesSource;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * The temporary tensors of {@link Module#to} and {@link Module#loadStateDict} are released: after the call only what it returns or moved is open, on
 * success and on failure.
 */
class ReleasedCopiesTest {
    /** What {@code call} leaves open on {@code device}, tracked from its start. */
    private static long leftOpen(Device device, Runnable call) {
        return leftOpen(device, device, call)[0];
    }

    /** What {@code call} leaves open on {@code a} and on {@code b}, tracked from its start. */
    private static long[] leftOpen(Device a, Device b, Runnable call) {
        LeakReport.setEnabled(true);
        try {
            long beforeA = LeakReport.liveCount(a);
            long beforeB = LeakReport.liveCount(b);
            call.run();
            return new long[] {LeakReport.liveCount(a) - beforeA, LeakReport.liveCount(b) - beforeB};
        } finally {
            LeakReport.setEnabled(false);
        }
    }

    private static Sequential netWithGradients() {
        Sequential s = new Sequential(new Linear(3, 2), new Tanh(), new Linear(2, 2));
        s.forward(Tensor.randn(4, 3)).square().sum().backward();
        return s;
    }

    /** Eight layers: a failure at one parameter finds the copies of most others already made. */
    private static Sequential deepNetWithGradients() {
        Module[] layers = new Module[8];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = new Linear(2, 2);
        }
        Sequential s = new Sequential(layers);
        s.forward(Tensor.randn(3, 2)).square().sum().backward();
        return s;
    }

    @ParameterizedTest
    @DevicesSource
    void toLeavesOneStorageForEachParameterAndGradient(Device device) {
        Sequential s = netWithGradients();
        Map<String, float[]> grads = new LinkedHashMap<>();
        s.namedParameters().forEach((k, p) -> grads.put(k, p.grad().toFloatArray()));
        long open = leftOpen(device, () -> s.to(device));
        assertEquals(device.isCpu() ? 0 : 8, open, "4 parameters and their 4 gradients, once each");
        s.namedParameters().forEach((k, p) -> {
            assertEquals(device, p.grad().device(), k);
            assertArrayEquals(grads.get(k), p.grad().toFloatArray(), k);
        });
        assertEquals(0, leftOpen(device, () -> s.to(device).to(Device.CPU).to(device).to(Device.CPU)),
                "a round trip leaves nothing on the device");
    }

    /** A failure after some gradients were copied releases those copies too. */
    @ParameterizedTest
    @DevicesSource
    void aFailedToReleasesTheGradientCopiesItMade(Device device) {
        if (device.isCpu()) {
            return; // nothing is copied to the device the tensors are on
        }
        Sequential s = deepNetWithGradients();
        ((Linear) s.get(4)).bias().grad().close();
        long open = leftOpen(device, () -> assertThrows(TensorClosedException.class, () -> s.to(device)));
        assertEquals(0, open);
        s.parameters().forEach(p -> assertEquals(Device.CPU, p.device()));
    }

    @ParameterizedTest
    @DevicesSource
    void loadingOtherDtypesOntoADeviceLeavesNoCopy(Device device) {
        Linear lin = new Linear(2, 2).to(device);
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("weight", Tensor.of(new long[] {1, -2, 3, 4}, 2, 2));
        sd.put("bias", Tensor.of(new boolean[] {true, false}, 2));
        long[] open = leftOpen(device, Device.CPU, () -> lin.loadStateDict(sd));
        assertArrayEquals(new long[] {0, 0}, open, "the converted and moved copies are closed");
        assertArrayEquals(new float[] {1, -2, 3, 4}, lin.weight().toFloatArray());
        assertArrayEquals(new float[] {1, 0}, lin.bias().toFloatArray());
    }
}
