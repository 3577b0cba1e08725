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
    /** The tensors whose values the rule reads, and their versions when the op ran. */
    private final Tensor[] saved;
    private final int[] savedVersions;

    GradFn(String op, Tensor[] inputs, Tensor[] saved, Rule rule) {
        this.op = op;
        this.inputs = inputs;
        this.rule = rule;
        this.saved = saved;
        this.savedVersions = new int[saved.length];
        for (int i = 0; i < saved.length; i++) {
            savedVersions[i] = saved[i].version().value();
        }
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
        checkSavedVersions();
        return rule.apply(gradOutput);
    }

    /** Refuses to compute a gradient from values that an in-place op has overwritten since. */
    private void checkSavedVersions() {
        for (int i = 0; i < saved.length; i++) {
            Version v = saved[i].version();
            if (v.value() != savedVersions[i]) {
                throw new IllegalStateException("backward: a tensor of shape " + Shapes.str(saved[i].shapeRef())
                        + " that '" + op + "' saved to compute its gradient was modified afterwards by the in-place op '"
                        + v.lastOp() + "' (it is at version " + v.value() + "; '" + op + "' saved version "
                        + savedVersions[i] + "). Use an out-of-place op (e.g. add instead of add_) or clone() it first");
            }
        }
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
