package dev.tensorj;

import dev.tensorj.backend.BinaryOp;
import dev.tensorj.backend.BroadcastPlan;

/**
 * Losses as single ops, forward and backward side by side: one graph node each, as PyTorch's
 * {@code mse_loss}, instead of the four ops and nodes of {@code (a - b).square().mean()} whose
 * backward ran five kernels (a small model's step spends most of its time on such overhead).
 */
final class Losses {
    private Losses() {}

    /** {@code mean((input - target)²)}; callers have checked devices and shapes. */
    static Tensor mse(DeviceBackend be, Tensor input, Tensor target) {
        int[] shape = input.shapeRef();
        long n = input.numel();
        Tensor diff = Tensor.empty("mse_loss", be, shape); // kept for the backward pass
        Tensor loss = Tensor.empty("mse_loss", be, new int[0]);
        if (n == 0) {
            be.fill(loss.storage(), Float.NaN); // the mean of nothing, as in PyTorch
        } else {
            BroadcastPlan same = Shapes.plan(shape, shape, shape);
            be.binary(BinaryOp.SUB, input.storage(), target.storage(), diff.storage(), same);
            try (Tensor squares = Tensor.empty("mse_loss", be, shape)) {
                be.binary(BinaryOp.MUL, diff.storage(), diff.storage(), squares.storage(), same);
                be.sumAxis(squares.storage(), 1, n, 1, loss.storage()); // double accumulation; n may exceed 2^31
            }
            be.binaryScalar(BinaryOp.DIV, loss.storage(), (float) n, loss.storage());
        }
        float scale = 2f / n;
        // diff is the op's own tensor, never handed out, so nothing user-visible is saved.
        Autograd.record(loss, "mse_loss", new Tensor[] {input, target}, Autograd.NOTHING_SAVED, g -> {
            Tensor dInput = diff.mul(g).mul(scale); // 2·(input − target)·g / n
            return new Tensor[] {input.requiresGrad() ? dInput : null, target.requiresGrad() ? dInput.neg() : null};
        });
        return loss;
    }

    // ---------------------------------------------------------------- softmax and composed losses

    /** {@code "none"}, {@code "mean"} or {@code "sum"}, as PyTorch's {@code reduction=}. */
    static String reduction(String op, String reduction) {
        if (!reduction.equals("none") && !reduction.equals("mean") && !reduction.equals("sum")) {
            throw new IllegalArgumentException(op + ": reduction must be \"none\", \"mean\" or \"sum\", got \"" + reduction + "\"");
        }
        return reduction;
    }

    static Tensor reduce(Tensor perElement, String reduction) {
        switch (reduction) {
            case "none": return perElement;
            case "sum": return perElement.sum();
            default: return perElement.mean();
        }
    }

    /** Softmax with the (detached) max subtracted: stable for large logits; an all -Inf row gives NaN. */
    static Tensor softmax(Tensor x, int dim) {
        Dispatch.check("softmax", DTypes.FLOAT32, "input", x);
        Tensor m = x.amax(new int[] {dim}, true).detach();
        Tensor e = x.sub(m).exp();
        return e.div(e.sum(dim, true));
    }

    static Tensor logSoftmax(Tensor x, int dim) {
        Dispatch.check("log_softmax", DTypes.FLOAT32, "input", x);
        return x.sub(x.logsumexp(dim, true));
    }

    static void sameShape(String op, Tensor input, Tensor target) {
        if (!java.util.Arrays.equals(input.shapeRef(), target.shapeRef())) {
            throw new ShapeMismatchException(op, "input " + Shapes.str(input.shapeRef()) + " and target "
                    + Shapes.str(target.shapeRef()) + " must have the same shape", input.shapeRef(), target.shapeRef());
        }
    }

