package dev.tensorj.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Device;
import dev.tensorj.IdleGpuException;
import dev.tensorj.IdleGpuPolicy;
import dev.tensorj.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each layer with parameters applies {@link IdleGpuPolicy} at the start of its forward pass on the CPU,
 * naming the model the user holds (the root module); on another device there is nothing to say.
 */
class IdleGpuForwardTest {
    private IdleGpuPolicy.Mode before;

    @BeforeEach
    void strictWithCudaAvailable() {
        before = IdleGpuPolicy.mode();
        IdleGpuPolicy.overrideCudaAvailableForTesting(true);
        IdleGpuPolicy.setMode(IdleGpuPolicy.Mode.STRICT);
    }

    @AfterEach
    void restore() {
        IdleGpuPolicy.overrideCudaAvailableForTesting(null);
        IdleGpuPolicy.setMode(before);
    }

    private static void assertRefused(Module layer, Tensor input, String root) {
        IdleGpuException e = assertThrows(IdleGpuException.class, () -> layer.forward(input), layer.toString());
        assertTrue(e.getMessage().contains("GPU idle: " + root + " is running its forward pass on cpu"), e.getMessage());
    }

    @Test
    void everyLayerWithParametersChecksOnTheCpuNamingTheRootModel() {
        Linear linear = new Linear(3, 3);
        LayerNorm norm = new LayerNorm(3);
        BatchNorm1d batch = new BatchNorm1d(3);
        Embedding embedding = new Embedding(4, 3);
        Sequential inner = new Sequential(norm, batch);
        Sequential model = new Sequential(linear, new ReLU(), inner);
        Tensor x = Tensor.randn(2, 3);
        for (Module layer : List.<Module>of(linear, norm, batch, model, inner)) {
            assertRefused(layer, x, "Sequential");
        }
        assertRefused(embedding, Tensor.of(new long[] {0, 3}, 2), "Embedding");
        assertRefused(new LayerNorm(3), x, "LayerNorm");
        assertRefused(new Sequential(new Linear(3, 2), new ReLU()), x, "Sequential"); // the fused pair
    }

    @Test
    void nothingIsCheckedOffTheCpu() {
        Sequential model = new Sequential(new Linear(3, 4), new ReLU(), new LayerNorm(4), new BatchNorm1d(4))
                .to(Device.META);
        assertArrayEquals(new int[] {2, 4}, model.forward(Tensor.randn(2, 3).to(Device.META)).shape());
    }
}
