package dev.tensorj.bench;

import dev.tensorj.Functional;
import dev.tensorj.NoGrad;
import dev.tensorj.Tensor;
import dev.tensorj.nn.Linear;
import dev.tensorj.nn.MSELoss;
import dev.tensorj.nn.Module;
import dev.tensorj.nn.ReLU;
import dev.tensorj.nn.Sequential;
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

    /** A model's starting point: layer widths, batch, parameters in order (w1, b1, w2, …), data. */
    record State(int batch, int[] widths, List<float[]> params, float[] x, float[] y) {}

    /** One model with its batch and optimizer. */
    static final class Training implements TrainingStep {
        private final int batch;
        private final int[] widths;
        private final Module model;
        private final Tensor x;
        private final Tensor y;
        private final SGD sgd;
        private final MSELoss mse = new MSELoss();

        /** {@code widths}: input, hidden..., output; ReLU between layers; one layer is a bare Linear. */
        Training(int batch, int... widths) {
            this.batch = batch;
            this.widths = widths.clone();
            if (widths.length == 2) {
                model = new Linear(widths[0], widths[1]);
            } else {
                List<Module> layers = new ArrayList<>();
                for (int i = 1; i < widths.length; i++) {
                    if (i > 1) {
                        layers.add(new ReLU());
                    }
                    layers.add(new Linear(widths[i - 1], widths[i]));
                }
                model = new Sequential(layers.toArray(new Module[0]));
            }
            x = Tensor.randn(batch, widths[0]);
            y = Tensor.randn(batch, widths[widths.length - 1]);
            sgd = new SGD(model.parameters(), 0.01f);
        }

        /** The parameters and batch as they are now, for another library to start from. */
        State state() {
            List<float[]> params = new ArrayList<>();
            for (Tensor p : model.parameters()) {
                params.add(p.toFloatArray());
            }
            return new State(batch, widths.clone(), params, x.toFloatArray(), y.toFloatArray());
        }

        @Override
        public void step() {
            sgd.zeroGrad();
            Tensor loss = mse.forward(model.forward(x), y);
            loss.backward();
            sgd.step();
        }

        @Override
        public float loss() {
            try (NoGrad g = NoGrad.enter()) {
                return mse.forward(model.forward(x), y).item();
            }
        }

        @Override
        public void close() {
            x.close();
            y.close();
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