    /**
     * nll_loss / cross_entropy with class indices on log-probabilities {@code logp [N,C]}: per sample
     * {@code (1-ε)·(-w[t]·logp[t]) + (ε/C)·(-Σ_c w[c]·logp[c])}, 0 where {@code t == ignoreIndex};
     * "mean" divides by {@code Σ w[t]} over the non-ignored samples, as PyTorch.
     */
    static Tensor classIndexLoss(String op, Tensor logp, Tensor target, Tensor weight, long ignoreIndex,
            float smoothing, String reduction) {
        int n = logp.size(0);
        int c = logp.size(1);
        Indexing.checkRange(op, "target class index", target, c, ignoreIndex);
        Tensor zero = Tensor.zeros(logp.device(), new int[0]);
        Tensor valid = target.ne(Tensor.full(logp.device(), ignoreIndex, new int[0])); // [N]
        Tensor hot = Indexing.oneHotMask(target, c).logicalAnd(valid.unsqueeze(1)); // [N,C]
        Tensor w = weight == null ? Tensor.ones(logp.device(), 1, c) : weight.reshape(1, c);
        Tensor wlogp = logp.mul(w);                                          // [N,C]
        Tensor nll = Functional.where(hot, wlogp, zero).sum(1, false).neg();  // [N]
        Tensor perSample = nll;
        if (smoothing > 0f) {
            Tensor smooth = Functional.where(valid.unsqueeze(1), wlogp, zero).sum(1, false).neg(); // [N]
            perSample = nll.mul(1f - smoothing).add(smooth.mul(smoothing / c));
        }
        switch (reduction) {
            case "none": return perSample;
            case "sum": return perSample.sum();
            default:
                Tensor wt = Functional.where(hot, w.expand(n, c), zero).sum(); // Σ w[t] over non-ignored
                return perSample.sum().div(wt);
        }
    }

    /** cross_entropy with class probabilities {@code [N,C]}: {@code -Σ_c w[c]·y'[c]·logp[c]}, "mean" over N. */
    static Tensor probabilityLoss(Tensor logp, Tensor target, Tensor weight, float smoothing, String reduction) {
        int c = logp.size(1);
        Tensor y = smoothing > 0f ? target.mul(1f - smoothing).add(smoothing / c) : target;
        Tensor t = logp.mul(y);
        if (weight != null) {
            t = t.mul(weight.reshape(1, c));
        }
        return reduce(t.sum(1, false).neg(), reduction);
    }

    /** {@code (1-y)·x + (1 + (pw-1)·y)·(log1p(exp(-|x|)) + max(-x, 0))}, PyTorch's stable form. */
    static Tensor bceWithLogits(Tensor x, Tensor y, Tensor posWeight, String reduction) {
        Tensor softplusNeg = x.abs().neg().exp().log1p().add(x.neg().relu()); // log(1 + e^-x), stable
        Tensor logWeight = posWeight == null ? null : posWeight.sub(1f).mul(y).add(1f);
        Tensor loss = y.neg().add(1f).mul(x).add(logWeight == null ? softplusNeg : logWeight.mul(softplusNeg));
        return reduce(loss, reduction);
    }

    /** {@code -(y·max(log p, -100) + (1-y)·max(log(1-p), -100))}, as PyTorch. */
    static Tensor bce(Tensor p, Tensor y, String reduction) {
        Tensor logP = clampLog(p.log());
        Tensor log1mP = clampLog(p.neg().add(1f).log());
        Tensor loss = y.mul(logP).add(y.neg().add(1f).mul(log1mP)).neg();
        return reduce(loss, reduction);
    }

    private static Tensor clampLog(Tensor logv) {
        return logv.maskedFill(logv.lt(-100f), -100f);
    }

    /** Huber ({@code scaleByBeta} false, delta) or smooth L1 ({@code true}, beta); beta 0 is L1. */
    static Tensor huber(Tensor x, Tensor y, float delta, boolean smoothL1, String reduction) {
        Tensor d = x.sub(y);
        Tensor ad = d.abs();
        if (delta == 0f) {
            return reduce(ad, reduction);
        }
        Tensor quad = smoothL1 ? d.square().mul(0.5f / delta) : d.square().mul(0.5f);
        Tensor lin = smoothL1 ? ad.sub(0.5f * delta) : ad.sub(0.5f * delta).mul(delta);
        return reduce(Functional.where(ad.lt(delta), quad, lin), reduction);
    }
}
