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
}
