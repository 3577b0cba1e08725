package dev.tensorj.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The peer: DJL 0.36 with its PyTorch engine on the CPU. Training uses DJL's blocks, its
 * GradientCollector, its cross-entropy loss and its optimizers (SGD, Adam), driven directly rather
 * than through a {@code Trainer}: the Trainer's parameter server copies every gradient each step
 * ({@code LocalParameterServer} duplicates it before the update), which only makes the peer
 * slower. The MSE loss is written as {@code mean((pred - y)²)} because DJL's L2Loss is half of that.
 */
final class DjlCases {
    private DjlCases() {}

    static String describe() {
        Engine e = Engine.getEngine("PyTorch");
        return "DJL " + Engine.getDjlVersion() + ", engine " + e.getEngineName() + " " + e.getVersion()
                + ", intra-op threads " + JniUtils.getNumThreads() + ", inter-op threads "
                + JniUtils.getNumInteropThreads();
    }

    static NDManager manager() {
        return NDManager.newBaseManager(Device.cpu(), "PyTorch");
    }

    /** {@code a·b} with the product closed at once (PyTorch frees it as soon as it is unused). */
    static final class Sgemm implements AutoCloseable {
        private final NDManager manager = manager();
        private final NDArray a;
        private final NDArray b;

        Sgemm(float[] a, float[] b, int m, int k, int n) {
            this.a = manager.create(a, new Shape(m, k));
            this.b = manager.create(b, new Shape(k, n));
        }

        void run() {
            a.matMul(b).close();
        }

        float[] product() {
            try (NDArray c = a.matMul(b)) {
                return c.toFloatArray();
            }
        }

        @Override
        public void close() {
            manager.close();
        }
    }

    /**
     * A training step's matrix products alone, as PyTorch computes them: {@code matMul} on
     * transposed views where the step transposes (PyTorch passes the transpose to its BLAS, no
     * copy), each product closed at once. Everything else a step does is left out, so its time is
     * what PyTorch's own BLAS needs for the step.
     */
    static final class Products implements AutoCloseable {
        private final NDManager manager = manager();
        private final NDArray[] a;
        private final NDArray[] b;

        /** The operands {@link BlasProducts#operands} makes from {@code seed}. */
        Products(List<SuiteWorker.Product> products, long seed) {
            float[][][] ops = BlasProducts.operands(products, seed);
            a = new NDArray[ops.length];
            b = new NDArray[ops.length];
            for (int i = 0; i < ops.length; i++) {
                SuiteWorker.Product p = products.get(i);
                NDArray x = manager.create(ops[i][0], p.transA() ? new Shape(p.k(), p.m()) : new Shape(p.m(), p.k()));
                NDArray y = manager.create(ops[i][1], p.transB() ? new Shape(p.n(), p.k()) : new Shape(p.k(), p.n()));
                a[i] = p.transA() ? x.transpose() : x;
                b[i] = p.transB() ? y.transpose() : y;
            }
        }

        void run() {
            for (int i = 0; i < a.length; i++) {
                a[i].matMul(b[i]).close();
            }
        }

        /** Each product, computed once more. */
        float[][] results() {
            float[][] out = new float[a.length][];
            for (int i = 0; i < a.length; i++) {
                try (NDArray c = a[i].matMul(b[i])) {
                    out[i] = c.toFloatArray();
                }
            }
            return out;
        }

        @Override
        public void close() {
            manager.close();
        }
    }

    /** One model, its data and its optimizer; {@link #step()} is one training step. */
    static final class Training implements TrainingStep {
        private final NDManager manager = manager();
        private final SequentialBlock block = new SequentialBlock();
        private final ParameterStore store = new ParameterStore(manager, false);
        private final Optimizer optimizer;
        private final SoftmaxCrossEntropyLoss crossEntropy;
        private final List<Parameter> params = new ArrayList<>();
        private final NDArray x;
        /** MSE targets, or class indices (int64) for cross-entropy. */
        private final NDArray y;
        private long lastStepBytes;

