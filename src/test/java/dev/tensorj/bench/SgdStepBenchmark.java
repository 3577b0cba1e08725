package dev.tensorj.bench;

import dev.tensorj.Tensor;
import dev.tensorj.nn.Linear;
import dev.tensorj.nn.MSELoss;
import dev.tensorj.nn.Module;
import dev.tensorj.nn.ReLU;
import dev.tensorj.nn.Sequential;
import dev.tensorj.optim.Optimizer;
import dev.tensorj.optim.SGD;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The CPU training steps S1, S2 and S3 of the benchmark suite (MSE + SGD lr 0.01) with two
 * optimizers taking turns in short slots in one JVM: {@code A} and {@code B} as the caller wires
 * them ({@code -Dbench.a=shipped -Dbench.b=adam}: SGD against Adam). Prints per-step medians and the
 * ratio B/A. Run by name only:
 * {@code mvn -B test -Dtest=SgdStepBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class SgdStepBenchmark {
    /** Builds an optimizer over a model's parameters. */
    interface Opt {
        Optimizer make(List<Tensor> params);
    }

    /** {@code SGD} as the library ships it. */
    static final Opt SHIPPED = p -> new SGD(p, 0.01f);

    /** Plain SGD written out with two ops per parameter ({@code p.sub_(g.mul(lr))}), for comparison. */
    static final Opt TWO_OPS = p -> new Optimizer(p, 0.01f) {
        @Override
        protected void update(Tensor param, Tensor grad, dev.tensorj.optim.GroupOptions options) {
            param.sub_(grad.mul(options.lr()));
        }
    };

    /** {@code Adam} as the library ships it, lr 0.01 (its other options PyTorch's defaults). */
    static final Opt ADAM = p -> new dev.tensorj.optim.Adam(p, 0.01f);

    record Case(String name, int batch, int... widths) {}

    static final Case[] CASES = {new Case("S1", 32, 10, 1), new Case("S2", 32, 10, 20, 1),
            new Case("S3", 256, 784, 1024, 1024, 10)};

    @Test
    void compare() {
        String a = System.getProperty("bench.a", "shipped");
        String b = System.getProperty("bench.b", "twoops");
        System.out.println("SGD step A/B: A=" + a + ", B=" + b + ", " + Runtime.version() + ", "
                + Runtime.getRuntime().availableProcessors() + " cpus");
        for (Case c : CASES) {
            int steps = c.name().equals("S3") ? 2 : 1000;
            int rounds = c.name().equals("S3") ? 21 : 41;
            Step sa = new Step(c, pick(a));
            Step sb = new Step(c, pick(b));
            for (int i = 0; i < 3; i++) { // warm-up
                sa.run(steps);
                sb.run(steps);
            }
            List<Double> ta = new ArrayList<>();
            List<Double> tb = new ArrayList<>();
            List<Double> ratios = new ArrayList<>(); // paired: each round's two slots ran back to back
            for (int r = 0; r < rounds; r++) {
                boolean aFirst = r % 2 == 0; // alternate which goes first
                double x = aFirst ? sa.run(steps) : 0;
                double y = sb.run(steps);
                if (!aFirst) {
                    x = sa.run(steps);
                }
                ta.add(x);
                tb.add(y);
                ratios.add(y / x);
            }
            ratios.sort(null);
            System.out.printf(Locale.ROOT, "%s: A %.2f us/step, B %.2f us/step (medians); B/A per round: median %.3f,"
                    + " quartiles %.3f-%.3f (losses %.5f, %.5f)%n", c.name(), median(ta), median(tb), median(ratios),
                    ratios.get(rounds / 4), ratios.get(3 * rounds / 4), sa.lastLoss, sb.lastLoss);
        }
    }

    static Opt pick(String name) {
        switch (name) {
            case "shipped": return SHIPPED;
            case "twoops": return TWO_OPS;
            case "adam": return ADAM;
            default: throw new IllegalArgumentException("unknown variant " + name);
        }
    }

    static final class Step {
        final Module model;
        final Optimizer opt;
        final Tensor x;
        final Tensor y;
        final MSELoss loss = new MSELoss();
        float lastLoss;

        Step(Case c, Opt o) {
            Tensor.manualSeed(20261204L + c.name().hashCode());
            List<Module> layers = new ArrayList<>();
            int[] w = c.widths();
            for (int i = 0; i + 1 < w.length; i++) {
                layers.add(new Linear(w[i], w[i + 1]));
                if (i + 2 < w.length) {
                    layers.add(new ReLU());
                }
            }
            model = new Sequential(layers.toArray(Module[]::new));
            opt = o.make(model.parameters());
            x = Tensor.randn(c.batch(), w[0]);
            y = Tensor.randn(c.batch(), w[w.length - 1]);
        }

        /** Microseconds per step over {@code n} steps. */
        double run(int n) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                opt.zeroGrad();
                Tensor l = loss.forward(model.forward(x), y);
                l.backward();
                opt.step();
                if (i == n - 1) {
                    lastLoss = l.item();
                }
            }
            return (System.nanoTime() - t0) / 1e3 / n;
        }
    }

    static double median(List<Double> xs) {
        double[] v = xs.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
