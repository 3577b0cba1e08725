package dev.tensorj.nn;

import dev.tensorj.Device;
import dev.tensorj.Tensor;

/** A module that compares an input with a target: call {@link #forward(Tensor, Tensor)}. */
public abstract class Loss extends Module {

    /** Moves this module's parameters; see {@link Module#to}. Returns this Loss. */
    @Override
    public Loss to(Device device) {
        super.to(device);
        return this;
    }

    @Override
    public Loss train() {
        super.train();
        return this;
    }

    @Override
    public Loss eval() {
        super.eval();
        return this;
    }

    /**
     * {@code reduction} if it is one of PyTorch's {@code "none"}, {@code "mean"}, {@code "sum"}: the
     * one check every loss module's constructor makes, so a bad value fails at construction.
     *
     * @throws NullPointerException if it is null, naming {@code module}
     * @throws IllegalArgumentException for another value
     */
    static String checkReduction(String module, String reduction) {
        java.util.Objects.requireNonNull(reduction, module + ": reduction is null");
        if (!reduction.equals("none") && !reduction.equals("mean") && !reduction.equals("sum")) {
            throw new IllegalArgumentException(module + ": reduction must be \"none\", \"mean\" or \"sum\", got \""
                    + reduction + "\"");
        }
        return reduction;
    }

    /** The loss of {@code input} against {@code target}. */
    public abstract Tensor forward(Tensor input, Tensor target);

    /** A loss needs a target: always throws; call {@link #forward(Tensor, Tensor)}. */
    @Override
    public final Tensor forward(Tensor input) {
        throw new UnsupportedOperationException(getClass().getSimpleName()
                + " compares an input with a target: call forward(input, target)");
    }
}
