package dev.tensorj;

/**
 * One recorded op in the autograd graph: its inputs and its backward rule. The rule maps the
 * gradient of the op's output to the gradients of its inputs, in the shape the op computed them;
 * {@link Autograd} sums broadcast gradients back to each input's shape.
 */
final class GradFn {
    /** A backward rule written with tensor ops, so it runs on every device. */
    interface Rule {
        /** Gradients for each input (null where an input needs none). */
        Tensor[] apply(Tensor gradOutput);
    }

    final String op;
    private Tensor[] inputs;
    private Rule rule;

    GradFn(String op, Tensor[] inputs, Rule rule) {
        this.op = op;
        this.inputs = inputs;
        this.rule = rule;
    }

    Tensor[] inputs() {
        if (inputs == null) {
            throw freed();
        }
        return inputs;
    }

    Tensor[] apply(Tensor gradOutput) {
        if (rule == null) {
            throw freed();
        }
        return rule.apply(gradOutput);
    }

    /** Drops the saved tensors after a backward pass, as PyTorch does unless asked to retain them. */
    void free() {
        inputs = null;
        rule = null;
    }

    boolean isFreed() {
        return rule == null;
    }

    private IllegalStateException freed() {
        return new IllegalStateException("backward: trying to go through the graph of '" + op
                + "' a second time, but its saved tensors were freed after the first backward; "
                + "call backward(true) (retainGraph) the first time if you need to backward twice");
    }

    @Override
    public String toString() {
        return op + "Backward";
    }
}
