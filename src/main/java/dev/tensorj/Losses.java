package dev.tensorj;

import dev.tensorj.backend.BinaryOp;
import dev.tensorj.backend.BroadcastPlan;
import dev.tensorj.backend.Storage;

/**
 * Losses as single ops, forward and backward side by side: one graph node each, as PyTorch's
 * {@code mse_loss}, instead of the four ops and nodes of {@code (a - b).square().mean()} whose
 * backward ran five kernels (a small model's step spends most of its time on such overhead).
 */
final class Losses {
    private Losses() {}

    /** The shape of a 0-d tensor (never written: Tensor.empty copies it or shares an equal array). */
    private static final int[] SCALAR = new int[0];

    /** {@code mean((input - target)²)}; callers have checked devices and shapes. */
    static Tensor mse(DeviceBackend be, Tensor input, Tensor target) {
        int[] shape = input.shapeRef();
        long n = input.numel();
        Tensor diff = Tensor.empty("mse_loss", be, shape); // kept for the backward pass
        Tensor loss = Tensor.empty("mse_loss", be, SCALAR);
        if (n == 0) {
            be.fill(loss.storage(), Float.NaN); // the mean of nothing, as in PyTorch
        } else {
            BroadcastPlan same = Shapes.plan(shape, shape, shape);
            be.binary(BinaryOp.SUB, input.storage(), target.storage(), diff.storage(), same);
            // The squares are a bare storage, not a tensor: nothing but the next kernel reads them.
            Storage squares = be.allocate(DType.FLOAT32, n);
            try {
                be.binary(BinaryOp.MUL, diff.storage(), diff.storage(), squares, same);
                be.sumAxis(squares, 1, n, 1, loss.storage()); // double accumulation; n may exceed 2^31
            } finally {
                Tensor.release(squares);
            }
            be.binaryScalar(BinaryOp.DIV, loss.storage(), (float) n, loss.storage());
        }
        float scale = 2f / n;
        // diff is the op's own tensor, never handed out: saved so that the graph holds it, then
        // closed here, so its memory returns after the backward (at once when nothing is recorded).
        Autograd.record(loss, "mse_loss", new Tensor[] {input, target}, new Tensor[] {diff}, g -> {
            Tensor dInput = mseBackward(diff, g, scale);
            return new Tensor[] {input.requiresGrad() ? dInput : null, target.requiresGrad() ? dInput.neg() : null};
        });
        diff.close();
        return loss;
    }

