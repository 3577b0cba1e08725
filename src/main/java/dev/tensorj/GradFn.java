package dev.tensorj;

/**
 * One recorded op in the autograd graph: its inputs, the graph node each input was when the op ran
 * (its {@code GradFn}, or the input itself for a leaf), and its backward rule. The rule maps the
 * gradient of the op's output to the gradients of its inputs, in the shape the op computed them;
 * {@link Autograd} sums broadcast gradients back to each input's shape.
 *
 * <p>Resolving each input to its node when the op runs, not when backward walks the graph, is what
 * lets an in-place op give a tensor a new place in the graph: ops recorded before it still lead to
 * the node the tensor was then.
 */
final class GradFn {
    /** A backward rule written with tensor ops, so it runs on every device. */
    interface Rule {
        /** Gradients for each input (null where an input needs none). */
        Tensor[] apply(Tensor gradOutput);
    }

    final String op;
    /** Where the op's output lives (backward refuses to read gradients back out of meta). */
    final Device device;
    private Tensor[] inputs;
    /** For each input: its GradFn, the input itself for a leaf that requires grad, or null. */
    private Object[] nodes;
    private Rule rule;
    /** The tensors whose values the rule reads, and their versions when the op ran. */
    private Tensor[] saved;
    private final int[] savedVersions;
    private static final int[] NO_VERSIONS = new int[0];

    /**
     * Whether the rule is a user's ({@link AutogradFunction}): it may keep the gradient it gets or
     * the tensors it returns, so backward closes neither.
     */
    final boolean userRule;

    GradFn(String op, Device device, Tensor[] inputs, Tensor[] saved, Rule rule) {
        this(op, device, inputs, saved, rule, false);
    }

    GradFn(String op, Device device, Tensor[] inputs, Tensor[] saved, Rule rule, boolean userRule) {
        this.userRule = userRule;
        this.op = op;
        this.device = device;
        this.inputs = inputs;
        this.rule = rule;
        this.nodes = new Object[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            Tensor in = inputs[i];
            if (in != null && in.requiresGrad()) {
                nodes[i] = in.gradFn() != null ? in.gradFn() : in;
            }
        }
        this.saved = saved;
        this.savedVersions = saved.length == 0 ? NO_VERSIONS : new int[saved.length];
        for (int i = 0; i < saved.length; i++) {
            savedVersions[i] = saved[i].versionValue();
            saved[i].holdForGraph(); // closing it now frees it after this node's backward
        }
    }

    Tensor[] inputs() {
        if (inputs == null) {
            throw freed();
        }
        return inputs;
    }

    /** The graph node of each input when the op ran (null where no gradient flows). */
    Object[] nodes() {
        if (nodes == null) {
            throw freed();
        }
        return nodes;
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
            if (saved[i].versionValue() != savedVersions[i]) {
                Version v = saved[i].version();
                throw new IllegalStateException("backward: a tensor of shape " + Shapes.str(saved[i].shapeRef())
                        + " that '" + op + "' saved to compute its gradient was modified afterwards by the in-place op '"
                        + v.lastOp() + "' (it is at version " + v.value() + "; '" + op + "' saved version "
                        + savedVersions[i] + "). Use an out-of-place op (e.g. add instead of add_) or clone() it first");
            }
        }
    }

    /** Drops the inputs and saved tensors after a backward pass, as PyTorch does unless asked to retain them. */
    void free() {
        if (saved != null) {
            for (Tensor t : saved) {
                t.releaseFromGraph();
            }
        }
        inputs = null;
        nodes = null;
        rule = null;
        saved = null;
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
