package dev.tensorj.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tensorj.Functional;
import dev.tensorj.Tensor;
import org.junit.jupiter.api.Test;

/** CrossEntropyLoss and BCEWithLogitsLoss forward to Functional with their settings. */
class LossModulesTest {
    @Test
    void modulesMatchFunctional() {
        Tensor.manualSeed(3);
        Tensor x = Tensor.randn(4, 3);
        Tensor t = Tensor.of(new long[] {2, 0, -100, 1}, 4);
        assertEquals(Functional.crossEntropy(x, t).item(), new CrossEntropyLoss().forward(x, t).item());
        assertEquals(Functional.crossEntropy(x, t, null, -100, 0.1f, "sum").item(),
                new CrossEntropyLoss(-100, 0.1f, "sum").forward(x, t).item());
        Tensor y = Tensor.rand(4, 3);
        assertEquals(Functional.binaryCrossEntropyWithLogits(x, y, null, "sum").item(),
                new BCEWithLogitsLoss("sum").forward(x, y).item());
        assertEquals(Functional.binaryCrossEntropyWithLogits(x, y).item(), new BCEWithLogitsLoss().forward(x, y).item());
        assertThrows(IllegalArgumentException.class, () -> new CrossEntropyLoss(-100, 0f, "avg"));
        assertThrows(IllegalArgumentException.class, () -> new BCEWithLogitsLoss("total"));
        assertThrows(UnsupportedOperationException.class, () -> new CrossEntropyLoss().forward(x));
    }
}
