package dev.tensorj.internal;

import dev.tensorj.Tensor;
import dev.tensorj.backend.SgdParams;

/**
 * Not API. The in-place SGD update that {@code dev.tensorj.optim} needs on tensors, kept out of
 * {@link Tensor}'s public surface (the JDK's "shared secrets" idiom).
 */
public interface TensorAccess {

    /** Checks that an SGD update of {@code param} could run: open tensors on one device, equal shapes. */
    void checkSgd(String op, Tensor param, Tensor grad, Tensor momentumBuffer);

    /**
     * One fused SGD update of {@code param} from its gradient, in place, after checking that
     * param, grad and momentum buffer share a device. When {@code p.momentum != 0} and
     * {@code momentumBuffer} is null, a buffer is created on the param's device (after the check)
     * and returned; otherwise {@code momentumBuffer} is returned.
     */
    Tensor sgdStep(String op, Tensor param, Tensor grad, Tensor momentumBuffer, SgdParams p);

    static TensorAccess get() {
        return Holder.access();
    }
}