        /**
         * The same model, batch, loss, optimizer and starting point as {@code start}: Linear layers
         * of its widths with ReLU, or LayerNorm (eps 1e-5) then GELU, between them, each parameter
         * initialised with tensorj's values. DJL's GELU is PyTorch's {@code gelu} with the default
         * exact (erf) form and its LayerNorm calls PyTorch's {@code layer_norm}, as tensorj's do.
         * DJL's {@code softmaxCrossEntropyLoss()} takes logits (log-softmax, pick, negate, mean),
         * as PyTorch's cross-entropy does. DJL's Adam (lr 1e-3, betas 0.9/0.999, eps 1e-8, as
         * PyTorch's) folds both bias corrections into the rate, so its eps is in effect divided by
         * {@code sqrt(1 - 0.999^t)} (3.2e-7 at the first step): weights whose gradients are below
         * about 1e-5 move a few percent less than in PyTorch. That puts LN's losses about 3.5e-4
         * apart after two steps, within the cross-check's 1e-3; with eps set to
         * {@code 1e-8·sqrt(1 - 0.999)}, so that the first step is PyTorch's exactly, they agree to
         * 5e-7 after it (measured once, 2026-12-04).
         */
        Training(TensorjCases.State start) {
            SuiteWorker.Case c = start.c();
            SuiteWorker.Recipe r = c.recipe();
            int[] widths = c.widths();
            Iterator<float[]> values = start.params().iterator();
            for (int i = 1; i < widths.length; i++) {
                if (i > 1 && r.layerNormGelu) {
                    LayerNorm norm = LayerNorm.builder().optEpsilon(1e-5f).build();
                    initialise(norm, Parameter.Type.GAMMA, values.next());
                    initialise(norm, Parameter.Type.BETA, values.next());
                    block.add(norm);
                    block.add(Activation.geluBlock());
                } else if (i > 1) {
                    block.add(Activation.reluBlock());
                }
                Linear layer = Linear.builder().setUnits(widths[i]).build();
                initialise(layer, Parameter.Type.WEIGHT, values.next());
                initialise(layer, Parameter.Type.BIAS, values.next());
                block.add(layer);
            }
            if (values.hasNext()) {
                throw new IllegalStateException(c.name() + ": tensorj has more parameters than the DJL model");
            }
            block.initialize(manager, DataType.FLOAT32, new Shape(c.batch(), widths[0]));
            for (Pair<String, Parameter> p : block.getParameters()) {
                params.add(p.getValue());
            }
            x = manager.create(start.x(), new Shape(c.batch(), widths[0]));
            y = r.crossEntropy ? manager.create(start.labels(), new Shape(c.batch()))
                    : manager.create(start.y(), new Shape(c.batch(), widths[widths.length - 1]));
            crossEntropy = r.crossEntropy ? Loss.softmaxCrossEntropyLoss() : null;
            optimizer = r.adam
                    ? Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).optBeta1(0.9f).optBeta2(0.999f)
                            .optEpsilon(1e-8f).build()
                    : Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.01f)).build();
        }

        private static void initialise(Block b, Parameter.Type type, float[] value) {
            b.setInitializer((m, shape, t) -> m.create(value, shape), type);
        }

        /** Cross-entropy of the logits, or {@code mean((pred - y)²)} (DJL's L2Loss is half that). */
        private NDArray loss(NDArray pred) {
            return crossEntropy != null ? crossEntropy.evaluate(new NDList(y), new NDList(pred))
                    : pred.sub(y).square().mean();
        }

        /** Arrays the model's own manager holds (parameters, batch): constant unless steps leak. */
        @Override
        public long heldArrays() {
            return manager.getManagedArrays().size();
        }

        @Override
        public void step() {
            step(false);
        }

        /**
         * With {@code count}, also sums the bytes of the arrays the step created (DJL-visible
         * arrays only; libtorch's own temporaries inside backward are not visible from Java).
         */
        private void step(boolean count) {
            try (NDManager scope = manager.newSubManager()) {
                x.tempAttach(scope);
                y.tempAttach(scope);
                try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                    NDArray pred = block.forward(store, new NDList(x), true).singletonOrThrow();
                    gc.backward(loss(pred));
                }
                for (Parameter p : params) {
                    NDArray w = p.getArray();
                    try (NDArray g = w.getGradient()) {
                        optimizer.update(p.getId(), w, g); // SGD's and Adam's updates also zero the gradient
                    }
                }
                if (count) {
                    long bytes = 0;
                    for (NDArray a : scope.getManagedArrays()) {
                        if (a != x && a != y) {
                            bytes += a.size() * a.getDataType().getNumOfBytes();
                        }
                    }
                    lastStepBytes = bytes;
                }
            }
        }

        @Override
        public long nativeBytesPerStep() {
            step(true);
            return lastStepBytes;
        }

        @Override
        public float loss() {
            try (NDManager scope = manager.newSubManager()) {
                x.tempAttach(scope);
                y.tempAttach(scope);
                NDArray pred = block.forward(store, new NDList(x), false).singletonOrThrow();
                return loss(pred).getFloat();
            }
        }

        @Override
        public void close() {
            manager.close();
        }
    }
}
