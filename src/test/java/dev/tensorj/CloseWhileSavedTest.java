package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.junit.DevicesSource;
import dev.tensorj.nn.GELU;
import dev.tensorj.nn.LayerNorm;
import dev.tensorj.nn.Linear;
import dev.tensorj.nn.MSELoss;
import dev.tensorj.nn.Module;
import dev.tensorj.nn.ReLU;
import dev.tensorj.nn.Sequential;
import dev.tensorj.nn.Tanh;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Closing a tensor that the graph saved for a backward is Python's {@code del}: the graph keeps it
 * (it still reads, and backward gives the right gradients), and it closes for good once the last
 * backward that needs it has run. Sequential closes what passes between two of the library's
 * modules that way, and leaves alone every tensor a module of another class made or received.
 */
class CloseWhileSavedTest {

    @AfterEach
    void trackingOff() {
        LeakReport.setEnabled(false);
    }

    @ParameterizedTest
    @DevicesSource
    void aClosedTensorTheGraphSavedLivesUntilItsBackward(Device d) {
        Tensor p = Tensor.of(new float[] {1f, -2f, 3f}).to(d).requiresGrad(true);
        Tensor a = p.mul(2f);
        Tensor b = a.mul(a); // saves a
        a.close();
        assertTrue(a.isClosed(), "closed as far as its owner is concerned");
        assertArrayEquals(new float[] {2f, -4f, 6f}, a.toFloatArray(), "but the graph keeps it: it still reads");
        b.sum().backward();
        assertArrayEquals(new float[] {8f, -16f, 24f}, p.grad().toFloatArray(), "d/dp (2p)² = 8p");
        assertThrows(TensorClosedException.class, a::toFloatArray, "closed once the backward that needed it ran");
    }

    @ParameterizedTest
    @DevicesSource
    void aRetainedGraphKeepsItUntilTheLastBackward(Device d) {
        Tensor p = Tensor.of(new float[] {0.5f, 1.5f}).to(d).requiresGrad(true);
        Tensor a = p.tanh();
        Tensor loss = a.mul(a).sum();
        a.close();
        loss.backward(true);
        assertArrayEquals(new float[] {0.5f, 1.5f}, p.toFloatArray());
        float[] once = p.grad().toFloatArray();
        assertFalse(a.isClosed() && !canRead(a), "a retained graph still needs it");
        loss.backward(false);
        for (int i = 0; i < once.length; i++) {
            assertEquals(2 * once[i], p.grad().toFloatArray()[i], 1e-6f);
        }
        assertFalse(canRead(a), "freed with the graph");
    }

    @ParameterizedTest
    @DevicesSource
    void withNoGraphCloseFreesAtOnce(Device d) {
        Tensor p = Tensor.of(new float[] {1f, 2f}).to(d).requiresGrad(true);
        Tensor a;
        try (NoGrad g = NoGrad.enter()) {
            a = p.mul(p);
        }
        a.close();
        assertFalse(canRead(a));
    }

    private static boolean canRead(Tensor t) {
        try {
            t.toFloatArray();
            return true;
        } catch (TensorClosedException e) {
            return false;
        }
    }

    /**
     * With leak tracking on, a training step of library modules leaves live only what the caller
     * holds: the storages that stay open after backward and zeroGrad are the output and the loss
     * (the intermediates were closed by Sequential and freed by the backward, the gradients by
     * zeroGrad). A GC can only lower the count, never raise it, so the bound is exact and safe.
     */
    @ParameterizedTest
    @DevicesSource
    void sequentialFreesWhatPassesBetweenLibraryModules(Device d) {
        Tensor.manualSeed(3);
        Module model = new Sequential(new Linear(6, 16), new ReLU(), new Linear(16, 16), new LayerNorm(16), new GELU(),
                new Linear(16, 2), new Tanh());
        model.to(d);
        Tensor x = Tensor.randn(d, 8, 6);
        Tensor y = Tensor.randn(d, 8, 2);
        step(model, x, y); // first gradients exist; warm
        LeakReport.setEnabled(true);
        int before = LeakTracker.live().size();
        Tensor out = model.forward(x);
        Tensor loss = new MSELoss().forward(out, y);
        loss.backward();
        model.zeroGrad();
        int after = LeakTracker.live().size();
        assertTrue(after - before <= 2, "live storages went from " + before + " to " + after
                + ": only the output and the loss should stay");
        assertEquals(8, out.size(0), "the output stays the caller's");
        out.toFloatArray();
        loss.item();
    }

    private static void step(Module model, Tensor x, Tensor y) {
        new MSELoss().forward(model.forward(x), y).backward();
        model.zeroGrad();
    }

    /** A module of the user's that keeps what it sees: what it made or received is never closed. */
    static final class Probe extends Module {
        final List<Tensor> seen = new ArrayList<>();
        final List<float[]> values = new ArrayList<>();

        @Override
        public Tensor forward(Tensor input) {
            seen.add(input);
            values.add(input.toFloatArray());
            Tensor out = input.mul(1.5f);
            seen.add(out);
            values.add(out.toFloatArray());
            return out;
        }
    }

    @ParameterizedTest
    @DevicesSource
    void tensorsAUsersModuleSawAreNeverClosedBehindItsBack(Device d) {
        Tensor.manualSeed(4);
        Probe probe = new Probe();
        Module model = new Sequential(new Linear(4, 8), new ReLU(), probe, new ReLU(), new Linear(8, 3));
        model.to(d);
        Tensor x = Tensor.randn(d, 5, 4);
        for (int step = 0; step < 3; step++) {
            new MSELoss().forward(model.forward(x), Tensor.zeros(d, 5, 3)).backward();
            model.zeroGrad();
        }
        for (int i = 0; i < probe.seen.size(); i++) {
            assertFalse(probe.seen.get(i).isClosed(), "tensor " + i + " the probe kept");
            assertArrayEquals(probe.values.get(i), probe.seen.get(i).toFloatArray(), "tensor " + i + " keeps its values");
        }
        assertFalse(x.isClosed(), "the input is the caller's");
    }
}
