package dev.tensorj;

import dev.tensorj.backend.UnaryOp;

/**
 * Stateless ops behind the {@code nn} modules, as {@code torch.nn.functional}. Each checks its
 * operands' devices and shapes as one op, so errors name the layer's roles (input, weight, bias).
 */
public final class Functional {
    private Functional() {}

    /**
     * {@code input·weightᵀ + bias}: input {@code [..., in]}, weight {@code [out, in]}, bias
     * {@code [out]} or {@code null}.
     *
     * @throws DeviceMismatchException if the three are not on one device
     * @throws ShapeMismatchException if input's last dimension is not {@code in}
     */
    public static Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        return Linalg.linear(input, weight, bias);
    }

    /**
     * {@code relu(linear(input, weight, bias))}, bit for bit, as one op: the bias add and the ReLU in
     * one pass over the product, one output instead of two. PyTorch has no such function (its
     * compilers fuse the pair); {@link dev.tensorj.nn.Sequential} uses it for a {@code Linear}
     * followed by a {@code ReLU}. Errors name the op {@code linear}, as the layer's do; the graph
     * node is {@code linear_relu}.
     *
     * @throws DeviceMismatchException if the three are not on one device
     * @throws ShapeMismatchException if input's last dimension is not {@code in}
     */
    public static Tensor linearRelu(Tensor input, Tensor weight, Tensor bias) {
        return Linalg.linearRelu(input, weight, bias);
    }

    public static Tensor relu(Tensor input) {
        return Elementwise.unary("relu", UnaryOp.RELU, input); // not input.relu(): a null input gets named
    }

    /** {@code dropout(input, p, true)}. */
    public static Tensor dropout(Tensor input, double p) {
        return dropout(input, p, true);
    }

    /**
     * Dropout, as {@code torch.nn.functional.dropout}: when {@code training}, each element is zeroed
     * with probability {@code p} and the others are scaled by {@code 1/(1-p)}; the gradient is
     * {@code grad·mask/(1-p)}. The mask is drawn on the input's device from the global generator
     * ({@link Tensor#manualSeed}) by one kernel that writes it already scaled (kept with probability
     * {@code 1-p} in float), then multiplied in, so a seed drops the same elements on every device.
     * Returns {@code input} itself when not training, for {@code p = 0} or an empty input (as PyTorch);
     * {@code p = 1} gives {@code input·0} (NaN stays NaN) without drawing.
     *
     * @throws IllegalArgumentException unless {@code 0 <= p <= 1}
     * @throws DTypeMismatchException unless {@code input} is float32
     */
    public static Tensor dropout(Tensor input, double p, boolean training) {
        // Checked, not counted: the draw below is the op that runs (and counts), when one runs.
        Device device = Dispatch.sameDevice("dropout", "input", input);
        Dispatch.checkDType("dropout", DTypes.FLOAT32, "input", input, null);
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("dropout: probability has to be between 0 and 1, but got " + p);
        }
        if (!training || p == 0 || input.numel() == 0) {
            return input;
        }
        if (p == 1) {
            return input.mul(0f);
        }
        Tensor mask = Random.bernoulli("dropout", device, input.shapeRef(), (float) (1 - p), (float) (1 / (1 - p)));
        return input.mul(mask); // autograd keeps the mask for the backward pass: grad·mask
    }

    /**
     * Mean squared error, {@code mean((input - target)²)}. The shapes must be equal: a {@code [N,1]}
     * input against a {@code [N]} target is rejected rather than silently broadcast to {@code [N,N]}.
     */
    public static Tensor mseLoss(Tensor input, Tensor target) {
        DeviceBackend be = Dispatch.check("mse_loss", DTypes.FLOAT32, "input", input, "target", target);
        if (!java.util.Arrays.equals(input.shapeRef(), target.shapeRef())) {
            throw new ShapeMismatchException("mse_loss", "input " + Shapes.str(input.shapeRef()) + " and target "
                    + Shapes.str(target.shapeRef()) + " must have the same shape (broadcasting here is almost "
                    + "always a bug); reshape one of them", input.shapeRef(), target.shapeRef());
        }
        return Losses.mse(be, input, target);
    }

    // ---- elementwise math (as torch.nn.functional) ----

    /** The logistic function {@code 1/(1 + e^-x)} elementwise, as {@link Tensor#sigmoid()}. */
    public static Tensor sigmoid(Tensor input) {
        return Elementwise.unary("sigmoid", UnaryOp.SIGMOID, input);
    }

    /** The hyperbolic tangent elementwise, as {@link Tensor#tanh()}. */
    public static Tensor tanh(Tensor input) {
        return Elementwise.unary("tanh", UnaryOp.TANH, input);
    }

    /** {@code x·sigmoid(x)} elementwise, as {@link Tensor#silu()}. */
    public static Tensor silu(Tensor input) {
        return Elementwise.unary("silu", UnaryOp.SILU, input);
    }

    /** GELU, exact form, as {@link Tensor#gelu()}. */
    public static Tensor gelu(Tensor input) {
        return Elementwise.unary("gelu", UnaryOp.GELU, input);
    }

    /**
     * GELU with PyTorch's {@code approximate=} ({@code "none"} or {@code "tanh"}), as {@link Tensor#gelu(String)}.
     *
     * @throws IllegalArgumentException for any other value
     */
    public static Tensor gelu(Tensor input, String approximate) {
        java.util.Objects.requireNonNull(input, "gelu: input is null"); // named before approximate is read
        return Elementwise.unary("gelu", Elementwise.geluKind(approximate), input);
    }

    // ---------------------------------------------------------------- comparisons

    /**
     * {@code torch.where(condition, input, other)}: {@code condition ? input : other} elementwise,
     * the three broadcast together; condition bool, input and other float32. The gradient flows to
     * input where condition holds and to other elsewhere, none to condition.
     *
     * @throws DTypeMismatchException if condition is not bool or input or other is not float32
     * @throws DeviceMismatchException if the three are not on one device
     */
    public static Tensor where(Tensor condition, Tensor input, Tensor other) {
        return Comparisons.where(condition, input, other);
    }

    // ---------------------------------------------------------------- softmax, indexing and losses

    /** {@code softmax(input, dim)}, as {@link Tensor#softmax(int)}. */
    public static Tensor softmax(Tensor input, int dim) {
        return Losses.softmax(Dispatch.nonNull("softmax", "input", input), dim);
    }

    /** {@code log_softmax(input, dim)}, as {@link Tensor#logSoftmax(int)}. */
    public static Tensor logSoftmax(Tensor input, int dim) {
        return Losses.logSoftmax(Dispatch.nonNull("log_softmax", "input", input), dim);
    }

    /** {@code layerNorm(input, normalizedShape, null, null, 1e-5)}. */
    public static Tensor layerNorm(Tensor input, int[] normalizedShape) {
        return layerNorm(input, normalizedShape, null, null, 1e-5);
    }

    /**
     * Layer normalisation, as {@code torch.nn.functional.layer_norm(input, normalized_shape, weight,
     * bias, eps)}: over the last {@code normalizedShape.length} dimensions, which must be
     * {@code normalizedShape}, {@code (input - mean) / sqrt(var + eps) · weight + bias} with the biased
     * variance; {@code weight} and {@code bias} (of shape {@code normalizedShape}) may each be null.
     * One fused kernel: each row's mean and {@code Σ (x - mean)²} in double from two reads of the row
     * (stable for rows far from 0, e.g. 1e4 plus noise), {@code eps} rounded to float as the kernels
     * take it; a row with a NaN or ±Inf gives NaN. The backward is one kernel for the input's gradient
     * and, when the weight or bias needs one, one for their column sums over the rows (in double, in
     * row order: deterministic); one graph node, {@code layer_norm}. No check on {@code eps}, as PyTorch.
     *
     * @throws IllegalArgumentException for an empty {@code normalizedShape}
     * @throws ShapeMismatchException if the input's last dimensions, or weight's or bias's shape, are
     *     not {@code normalizedShape}
     * @throws DeviceMismatchException if the tensors are not on one device
     * @throws DTypeMismatchException unless every tensor is float32
     */
    public static Tensor layerNorm(Tensor input, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        return Normalization.layerNorm(input, normalizedShape, weight, bias, eps);
    }

    /**
     * {@code F.embedding(input, weight)}: the rows of {@code weight} ({@code [numEmbeddings,
     * embeddingDim]}, float32) at the int64 indices {@code input} (any shape), shaped
     * {@code input.shape + [embeddingDim]}. Reads the indices on the host to validate them (waits for
     * pending GPU work); the meta device checks shapes and dtypes only. The gradient scatter-adds the
     * output's into zeros of weight's shape (repeated indices accumulate; on a GPU in no fixed order,
     * as PyTorch's on CUDA).
     *
     * @throws DTypeMismatchException if input is not int64 or weight not float32
     * @throws ShapeMismatchException if weight is not 2-d
     * @throws IndexOutOfRangeException if an index is outside {@code [0, numEmbeddings)}
     */
    public static Tensor embedding(Tensor input, Tensor weight) {
        return Indexing.embedding(input, weight, null);
    }

    /**
     * {@code F.embedding(input, weight, padding_idx)}: as {@link #embedding(Tensor, Tensor)}, and the
     * row {@code paddingIdx} (negative counts from the end) receives no gradient: the entries of
     * input equal to it pass none. Its values are read as any other row's.
     *
     * @throws IllegalArgumentException if paddingIdx is outside {@code [-numEmbeddings, numEmbeddings)}
     */
    public static Tensor embedding(Tensor input, Tensor weight, int paddingIdx) {
        return Indexing.embedding(input, weight, paddingIdx);
    }

    /**
     * {@code F.one_hot(index, numClasses)}: an int64 tensor of shape {@code index.shape + [numClasses]}
     * with 1 at each index. {@code numClasses} -1 infers {@code max(index) + 1}. Reads the indices on
     * the host to validate them (waits for pending GPU work); the meta device checks only dtypes.
     *
     * @throws DTypeMismatchException if index is not int64
     * @throws IndexOutOfRangeException if an index is negative or not below numClasses
     */
    public static Tensor oneHot(Tensor index, int numClasses) {
        return Indexing.oneHot(index, numClasses);
    }

    /** Element-wise absolute error {@code mean(|input - target|)}, as {@code F.l1_loss}. */
    public static Tensor l1Loss(Tensor input, Tensor target) {
        return l1Loss(input, target, "mean");
    }

    /**
     * {@code F.l1_loss} with {@code reduction} {@code "none"}, {@code "mean"} or {@code "sum"}.
     *
     * @throws ShapeMismatchException if the shapes differ
     */
    public static Tensor l1Loss(Tensor input, Tensor target, String reduction) {
        checkPair("l1_loss", input, target, reduction);
        return Losses.reduce(input.sub(target).abs(), reduction);
    }

    /** {@code F.mse_loss} with {@code reduction} {@code "none"}, {@code "mean"} or {@code "sum"}. */
    public static Tensor mseLoss(Tensor input, Tensor target, String reduction) {
        checkPair("mse_loss", input, target, reduction);
        return reduction.equals("mean") ? mseLoss(input, target) : Losses.reduce(input.sub(target).square(), reduction);
    }

    /** {@code F.huber_loss} with delta 1 and mean reduction. */
    public static Tensor huberLoss(Tensor input, Tensor target) {
        return huberLoss(input, target, "mean", 1f);
    }

    /**
     * {@code F.huber_loss}: {@code 0.5·d²} where {@code |d| < delta}, else {@code delta·(|d| - 0.5·delta)}.
     *
     * @throws IllegalArgumentException if delta is not positive
     */
    public static Tensor huberLoss(Tensor input, Tensor target, String reduction, float delta) {
        checkPair("huber_loss", input, target, reduction);
        if (!(delta > 0f)) {
            throw new IllegalArgumentException("huber_loss: delta must be positive, got " + delta);
        }
        return Losses.huber(input, target, delta, false, reduction);
    }

    /** {@code F.smooth_l1_loss} with beta 1 and mean reduction. */
    public static Tensor smoothL1Loss(Tensor input, Tensor target) {
        return smoothL1Loss(input, target, "mean", 1f);
    }

    /**
     * {@code F.smooth_l1_loss}: {@code 0.5·d²/beta} where {@code |d| < beta}, else {@code |d| - 0.5·beta};
     * beta 0 is the L1 loss.
     *
     * @throws IllegalArgumentException if beta is negative
     */
    public static Tensor smoothL1Loss(Tensor input, Tensor target, String reduction, float beta) {
        checkPair("smooth_l1_loss", input, target, reduction);
        if (!(beta >= 0f)) {
            throw new IllegalArgumentException("smooth_l1_loss: beta must be non-negative, got " + beta);
        }
        return Losses.huber(input, target, beta, true, reduction);
    }

    /** {@code F.binary_cross_entropy} of probabilities with mean reduction. */
    public static Tensor binaryCrossEntropy(Tensor input, Tensor target) {
        return binaryCrossEntropy(input, target, "mean");
    }

    /**
     * {@code F.binary_cross_entropy}: {@code -(y·log p + (1-y)·log(1-p))} with each log clamped at
     * -100 as PyTorch. Input values are not range-checked (that would read them on the host).
     */
    public static Tensor binaryCrossEntropy(Tensor input, Tensor target, String reduction) {
        return binaryCrossEntropy(input, target, null, reduction);
    }

    /**
     * {@code F.binary_cross_entropy} with {@code weight}, a rescaling of each element's loss that
     * broadcasts to the input's shape (null for none): "mean" is the mean of the weighted losses
     * over all elements, as PyTorch.
     *
     * @throws ShapeMismatchException if the input and target shapes differ, or weight does not broadcast to them
     */
    public static Tensor binaryCrossEntropy(Tensor input, Tensor target, Tensor weight, String reduction) {
        String op = "binary_cross_entropy";
        Dispatch.nonNull(op, "reduction", reduction);
        // One check of all three, so a bad weight is reported before any op is counted.
        Dispatch.check(op, DTypes.FLOAT32, "input", input, "target", target, Dispatch.optional("weight"), weight);
        Losses.sameShape(op, input, target);
        Losses.reduction(op, reduction);
        Losses.broadcastsToInput(op, "weight", weight, input);
        return Losses.bce(input, target, weight, reduction);
    }

    /** {@code F.binary_cross_entropy_with_logits} with mean reduction, no weight and no pos_weight. */
    public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target) {
        return binaryCrossEntropyWithLogits(input, target, null, "mean", null);
    }

    /**
     * {@code F.binary_cross_entropy_with_logits(input, target, weight, reduction=..., pos_weight=...)}
     * in PyTorch's argument order and stable form: per element
     * {@code weight·((1-y)·x + (1 + (pw-1)·y)·(log1p(e^-|x|) + max(-x, 0)))}. {@code weight} rescales
     * each element's loss as {@link #binaryCrossEntropy(Tensor, Tensor, Tensor, String)}'s does, and
     * {@code posWeight} weighs the positive term (e.g. one value per class, {@code [C]}); either may be
     * null. Both must broadcast to the input's shape (PyTorch broadcasts pos_weight against the
     * target without that check, so a larger pos_weight would grow the loss's shape; here it is an
     * error). "mean" is the mean of the weighted losses over all elements, as PyTorch.
     *
     * @throws ShapeMismatchException if the input and target shapes differ, or weight or posWeight
     *     does not broadcast to them
     * @throws IllegalArgumentException for a reduction other than "none", "mean" or "sum"
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor weight, String reduction,
            Tensor posWeight) {
        String op = "binary_cross_entropy_with_logits";
        Dispatch.nonNull(op, "reduction", reduction);
        // One check of all four, so a bad weight or pos_weight is reported before any op is counted.
        Dispatch.check(op, DTypes.FLOAT32, "input", input, "target", target, Dispatch.optional("weight"), weight,
                Dispatch.optional("pos_weight"), posWeight);
        Losses.sameShape(op, input, target);
        Losses.reduction(op, reduction);
        Losses.broadcastsToInput(op, "weight", weight, input);
        Losses.broadcastsToInput(op, "pos_weight", posWeight, input);
        return Losses.bceWithLogits(input, target, weight, posWeight, reduction);
    }

    /** {@code F.nll_loss(input, target)} with mean reduction, no weight and ignore_index -100. */
    public static Tensor nllLoss(Tensor input, Tensor target) {
        return nllLoss(input, target, null, -100, "mean");
    }

    /**
     * {@code F.nll_loss} on log-probabilities {@code input [N,C]} and int64 class indices {@code target [N]}:
     * {@code -weight[t]·input[n,t]}, 0 where {@code t == ignoreIndex}; "mean" divides by the sum of
     * the weights of the non-ignored targets. {@code weight [C]} may be null. As for
     * {@link #crossEntropy(Tensor, Tensor, Tensor, long, String, float)}, the input may also be
     * {@code [C]} or {@code [N, C, d1, ..., dk]}.
     *
     * <p>On CUDA the targets are validated on the host: the op waits for pending GPU work and copies
     * them back ({@code N·8} bytes, counted in {@link Counters} as device-to-host), as PyTorch's
     * "device-side assert" is no error a JVM could catch. Nothing else is copied.
     *
     * @throws DTypeMismatchException if target is not int64
     * @throws IndexOutOfRangeException if a target is outside {@code [0, C)} and not ignoreIndex
     */
    public static Tensor nllLoss(Tensor input, Tensor target, Tensor weight, long ignoreIndex, String reduction) {
        checkClassArgs("nll_loss", input, target, weight, reduction, true);
        Tensor loss = Losses.classIndexLoss("nll_loss", classRows(input), flatIndices(target), weight, ignoreIndex,
                reduction);
        return perElement(loss, input, reduction);
    }

    /** {@code F.cross_entropy(input, target)} with mean reduction, no weight, ignore_index -100, no smoothing. */
    public static Tensor crossEntropy(Tensor input, Tensor target) {
        return crossEntropy(input, target, null, -100, "mean", 0f);
    }

    /**
     * {@code F.cross_entropy(input, target, weight, ignore_index=..., reduction=..., label_smoothing=...)}
     * in PyTorch's argument order, of logits {@code input [N,C]}: with int64 class indices
     * {@code target [N]} it is PyTorch's formula with ignore_index, label_smoothing and class
     * {@code weight [C]} (may be null; "mean" divides by the summed weights of the non-ignored
     * targets); with float32 class probabilities {@code target [N,C]} it is
     * {@code -Σ_c weight[c]·y'[c]·log_softmax[c]} with {@code y' = (1-ε)·y + ε/C}, "mean" over N
     * (ignoreIndex does not apply). As PyTorch, the input may also be one sample {@code [C]} (target
     * a 0-d index or {@code [C]} probabilities) or {@code [N, C, d1, ..., dk]} (target {@code [N, d1,
     * ..., dk]} or the input's shape; the class dimension is moved last by a copy first), and
     * "none" gives the loss in the target's (batch) shape. With class indices the loss is one fused kernel (log-sum-exp and
     * the target's logit in one read of each row) and its gradient another; {@code weight} takes no
     * gradient there (backward refuses a weight that requires one, as PyTorch).
     *
     * <p>On CUDA class indices are validated on the host: the op waits for pending GPU work and copies
     * the targets back ({@code N·8} bytes, counted in {@link Counters} as device-to-host), as PyTorch's
     * "device-side assert" is no error a JVM could catch. Nothing else is copied, forward or backward.
     *
     * @throws DTypeMismatchException if input is not float32 or target is neither int64 nor float32
     * @throws ShapeMismatchException if input is 0-d or target does not match it
     * @throws IndexOutOfRangeException if a class index is outside {@code [0, C)} and not ignoreIndex
     * @throws IllegalArgumentException if labelSmoothing is outside {@code [0, 1]}
     */
    public static Tensor crossEntropy(Tensor input, Tensor target, Tensor weight, long ignoreIndex, String reduction,
            float labelSmoothing) {
        String op = "cross_entropy";
        boolean indices = Dispatch.nonNull(op, "target", target).dtype() == DType.INT64;
        Dispatch.nonNull(op, "input", input);
        checkClassArgs(op, input, target, weight, reduction, indices);
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
            throw new IllegalArgumentException(op + ": labelSmoothing must be in [0, 1], got " + labelSmoothing);
        }
        Tensor x = classRows(input);
        Tensor loss = indices ? Losses.crossEntropy(x, flatIndices(target), weight, ignoreIndex, labelSmoothing, reduction)
                : Losses.probabilityLoss(Losses.logSoftmax(x, 1), classRows(target), weight, labelSmoothing, reduction);
        return perElement(loss, input, reduction);
    }

    // The class losses compute on rows [M, C]: an input [C] (one sample) is one row, an input
    // [N, C, d1, ..., dk] is N·d1⋯dk rows, its class dimension moved last (a copy), as PyTorch's
    // K-dimensional cross_entropy and nll_loss define them; "none" gives the loss in the target's shape.

    /** {@code x} of {@code [C]}, {@code [N, C]} or {@code [N, C, d1, ...]} as rows {@code [M, C]}. */
    private static Tensor classRows(Tensor x) {
        int r = x.dim();
        if (r == 2) {
            return x;
        }
        if (r == 1) {
            return x.unsqueeze(0);
        }
        int[] order = new int[r];
        for (int i = 1; i < r - 1; i++) {
            order[i] = i + 1;
        }
        order[r - 1] = 1;
        return x.permute(order).reshape((int) (x.numel() / x.size(1)), x.size(1));
    }

    /** Class indices of any shape as {@code [M]}, in the order of {@link #classRows}. */
    private static Tensor flatIndices(Tensor target) {
        return target.dim() == 1 ? target : target.reshape((int) target.numel());
    }

    /** A per-row loss ("none") back in the shape of the input without its class dimension. */
    private static Tensor perElement(Tensor loss, Tensor input, String reduction) {
        return reduction.equals("none") && input.dim() != 2 ? loss.reshape(batchShape(input.shapeRef())) : loss;
    }

    /** The input's shape without its class dimension (dimension 1, or 0 for a single sample {@code [C]}). */
    private static int[] batchShape(int[] inputShape) {
        int classDim = inputShape.length == 1 ? 0 : 1;
        int[] batch = new int[inputShape.length - 1];
        for (int i = 0, j = 0; i < inputShape.length; i++) {
            if (i != classDim) {
                batch[j++] = inputShape[i];
            }
        }
        return batch;
    }

    private static void checkPair(String op, Tensor input, Tensor target, String reduction) {
        Dispatch.nonNull(op, "input", input);
        Dispatch.nonNull(op, "target", target);
        Dispatch.nonNull(op, "reduction", reduction);
        // Checked, not counted: the ops the loss is made of count themselves.
        Dispatch.sameDevice(op, "input", input, "target", target);
        Dispatch.checkDType(op, DTypes.FLOAT32, "input", input, null);
        Dispatch.checkDType(op, DTypes.FLOAT32, "target", target, null);
        Losses.sameShape(op, input, target);
        Losses.reduction(op, reduction);
    }

    private static void checkClassArgs(String op, Tensor input, Tensor target, Tensor weight, String reduction,
            boolean indices) {
        Dispatch.nonNull(op, "input", input);
        Dispatch.nonNull(op, "target", target);
        Dispatch.nonNull(op, "reduction", reduction);
        // Devices and open state first, then dtypes, nothing counted: the composed ops count themselves.
        Dispatch.checkSameDevice(op, "input", input, "target", target);
        if (weight != null) {
            Dispatch.checkSameDevice(op, "input", input, "weight", weight);
        }
        Dispatch.checkDType(op, DTypes.FLOAT32, "input", input, null);
        Dispatch.checkDType(op, indices ? DType.INT64.bit : DTypes.FLOAT32, "target", target, null);
        if (weight != null) {
            Dispatch.checkDType(op, DTypes.FLOAT32, "weight", weight, null);
        }
        Losses.reduction(op, reduction);
        if (input.dim() == 0) {
            throw new ShapeMismatchException(op, "input must be [C], [N, C] or [N, C, d1, ...], got []",
                    input.shapeRef());
        }
        int c = input.size(input.dim() == 1 ? 0 : 1);
        int[] batch = batchShape(input.shapeRef());
        boolean ok = indices ? java.util.Arrays.equals(target.shapeRef(), batch)
                : java.util.Arrays.equals(target.shapeRef(), input.shapeRef());
        if (!ok) {
            throw new ShapeMismatchException(op, "target " + Shapes.str(target.shapeRef()) + " does not match input "
                    + Shapes.str(input.shapeRef()) + (indices ? " (class indices must be " + Shapes.str(batch)
                    + ", the input's shape without its class dimension)" : " (class probabilities must have the input's shape)"),
                    target.shapeRef(), input.shapeRef());
        }
        if (weight != null && !(weight.dim() == 1 && weight.size(0) == c)) {
            throw new ShapeMismatchException(op, "weight must be [C] = [" + c + "], got " + Shapes.str(weight.shapeRef()),
                    weight.shapeRef());
        }
    }
}
