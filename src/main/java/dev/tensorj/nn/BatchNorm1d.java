package dev.tensorj.nn;

import dev.tensorj.Device;
import dev.tensorj.NoGrad;
import dev.tensorj.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * Batch normalisation over a {@code [N, C]} or {@code [N, C, L]} input, as {@code torch.nn.BatchNorm1d}.
 * In training mode each channel is normalised with the batch's mean and biased variance, and the
 * buffers {@code running_mean} (zeros) and {@code running_var} (ones) move towards the batch's mean
 * and unbiased variance: {@code running = (1 - momentum)·running + momentum·batch}. In evaluation
 * mode the running statistics are used. With {@code affine} (the default) the result is scaled and
 * shifted by the parameters {@code weight} (ones) and {@code bias} (zeros); without
 * {@code trackRunningStats} there are no buffers and the batch's statistics are used in both modes,
 * as PyTorch's {@code track_running_stats=False}. Unlike PyTorch there is no
 * {@code num_batches_tracked} buffer (it only matters for {@code momentum = None}, which is not offered).
 */
public class BatchNorm1d extends Module {
    private final int numFeatures;
    private final double eps;
    private final double momentum;
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor runningMean;
    private final Tensor runningVar;

    /** Batch norm over {@code numFeatures} channels with eps 1e-5 and momentum 0.1. */
    public BatchNorm1d(int numFeatures) {
        this(numFeatures, 1e-5, 0.1);
    }

    /**
     * Batch norm over {@code numFeatures} channels, affine and tracking running statistics.
     *
     * @throws IllegalArgumentException for a non-positive feature count, a negative eps or a momentum outside [0, 1]
     */
    public BatchNorm1d(int numFeatures, double eps, double momentum) {
        this(numFeatures, eps, momentum, true, true);
    }

    /**
     * Batch norm over {@code numFeatures} channels, as PyTorch's
     * {@code BatchNorm1d(num_features, eps, momentum, affine, track_running_stats)}.
     *
     * @throws IllegalArgumentException for a non-positive feature count, a negative eps or a momentum outside [0, 1]
     */
    public BatchNorm1d(int numFeatures, double eps, double momentum, boolean affine, boolean trackRunningStats) {
        if (numFeatures <= 0 || !(eps >= 0) || !(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("BatchNorm1d(" + numFeatures + ", eps=" + eps + ", momentum=" + momentum
                    + "): need numFeatures > 0, eps >= 0 and 0 <= momentum <= 1");
        }
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.weight = affine ? registerParameter("weight", Tensor.ones(Device.CPU, numFeatures)) : null;
        this.bias = affine ? registerParameter("bias", Tensor.zeros(Device.CPU, numFeatures)) : null;
        this.runningMean = trackRunningStats ? registerBuffer("running_mean", Tensor.zeros(Device.CPU, numFeatures)) : null;
        this.runningVar = trackRunningStats ? registerBuffer("running_var", Tensor.ones(Device.CPU, numFeatures)) : null;
    }

    /** Moves this module's parameters and buffers; see {@link Module#to}. Returns this BatchNorm1d. */
    @Override
    public BatchNorm1d to(Device device) {
        super.to(device);
        return this;
    }

    /** Training mode: batch statistics, running statistics updated. Returns this BatchNorm1d. */
    @Override
    public BatchNorm1d train() {
        super.train();
        return this;
    }

    /** Evaluation mode: running statistics. Returns this BatchNorm1d. */
    @Override
    public BatchNorm1d eval() {
        super.eval();
        return this;
    }

    /**
     * Normalises each channel of {@code input}.
     *
     * @throws IllegalArgumentException for an input that is not {@code [N, C]} or {@code [N, C, L]} with
     *     {@code C = numFeatures}, or, in training mode, that has a single value per channel
     */
    @Override
    public Tensor forward(Tensor input) {
        Objects.requireNonNull(input, "batchNorm1d: input is null");
        checkPlacement(input);
        int[] shape = input.shape();
        if ((shape.length != 2 && shape.length != 3) || shape[1] != numFeatures) {
            throw new IllegalArgumentException("BatchNorm1d(" + numFeatures + "): expected input [N, " + numFeatures
                    + "] or [N, " + numFeatures + ", L], got " + Arrays.toString(shape));
        }
        int[] dims = shape.length == 2 ? new int[] {0} : new int[] {0, 2};
        int[] statShape = shape.length == 2 ? new int[] {1, numFeatures} : new int[] {1, numFeatures, 1};
        Tensor y;
        if (isTraining() || runningMean == null) {
            long n = input.numel() / numFeatures;
            if (n <= 1) {
                throw new IllegalArgumentException("Expected more than 1 value per channel when training, got input size "
                        + Arrays.toString(shape));
            }
            Tensor mean = input.mean(dims, true);
            Tensor centered = input.sub(mean);
            Tensor var = centered.square().mean(dims, true); // biased for normalising
            y = centered.mul(var.add((float) eps).rsqrt());
            if (!isTraining() || runningMean == null) {
                return affine(y, statShape);
            }
            try (NoGrad g = NoGrad.enter()) {
                runningMean.mul_((float) (1 - momentum)).add_(mean.reshape(numFeatures), (float) momentum);
                runningVar.mul_((float) (1 - momentum))
                        .add_(var.reshape(numFeatures), (float) (momentum * n / (n - 1))); // unbiased
            }
        } else {
            y = input.sub(runningMean.reshape(statShape)).mul(runningVar.add((float) eps).rsqrt().reshape(statShape));
        }
        return affine(y, statShape);
    }

    private Tensor affine(Tensor normalised, int[] statShape) {
        return weight == null ? normalised : normalised.mul(weight.reshape(statShape)).add(bias.reshape(statShape));
    }

    /** The per-channel scale; null without {@code affine}. */
    public Tensor weight() {
        return weight;
    }

    /** The per-channel shift; null without {@code affine}. */
    public Tensor bias() {
        return bias;
    }

    /** The running mean buffer; null without {@code trackRunningStats}. */
    public Tensor runningMean() {
        return runningMean;
    }

    /** The running (unbiased) variance buffer; null without {@code trackRunningStats}. */
    public Tensor runningVar() {
        return runningVar;
    }

    @Override
    public String toString() {
        return "BatchNorm1d(" + numFeatures + ", eps=" + eps + ", momentum=" + momentum + ", affine=" + (weight != null)
                + ", track_running_stats=" + (runningMean != null) + ")";
    }
}
