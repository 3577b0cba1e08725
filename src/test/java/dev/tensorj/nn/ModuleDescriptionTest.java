package dev.tensorj.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * How a model prints (as PyTorch's {@code print(model)}: each child as {@code (name): layer}, nested
 * ones indented) and what each layer's accessors and {@code toString} report of its configuration.
 */
class ModuleDescriptionTest {
    @Test
    void aNestedModelPrintsEachChildIndented() {
        Sequential model = new Sequential(new Linear(2, 3), new ReLU(), new Sequential(new Tanh(), new Dropout(0.25)));
        assertEquals("Sequential(\n"
                + "  (0): Linear(in=2, out=3, bias=true)\n"
                + "  (1): ReLU()\n"
                + "  (2): Sequential(\n"
                + "    (0): Tanh()\n"
                + "    (1): Dropout(p=0.25)\n"
                + "  )\n"
                + ")", model.toString());
        assertEquals("Sequential()", new Sequential().toString());
    }

    @Test
    void linear() {
        Linear l = new Linear(3, 2, false);
        assertEquals(3, l.inFeatures());
        assertEquals(2, l.outFeatures());
        assertNull(l.bias());
        assertEquals("Linear(in=3, out=2, bias=false)", l.toString());
    }

    @Test
    void normalisationLayers() {
        assertEquals("BatchNorm1d(4, eps=1.0E-5, momentum=0.1, affine=true, track_running_stats=true)",
                new BatchNorm1d(4).toString());
        assertEquals("BatchNorm1d(3, eps=0.001, momentum=0.2, affine=false, track_running_stats=false)",
                new BatchNorm1d(3, 1e-3, 0.2, false, false).toString());
        assertEquals("LayerNorm([2, 3], eps=1.0E-5, elementwiseAffine=true)", new LayerNorm(2, 3).toString());
        assertEquals("LayerNorm([5], eps=0.01, elementwiseAffine=false)",
                new LayerNorm(new int[] {5}, 1e-2, false).toString());
    }

    @Test
    void embedding() {
        Embedding e = new Embedding(5, 2);
        assertEquals(5, e.numEmbeddings());
        assertEquals(2, e.embeddingDim());
        assertEquals("Embedding(5, 2)", e.toString());
        Embedding padded = new Embedding(5, 2, -1);
        assertEquals(OptionalInt.of(4), padded.paddingIdx(), "a negative index counts from the end");
        assertEquals("Embedding(5, 2, paddingIdx=4)", padded.toString());
    }

    @Test
    void activationsAndShapeLayers() {
        assertEquals(0.5, new Dropout().p());
        assertEquals(0.25, new Dropout(0.25).p());
        assertEquals("Dropout(p=0.5)", new Dropout().toString());
        Flatten f = new Flatten();
        assertEquals(1, f.startDim());
        assertEquals(-1, f.endDim());
        assertEquals("Flatten(startDim=1, endDim=-1)", f.toString());
        Flatten g = new Flatten(0, 2);
        assertEquals(0, g.startDim());
        assertEquals(2, g.endDim());
        assertEquals("none", new GELU().approximate());
        assertEquals("GELU(approximate=tanh)", new GELU("tanh").toString());
        assertEquals("Identity()", new Identity().toString());
        assertEquals("SiLU()", new SiLU().toString());
    }
}
