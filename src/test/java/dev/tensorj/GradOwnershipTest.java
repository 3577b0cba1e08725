package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.junit.DevicesSource;
import dev.tensorj.nn.ClipGrad;
import dev.tensorj.nn.Linear;
import dev.tensorj.nn.MSELoss;
import dev.tensorj.nn.Module;
import dev.tensorj.nn.ReLU;
import dev.tensorj.nn.Sequential;
import dev.tensorj.optim.Adam;
import dev.tensorj.optim.GroupOptions;
import dev.tensorj.optim.Optimizer;
import dev.tensorj.optim.SGD;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Who owns a gradient: one that the engine made and never handed out is closed when dropped (its
 * memory reused by the next backward) and accumulated into in place; one handed out by
 * {@code grad()} or given by {@code setGrad} stays valid, with its values, for whoever holds it,
 * and a later backward accumulates into a new tensor (PyTorch's AccumulateGrad does the same when
 * someone else holds a reference). The test reads gradients with {@code gradUnshared()}, which
 * hands nothing out.
 */
class GradOwnershipTest {

    private static Tensor param(Device d, float... values) {
        return Tensor.of(values).to(d).requiresGrad(true);
    }

    /** {@code Σ c·p²}: its gradient is {@code 2c·p}. */
    private static void backward(Tensor p, float c) {
        p.pow(2f).mul(c).sum().backward();
    }

    @ParameterizedTest
    @DevicesSource
    void aGradientNobodyWasHandedIsClosedWhenDroppedAndAccumulatedInPlace(Device d) {
        Tensor p = param(d, 1f, -2f, 3f);
        backward(p, 1f);
        Tensor first = p.gradUnshared();
        backward(p, 0.5f);
        assertSame(first, p.gradUnshared(), "accumulated in place: nobody else holds it");
        assertArrayEquals(new float[] {3f, -6f, 9f}, first.toFloatArray());
        p.zeroGrad();
        assertNull(p.gradUnshared());
        assertTrue(first.isClosed(), "zeroGrad closed the gradient nobody was handed, so its memory is reused");

        backward(p, 1f);
        Tensor second = p.gradUnshared();
        p.setGrad(null);
        assertTrue(second.isClosed(), "setGrad(null) drops it the same way");
    }

    @ParameterizedTest
    @DevicesSource
    void aGradientHandedOutKeepsItsValuesForItsHolder(Device d) {
        Tensor p = param(d, 1f, -2f, 3f);
        backward(p, 1f);
        Tensor held = p.grad();
        float[] values = held.toFloatArray();
        backward(p, 0.5f);
        assertNotSame(held, p.grad(), "accumulated into a new tensor: the holder keeps the old values");
        assertArrayEquals(values, held.toFloatArray());
        assertArrayEquals(new float[] {3f, -6f, 9f}, p.grad().toFloatArray());
        p.zeroGrad();
        for (int step = 0; step < 5; step++) {
            backward(p, 3f + step);
            p.zeroGrad();
        }
        assertFalse(held.isClosed(), "a gradient handed out is never closed behind its holder's back");
        assertArrayEquals(values, held.toFloatArray(), "and never recycled: its values are as they were");
    }

    @ParameterizedTest
    @DevicesSource
    void aGradientGivenBySetGradStaysTheCallers(Device d) {
        Tensor p = param(d, 1f, 2f);
        Tensor mine = Tensor.of(new float[] {10f, 20f}).to(d);
        p.setGrad(mine);
        backward(p, 1f);
        assertArrayEquals(new float[] {10f, 20f}, mine.toFloatArray(), "accumulation does not write into it");
        assertArrayEquals(new float[] {12f, 24f}, p.gradUnshared().toFloatArray());
        p.setGrad(mine);
        p.zeroGrad();
        assertFalse(mine.isClosed());
        assertArrayEquals(new float[] {10f, 20f}, mine.toFloatArray());
    }

    /**
     * Training with the library's optimizers: each zeroGrad closes the gradients of the step before
     * (nobody was handed them); a run in which the caller reads every gradient (so none is ever
     * closed) ends bit-identical, and the gradients it kept still hold their values.
     */
    @ParameterizedTest
    @DevicesSource
    void theLibrarysOptimizersRecycleGradientsAndTrainTheSame(Device d) {
        for (Function<List<Tensor>, Optimizer> make : List.<Function<List<Tensor>, Optimizer>>of(
                ps -> new SGD(ps, SGD.Options.lr(0.05f).withMomentum(0.9f)), ps -> new Adam(ps, 0.01f))) {
            List<float[]> recycled = train(d, make, false);
            List<float[]> kept = train(d, make, true);
            for (int i = 0; i < recycled.size(); i++) {
                assertArrayEquals(kept.get(i), recycled.get(i), "parameter " + i);
            }
        }
    }

    private static List<float[]> train(Device d, Function<List<Tensor>, Optimizer> make, boolean readGrads) {
        Tensor.manualSeed(5);
        Module model = new Sequential(new Linear(3, 8), new ReLU(), new Linear(8, 2));
        model.to(d);
        Tensor x = Tensor.randn(d, 16, 3);
        Tensor y = Tensor.randn(d, 16, 2);
        Optimizer opt = make.apply(model.parameters());
        List<Tensor> previous = new ArrayList<>();
        List<Tensor> held = new ArrayList<>();
        List<float[]> heldValues = new ArrayList<>();
        for (int step = 0; step < 6; step++) {
            opt.zeroGrad();
            for (Tensor g : previous) {
                assertTrue(readGrads != g.isClosed(), "closed exactly when nobody was handed it");
            }
            previous.clear();
            new MSELoss().forward(model.forward(x), y).backward();
            for (Tensor p : model.parameters()) {
                if (readGrads) {
                    held.add(p.grad());
                    heldValues.add(p.grad().toFloatArray());
                }
                previous.add(p.gradUnshared());
            }
            ClipGrad.clipGradNorm_(model.parameters(), 10f);
            opt.step();
        }
        for (int i = 0; i < held.size(); i++) {
            assertArrayEquals(heldValues.get(i), held.get(i).toFloatArray(), "a gradient the caller read keeps its values");
        }
        List<float[]> out = new ArrayList<>();
        model.parameters().forEach(p -> out.add(p.toFloatArray()));
        return out;
    }

    /** An optimizer of the user's own gets gradients handed out: it might keep them, so they are never closed. */
    @ParameterizedTest
    @DevicesSource
    void aUsersOwnOptimizerIsHandedTheGradients(Device d) {
        Tensor p = param(d, 1f, -1f);
        List<Tensor> kept = new ArrayList<>();
        Optimizer mine = new Optimizer(List.of(p), 0.1f) {
            @Override
            protected void update(Tensor param, Tensor grad, GroupOptions options) {
                kept.add(grad);
                param.add_(grad, -options.lr());
            }
        };
        for (int step = 0; step < 3; step++) {
            mine.zeroGrad();
            backward(p, 1f);
            mine.step();
        }
        mine.zeroGrad();
        for (Tensor g : kept) {
            assertFalse(g.isClosed(), "the rule kept it: it stays valid");
        }
        assertArrayEquals(new float[] {2f, -2f}, kept.get(0).toFloatArray());
    }
}
