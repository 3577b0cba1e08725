package dev.tensorj.nn;

import dev.tensorj.NoGrad;
import dev.tensorj.Tensor;
import dev.tensorj.internal.Grads;
import java.util.ArrayList;
import java.util.List;

/**
 * Gradient clipping, as {@code torch.nn.utils.clip_grad_norm_} and {@code clip_grad_value_}: each
 * gradient is scaled or clamped in place, in tensor ops on its own device, between
 * {@code loss.backward()} and {@code optimizer.step()}:
 * <pre>{@code
 * loss.backward();
 * ClipGrad.clipGradNorm_(model.parameters(), 1.0);
 * optimizer.step();
 * }</pre>
 * Parameters whose gradient is null are left out, as in PyTorch.
 */
public final class ClipGrad {
    private ClipGrad() {}

    /**
     * Scales the gradients of {@code parameters} so that their total 2-norm is at most
     * {@code maxNorm}, as {@code clip_grad_norm_(parameters, max_norm)}; see
     * {@link #clipGradNorm_(List, double, double, boolean)}.
     *
     * @return the total norm of the gradients before clipping, a 0-d tensor
     */
    public static Tensor clipGradNorm_(List<Tensor> parameters, double maxNorm) {
        return clipGradNorm_(parameters, maxNorm, 2.0, false);
    }

    /**
     * Scales the gradients of {@code parameters} in place so that their total {@code normType}-norm
     * (the norm of all gradients viewed as one vector; {@code Double.POSITIVE_INFINITY} for the
     * largest |g|) is at most {@code maxNorm}, as PyTorch's
     * {@code clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite)}: each gradient is
     * multiplied by {@code min(1, maxNorm / (total + 1e-6))}, computed as a 0-d tensor, so no value
     * is read to the host. The per-gradient norms are gathered on the first gradient's device (with
     * {@link Tensor#to}), as PyTorch does. With {@code errorIfNonfinite}, the total norm is read to
     * the host (a wait for the GPU: the only host read here) to decide whether to throw; a meta
     * total cannot be read and is not checked. Without gradients, returns a CPU 0-d zero.
     *
     * @return the total norm of the gradients before clipping, a 0-d tensor on the first gradient's device
     * @throws NullPointerException if {@code parameters} is or holds null
     * @throws IllegalArgumentException if {@code normType} is NaN; with {@code errorIfNonfinite},
     *     if the total norm is NaN or infinite (PyTorch's RuntimeError), the gradients then unchanged
     */
    public static Tensor clipGradNorm_(List<Tensor> parameters, double maxNorm, double normType,
            boolean errorIfNonfinite) {
        List<Tensor> grads = grads("clip_grad_norm_", parameters);
        if (Double.isNaN(normType)) {
            throw new IllegalArgumentException("clip_grad_norm_: normType must not be NaN");
        }
        if (grads.isEmpty()) {
            return Tensor.scalar(0f);
        }
        try (NoGrad g = NoGrad.enter()) {
            Tensor total = totalNorm(grads, normType);
            if (errorIfNonfinite && !total.device().isMeta() && !Float.isFinite(total.item())) {
                String value = Float.toString(total.item());
                total.close();
                throw new IllegalArgumentException("clip_grad_norm_: the total norm of order " + normType
                        + " of the gradients is " + value + ", so it cannot be clipped; pass errorIfNonfinite"
                        + " = false to scale the gradients by the non-finite norm anyway");
            }
            try (Tensor shifted = total.add(1e-6f);
                    Tensor coef = shifted.rdiv((float) maxNorm).clamp_(Float.NEGATIVE_INFINITY, 1f)) {
                for (Tensor grad : grads) {
                    if (grad.device().equals(coef.device())) {
                        grad.mul_(coef);
                    } else {
                        try (Tensor there = coef.to(grad.device())) {
                            grad.mul_(there);
                        }
                    }
                }
            }
            return total;
        }
    }

    /**
     * Clamps every gradient of {@code parameters} to {@code [-clipValue, clipValue]} in place, as
     * {@code clip_grad_value_} (a negative {@code clipValue} sets every element to it, as PyTorch's
     * clamp with min &gt; max does).
     *
     * @throws NullPointerException if {@code parameters} is or holds null
     */
    public static void clipGradValue_(List<Tensor> parameters, double clipValue) {
        List<Tensor> grads = grads("clip_grad_value_", parameters);
        float c = (float) clipValue;
        try (NoGrad g = NoGrad.enter()) {
            for (Tensor grad : grads) {
                grad.clamp_(-c, c);
            }
        }
    }

    /** The total norm: each gradient's norm, gathered on the first gradient's device, and their norm. */
    private static Tensor totalNorm(List<Tensor> grads, double normType) {
        List<Tensor> norms = new ArrayList<>();
        try {
            for (Tensor grad : grads) {
                Tensor norm = grad.norm(normType, new int[0], false);
                if (!norm.device().equals(grads.get(0).device())) {
                    Tensor moved = norm.to(grads.get(0).device());
                    norm.close();
                    norm = moved;
                }
                norms.add(norm);
            }
            try (Tensor stacked = Tensor.stack(norms, 0)) {
                return stacked.norm(normType, new int[0], false);
            }
        } finally {
            norms.forEach(Tensor::close);
        }
    }

    /** The non-null gradients of {@code parameters}, checking for null first. */
    private static List<Tensor> grads(String op, List<Tensor> parameters) {
        if (parameters == null) {
            throw new NullPointerException(op + ": parameters is null");
        }
        List<Tensor> grads = new ArrayList<>();
        for (Tensor p : parameters) {
            if (p == null) {
                throw new NullPointerException(op + ": parameters holds null");
            }
            Tensor g = Grads.peek(p); // used for this call only: the gradient stays recyclable
            if (g != null) {
                grads.add(g);
            }
        }
        return grads;
    }
}
