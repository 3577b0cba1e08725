package dev.tensorj.bench;

import dev.tensorj.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code table.indexSelect(0, index)} forward and backward (an embedding lookup) on the CPU: the
 * median time of one step over several runs, per case. Run by name only:
 * {@code mvn -o -B test -Dtest=IndexSelectBenchmark -Dsurefire.failIfNoSpecifiedTests=false -P '!cuda-emulator'}.
 */
class IndexSelectBenchmark {
    record Case(int rows, int dim, int k, int runs) {}

    static final Case[] CASES = {new Case(2_000, 64, 128, 11), new Case(50_000, 128, 4_096, 21)};

    @Test
    void run() {
        System.out.println("index_select forward+backward, cpu, " + Runtime.version() + ", "
                + Runtime.getRuntime().availableProcessors() + " cpus");
        for (Case c : CASES) {
            Random rng = new Random(1);
            long[] idx = new long[c.k()];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = rng.nextInt(c.rows());
            }
            Tensor index = Tensor.of(idx, c.k());
            Tensor table = Tensor.randn(c.rows(), c.dim()).requiresGrad(true);
            Tensor seed = Tensor.randn(c.k(), c.dim());
            List<Double> ms = new ArrayList<>();
            String failure = null;
            for (int r = 0; r < c.runs() + 2 && failure == null; r++) { // two warm-up runs
                long t0 = System.nanoTime();
                try {
                    Tensor out = table.indexSelect(0, index);
                    out.backward(seed, false);
                    table.grad().toFloatArray(); // waits for the result
                } catch (RuntimeException | OutOfMemoryError e) {
                    failure = e.getClass().getSimpleName() + ": " + e.getMessage();
                    break;
                }
                table.setGrad(null);
                if (r >= 2) {
                    ms.add((System.nanoTime() - t0) / 1e6);
                }
            }
            if (failure != null) {
                System.out.println(c + ": failed: " + failure);
                continue;
            }
            ms.sort(null);
            System.out.println(String.format(Locale.ROOT, "%s: median %.3f ms (min %.3f, max %.3f) over %d runs", c,
                    ms.get(ms.size() / 2), ms.get(0), ms.get(ms.size() - 1), ms.size()));
        }
    }
}
