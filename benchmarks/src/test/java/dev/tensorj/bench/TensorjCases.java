package dev.tensorj.bench;

import dev.tensorj.Functional;
import dev.tensorj.NoGrad;
import dev.tensorj.Tensor;
import dev.tensorj.nn.CrossEntropyLoss;
import dev.tensorj.nn.GELU;
import dev.tensorj.nn.LayerNorm;
import dev.tensorj.nn.Linear;
import dev.tensorj.nn.Loss;
import dev.tensorj.nn.MSELoss;
import dev.tensorj.nn.Module;
import dev.tensorj.nn.ReLU;
import dev.tensorj.nn.Sequential;
import dev.tensorj.optim.Adam;
import dev.tensorj.optim.Optimizer;
import dev.tensorj.optim.SGD;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** tensorj's side of the CPU suite, written as a user would write it (tensors left to the GC). */
final class TensorjCases {
    private TensorjCases() {}

    /**
     * How tensorj runs large CPU products in this JVM (which BLAS, chosen why, on the arrays or on
     * copies), read from its package-private JniBlas: for the report only, so reflection is acceptable here.
     */
    static String largeProductPath() {
        try {
            var m = Class.forName("dev.tensorj.backend.cpu.JniBlas").getDeclaredMethod("describe");
            m.setAccessible(true);
            return (String) m.invoke(null);
        } catch (ReflectiveOperationException e) {
            return "unknown (" + e + ")";
        }
    }

    /** {@code a·b} without autograd, the product closed at once. */
    static Runnable sgemm(Tensor a, Tensor b) {
        return () -> {
            try (NoGrad g = NoGrad.enter()) {
                a.matmul(b).close();
            }
        };
    }

    /**
     * A model's starting point: the case, parameters in {@code model.parameters()} order (per
     * Linear its weight and bias, per LayerNorm its weight and bias), the inputs, and the targets:
     * {@code y} for MSE, {@code labels} (class indices) for cross-entropy, the other null.
     */
    record State(SuiteWorker.Case c, List<float[]> params, float[] x, float[] y, long[] labels) {}

    /** One model with its batch, loss and optimizer, built from a case's recipe. */
    static final class Training implements TrainingStep {
        private final SuiteWorker.Case c;
        private final Module model;
        private final Tensor x;
        /** MSE targets or class indices (int64). */
        private final Tensor target;
        private final Optimizer optimizer;
        private final Loss lossFn;

        /**
         * Linear layers of {@code c.widths()} with ReLU, or LayerNorm then GELU, between them (one
         * layer is a bare Linear); the batch from {@link DigitsData} or {@code Tensor.randn}/{@code randint}.
         */
        Training(SuiteWorker.Case c) {
            this.c = c;
            SuiteWorker.Recipe r = c.recipe();
            int[] widths = c.widths();
            if (widths.length == 2) {
                model = new Linear(widths[0], widths[1]);
            } else {
                List<Module> layers = new ArrayList<>();
                for (int i = 1; i < widths.length; i++) {
                    if (i > 1 && r.layerNormGelu) {
                        layers.add(new LayerNorm(widths[i - 1]));
                        layers.add(new GELU());
                    } else if (i > 1) {
                        layers.add(new ReLU());
                    }
                    layers.add(new Linear(widths[i - 1], widths[i]));
                }
                model = new Sequential(layers.toArray(new Module[0]));
            }
            int out = widths[widths.length - 1];
            if (r.digits()) {
                DigitsData d = DigitsData.firstTrainRows(c.batch());
                x = Tensor.of(d.pixels(), c.batch(), DigitsData.FEATURES);
                target = Tensor.of(d.labels(), c.batch());
            } else {
                x = Tensor.randn(c.batch(), widths[0]);
                target = r.crossEntropy ? Tensor.randint(0, out, c.batch()) : Tensor.randn(c.batch(), out);
            }
            lossFn = r.crossEntropy ? new CrossEntropyLoss() : new MSELoss();
            optimizer = r.adam ? new Adam(model.parameters(), 1e-3f) : new SGD(model.parameters(), 0.01f);
        }

        /** The parameters and batch as they are now, for another library to start from. */
        State state() {
            List<float[]> params = new ArrayList<>();
            for (Tensor p : model.parameters()) {
                params.add(p.toFloatArray());
            }
            boolean ce = c.recipe().crossEntropy;
            return new State(c, params, x.toFloatArray(), ce ? null : target.toFloatArray(),
                    ce ? target.toLongArray() : null);
        }

        @Override
        public void step() {
            optimizer.zeroGrad();
            Tensor loss = lossFn.forward(model.forward(x), target);
            loss.backward();
            optimizer.step();
        }

        @Override
        public float loss() {
            try (NoGrad g = NoGrad.enter()) {
                return lossFn.forward(model.forward(x), target).item();
            }
        }

        @Override
        public void close() {
            x.close();
            target.close();
        }
    }

    /**
     * C2 compiles the kernels once per code shape; warming on one size only gets an OSR compile
     * that is thrown away later, so warm on small odd products and every transpose too
     * (the same warm-up as SgemmBenchmark's).
     */
    static void warmUp(int[][] shapes) {
        var rnd = new SplittableRandom(1);
        int[][] odd = {{17, 33, 65}, {32, 10, 1}, {300, 129, 257}, {129, 300, 1030}, {513, 257, 100}, {64, 700, 96}};
        for (int rep = 0; rep < 20; rep++) {
            for (int[] s : odd) {
                Tensor x = Tensor.of(random(rnd, s[0] * s[1]), s[0], s[1]).requiresGrad(true);
                Tensor y = Tensor.of(random(rnd, s[1] * s[2]), s[1], s[2]);
                Tensor w = Tensor.of(random(rnd, s[2] * s[1]), s[2], s[1]).requiresGrad(true);
                x.matmul(y).close();
                // x·wᵀ and its backward pass run the other transpose combinations.
                Functional.linear(x, w, null).sum().backward();
            }
        }
        for (int[] s : shapes) {
            Tensor x = Tensor.of(random(rnd, s[0] * s[1]), s[0], s[1]);
            Tensor y = Tensor.of(random(rnd, s[1] * s[2]), s[1], s[2]);
            for (int rep = 0; rep < 3; rep++) {
                sgemm(x, y).run();
            }
        }
    }

    static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return x;
    }
}
