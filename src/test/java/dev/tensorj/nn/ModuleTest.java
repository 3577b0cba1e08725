package dev.tensorj.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Tensor;
import dev.tensorj.examples.TutorialModels;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModuleTest {

    @Test
    void registrationNamesParametersByPath() {
        TutorialModels.ComplexModel model = new TutorialModels.ComplexModel();
        assertEquals(List.of("linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias"),
                List.copyOf(model.namedParameters().keySet()));
        assertEquals(4, model.parameters().size());
        assertSame(model.linear1.weight(), model.parameters().get(0));
        assertTrue(model.parameters().stream().allMatch(Tensor::requiresGrad));
        assertEquals(List.of("linear1", "relu", "linear2"), List.copyOf(model.children().keySet()));
    }

    @Test
    void sequentialNamesItsModulesByIndex() {
        Sequential s = new Sequential(new Linear(784, 1024), new ReLU(), new Linear(1024, 10));
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(s.namedParameters().keySet()));
        Tensor y = s.forward(Tensor.randn(3, 784));
        assertArrayEquals(new int[] {3, 10}, y.shape());
    }

    @Test
    void linearHasPyTorchLayoutAndInit() {
        Tensor.manualSeed(7);
        Linear l = new Linear(400, 30);
        assertArrayEquals(new int[] {30, 400}, l.weight().shape());
        assertArrayEquals(new int[] {30}, l.bias().shape());
        double bound = 1 / Math.sqrt(400);
        float[] w = l.weight().toFloatArray();
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        double sum = 0;
        for (float v : w) {
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
        }
        assertTrue(min >= -bound && max <= bound, "within ±1/√in: " + min + " " + max);
        // Uniform over the whole range: 12,000 samples reach close to both ends and centre near 0.
        assertTrue(min < -0.95 * bound && max > 0.95 * bound, "spans ±1/√in: " + min + " " + max);
        assertEquals(0, sum / w.length, 0.05 * bound);
        for (float v : l.bias().toFloatArray()) {
            assertTrue(Math.abs(v) <= bound);
        }
        assertEquals(null, new Linear(3, 2, false).bias());
    }

    @Test
    void seedMakesInitialisationReproducible() {
        Tensor.manualSeed(3);
        float[] a = new Linear(5, 4).weight().toFloatArray();
        Tensor.manualSeed(3);
        float[] b = new Linear(5, 4).weight().toFloatArray();
        assertArrayEquals(a, b);
    }

    @Test
    void trainAndEvalPropagateToChildren() {
        TutorialModels.ComplexModel model = new TutorialModels.ComplexModel();
        assertTrue(model.isTraining());
        TutorialModels.ComplexModel same = model.eval();
        assertSame(model, same);
        assertFalse(model.linear1.isTraining());
        model.train();
        assertTrue(model.relu.isTraining());
    }

    @Test
    void registrationRejectsBadOrDuplicateNames() {
        class Bad extends Module {
            Bad(String first, String second) {
                register(first, new ReLU());
                register(second, new ReLU());
            }

            @Override
            public Tensor forward(Tensor x) {
                return x;
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new Bad("a", "a"));
        assertThrows(IllegalArgumentException.class, () -> new Bad("a", "b.c"));
        assertThrows(IllegalArgumentException.class, () -> new Bad("", "b"));
    }

    @Test
    void lossNeedsATarget() {
        MSELoss loss = new MSELoss();
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> loss.forward(Tensor.randn(2, 1)));
        assertTrue(e.getMessage().contains("forward(input, target)"));
    }
}
