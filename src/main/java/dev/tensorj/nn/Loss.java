package dev.tensorj.nn;

import dev.tensorj.Tensor;

/** A module that compares an input with a target: call {@link #forward(Tensor, Tensor)}. */
public abstract class Loss extends Module {

    /** The loss of {@code input} against {@code target}. */
    public abstract Tensor forward(Tensor input, Tensor target);

    /** A loss needs a target: always throws; call {@link #forward(Tensor, Tensor)}. */
    @Override
    public final Tensor forward(Tensor input) {
        throw new UnsupportedOperationException(getClass().getSimpleName()
                + " compares an input with a target: call forward(input, target)");
    }
}