    /**
     * {@code 2·(input − target)·g / n} as {@code (diff·g)·scale}: one op running two kernels into one
     * tensor, rounding as the two tensor ops {@code diff.mul(g).mul(scale)} did (the same bits), with
     * no tensor between them and no graph bookkeeping for either.
     */
    private static Tensor mseBackward(Tensor diff, Tensor g, float scale) {
        String op = "mse_loss_backward";
        DeviceBackend be = Dispatch.check(op, DTypes.FLOAT32, "diff", diff, "grad", g);
        int[] shape = diff.shapeRef();
        Tensor dInput = Tensor.empty(op, be, shape);
        if (dInput.numel() > 0) {
            be.binary(BinaryOp.MUL, diff.storage(), g.storage(), dInput.storage(), Shapes.plan(shape, g.shapeRef(), shape));
            be.binaryScalar(BinaryOp.MUL, dInput.storage(), scale, dInput.storage());
        }
        return dInput;
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

    /** softmax along dim: one fused kernel forward, one backward. */
    static Tensor softmax(Tensor x, int dim) {
        return softmax("softmax", false, x, dim);
    }

    static Tensor logSoftmax(Tensor x, int dim) {
        return softmax("log_softmax", true, x, dim);
    }

    /**
     * softmax or log_softmax ({@code log}) of {@code x} viewed as {@code [outer, len, inner]} around
     * dim (as sumAxis: no transposing copy for any dim). The rule reads the output: softmax's
     * gradient is {@code y·(g - Σ g·y)}, log_softmax's {@code g - exp(y)·Σ g}.
     */
    private static Tensor softmax(String op, boolean log, Tensor x, int dim) {
        DeviceBackend be = Dispatch.check(op, DTypes.FLOAT32, "input", x);
        int[] s = x.shapeRef();
        int d = Shapes.dim(op, dim, s.length);
        Tensor out = Tensor.empty(op, be, s);
        if (out.numel() > 0) {
            long[] a = axis(s, d);
            be.softmax(log, x.storage(), a[0], a[1], a[2], out.storage());
        }
        Autograd.record(out, op, new Tensor[] {x}, new Tensor[] {out},
                g -> new Tensor[] {softmaxBackward(op, log, out, g, d)});
        return out;
    }

    /** The backward kernel of {@link #softmax(String, boolean, Tensor, int)}, as an op of its own. */
    private static Tensor softmaxBackward(String op, boolean log, Tensor y, Tensor g, int d) {
        String name = op + "_backward";
        DeviceBackend be = Dispatch.check(name, DTypes.FLOAT32, "output", y, "grad", g);
        Tensor gx = Tensor.empty(name, be, y.shapeRef());
        if (gx.numel() > 0) {
            long[] a = axis(y.shapeRef(), d);
            be.softmaxBackward(log, y.storage(), g.storage(), a[0], a[1], a[2], gx.storage());
        }
        return gx;
    }

    /** {@code shape} viewed as {@code [outer, len, inner]} around dim {@code d} (a 0-d shape is {@code [1, 1, 1]}). */
    static long[] axis(int[] shape, int d) {
        long outer = 1;
        long inner = 1;
        for (int i = 0; i < d; i++) {
            outer *= shape[i];
        }
        for (int i = d + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        return new long[] {outer, shape.length == 0 ? 1 : shape[d], inner};
    }

    /**
     * cross_entropy of logits {@code x [N, C]} against int64 class indices, fused: one kernel for the
     * per-row losses (Backend.crossEntropy), the reduction in backend sums, one graph node whose rule
     * is one kernel (softmax - (1-ε)·onehot - ε/C, weighted, times the incoming gradient). Callers have
     * checked devices, dtypes, shapes and ε. "mean" divides by {@code Σ weight[t]} over the rows not
     * ignored (NaN when there are none, as PyTorch). No gradient flows to {@code weight}: asking for
     * one fails in backward, as PyTorch's "the derivative for 'weight' is not implemented".
     */
    static Tensor crossEntropy(Tensor x, Tensor target, Tensor weight, long ignoreIndex, float smoothing,
            String reduction) {
        String op = "cross_entropy";
        DeviceBackend be = Dispatch.check(op, DTypes.FLOAT32, "input", x);
        int n = x.size(0);
        int c = x.size(1);
        Indexing.checkRange(op, "target class index", target, c, ignoreIndex);
        Tensor perRow = Tensor.empty(op, be, new int[] {n});
        Tensor stats = Tensor.empty(op, be, new int[] {4, n}); // [n] target weights, then [n, 3] per-row statistics
        if (n > 0) {
            be.crossEntropy(x.storage(), target.storage(), weight == null ? null : weight.storage(), n, c, ignoreIndex,
                    smoothing, perRow.storage(), stats.storage());
        }
        Tensor out = perRow;
        Tensor divisor = null;
        if (!reduction.equals("none")) {
            out = sumOfFirst(be, perRow, n);
            if (reduction.equals("mean")) {
                divisor = sumOfFirst(be, stats, n); // Σ weight[t] over the rows not ignored
                be.binary(BinaryOp.DIV, out.storage(), divisor.storage(), out.storage(), Shapes.plan(new int[0],
                        new int[0], new int[0]));
            }
            perRow.close();
        }
        if (!Autograd.needsGraph(x, weight)) { // no rule will read them: free them now, not at a collection
            stats.close();
            if (divisor != null) {
                divisor.close();
            }
            return out;
        }
        Tensor mean = divisor;
        Tensor[] saved = weight == null ? new Tensor[] {x, target} : new Tensor[] {x, target, weight};
        Autograd.record(out, op, new Tensor[] {x, weight}, saved, g -> {
            if (weight != null && weight.requiresGrad()) {
                throw new UnsupportedOperationException(op + ": the derivative for weight is not implemented (as in "
                        + "PyTorch); detach the class weights");
            }
            Tensor gRow = mean == null ? g : g.div(mean);
            return new Tensor[] {crossEntropyBackward(x, target, weight, stats, gRow, reduction.equals("none"),
                    ignoreIndex, smoothing), null};
        });
        return out;
    }

    /** The sum of the first {@code n} elements of {@code t}'s storage, as a 0-d tensor (0 for none). */
    private static Tensor sumOfFirst(DeviceBackend be, Tensor t, int n) {
        Tensor sum = Tensor.empty("cross_entropy", be, new int[0]);
        if (n == 0) {
            be.fill(sum.storage(), 0f);
        } else {
            be.sumAxis(t.storage(), 1, n, 1, sum.storage());
        }
        return sum;
    }

    /** The backward kernel of {@link #crossEntropy}, as an op of its own. */
    private static Tensor crossEntropyBackward(Tensor x, Tensor target, Tensor weight, Tensor stats, Tensor g,
            boolean gPerRow, long ignoreIndex, float smoothing) {
        String op = "cross_entropy_backward";
        DeviceBackend be = Dispatch.check(op, DTypes.FLOAT32, "input", x, "grad", g);
        Tensor gx = Tensor.empty(op, be, x.shapeRef());
        if (gx.numel() > 0) {
            be.crossEntropyBackward(x.storage(), target.storage(), weight == null ? null : weight.storage(),
                    stats.storage(), g.storage(), gPerRow, x.size(0), x.size(1), ignoreIndex, smoothing, gx.storage());
        }
        return gx;
    }

    static void sameShape(String op, Tensor input, Tensor target) {
        if (!java.util.Arrays.equals(input.shapeRef(), target.shapeRef())) {
            throw new ShapeMismatchException(op, "input " + Shapes.str(input.shapeRef()) + " and target "
                    + Shapes.str(target.shapeRef()) + " must have the same shape", input.shapeRef(), target.shapeRef());
        }
    }

    /**
     * nll_loss on log-probabilities {@code logp [N,C]} with class indices: per sample
     * {@code -w[t]·logp[t]}, 0 where {@code t == ignoreIndex}; "mean" divides by {@code Σ w[t]} over
     * the non-ignored samples, as PyTorch. Composed (gather by a one-hot mask); cross_entropy with
     * class indices has its own kernel ({@link #crossEntropy}).
     */
    static Tensor classIndexLoss(String op, Tensor logp, Tensor target, Tensor weight, long ignoreIndex,
            String reduction) {
        int n = logp.size(0);
        int c = logp.size(1);
        Indexing.checkRange(op, "target class index", target, c, ignoreIndex);
        Tensor zero = Tensor.zeros(logp.device(), new int[0]);
        Tensor valid = target.ne(Tensor.full(logp.device(), ignoreIndex, new int[0])); // [N]
        Tensor hot = Indexing.oneHotMask(target, c).logicalAnd(valid.unsqueeze(1)); // [N,C]
        Tensor w = weight == null ? Tensor.ones(logp.device(), 1, c) : weight.reshape(1, c);
        Tensor perSample = Functional.where(hot, logp.mul(w), zero).sum(1, false).neg(); // [N]
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

    /**
     * {@code weight·((1-y)·x + (1 + (pw-1)·y)·(log1p(exp(-|x|)) + max(-x, 0)))}, PyTorch's stable
     * form; weight and posWeight (checked to broadcast to x's shape) may be null.
     */
    static Tensor bceWithLogits(Tensor x, Tensor y, Tensor weight, Tensor posWeight, String reduction) {
        Tensor softplusNeg = x.abs().neg().exp().log1p().add(x.neg().relu()); // log(1 + e^-x), stable
        Tensor logWeight = posWeight == null ? null : posWeight.sub(1f).mul(y).add(1f);
        Tensor loss = y.neg().add(1f).mul(x).add(logWeight == null ? softplusNeg : logWeight.mul(softplusNeg));
        return reduce(loss, weight, reduction);
    }

    /** {@code -weight·(y·max(log p, -100) + (1-y)·max(log(1-p), -100))}, as PyTorch; weight may be null. */
    static Tensor bce(Tensor p, Tensor y, Tensor weight, String reduction) {
        Tensor logP = clampLog(p.log());
        Tensor log1mP = clampLog(p.neg().add(1f).log());
        Tensor loss = y.mul(logP).add(y.neg().add(1f).mul(log1mP)).neg();
        return reduce(loss, weight, reduction);
    }

    /** {@code perElement·weight} reduced, as PyTorch's BCE losses: "mean" over all elements, not over the weights. */
    private static Tensor reduce(Tensor perElement, Tensor weight, String reduction) {
        return reduce(weight == null ? perElement : perElement.mul(weight), reduction);
    }

    /**
     * Nothing for a null {@code t}; else {@code t}'s shape must broadcast to {@code input}'s, so that
     * an element-wise weight never grows the loss's shape.
     */
    static void broadcastsToInput(String op, String role, Tensor t, Tensor input) {
        if (t == null) {
            return;
        }
        int[] s = t.shapeRef();
        int[] to = input.shapeRef();
        boolean ok = s.length <= to.length;
        for (int i = 1; ok && i <= s.length; i++) { // aligned from the right, as broadcasting
            ok = s[s.length - i] == 1 || s[s.length - i] == to[to.length - i];
        }
        if (!ok) {
            throw new ShapeMismatchException(op, role + " " + Shapes.str(s) + " does not broadcast to the input's shape "
                    + Shapes.str(to), s, to);
        }
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
