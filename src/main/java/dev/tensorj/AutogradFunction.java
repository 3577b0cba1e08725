package dev.tensorj;

import java.util.Arrays;

/**
 * An op defined by its forward and its backward, both written in tensor ops, as PyTorch's
 * {@code torch.autograd.Function}. Subclass it, then call {@link #apply}:
 * <pre>{@code
 * final class Exp extends AutogradFunction {
 *     @Override
 *     protected Tensor forward(Context ctx, Tensor... inputs) {
 *         Tensor y = inputs[0].exp();
 *         ctx.saveForBackward(y);              // read back in backward
 *         return y;
 *     }
 *
 *     @Override
 *     protected Tensor[] backward(Context ctx, Tensor gradOutput) {
 *         Tensor y = ctx.savedTensors()[0];
 *         return new Tensor[] {gradOutput.mul(y)};   // one gradient (or null) per input
 *     }
 * }
 *
 * Tensor y = new Exp().apply(x);               // y.gradFnName() is "ExpBackward"
 * y.sum().backward();                          // x.grad() is exp(x)
 * }</pre>
 *
 * <p>{@link #apply} runs as a built-in op does: the inputs are checked first (present, open, on one
 * device; any dtype), so mixed devices are a {@link DeviceMismatchException} naming this function and
 * the inputs' roles ({@code "input 0"}, {@code "input 1"}, or the names given to the constructor);
 * {@code forward} then runs with grad mode off; if grad mode is on and an input requires grad, the
 * output gets a node in the graph named {@code name() + "Backward"}, and {@code backward()} of a
 * result calls this function's {@code backward} with grad mode off, sums each gradient over the
 * dimensions along which its input was broadcast, and accumulates it into the leaves' {@code grad}
 * as for any op. A tensor saved with {@link Context#saveForBackward} and changed in place
 * afterwards makes that {@code backward()} fail with an {@link IllegalStateException} naming both
 * ops, as for the tensors built-in ops save.
 *
 * <p>Where tensorj chooses what PyTorch leaves open: one output tensor (for several, write one
 * function per output); it must be on the inputs' device (data crosses devices only through
 * {@link Tensor#to(Device)}), and only a float32 output gets a gradient (another dtype is returned
 * outside the graph). Non-tensor arguments (a clamp's bounds) are fields of the function, set by
 * its constructor; an instance holds no state of one call, so one instance can be applied many
 * times. The output is returned as a new tensor object sharing the data forward returned, so that
 * forward may return an input or a tensor it saved. There is no double backward: backward runs
 * under no-grad.
 */
public abstract class AutogradFunction {
    private final String name;
    /** The inputs' roles in error messages; null: {@code "input 0"}, {@code "input 1"}, ... for any count. */
    private final String[] inputNames;

    /** A function named after its class ({@code "AutogradFunction"} for an anonymous class) taking any number of inputs. */
    protected AutogradFunction() {
        String simple = getClass().getSimpleName();
        this.name = simple.isEmpty() ? "AutogradFunction" : simple;
        this.inputNames = null;
    }

    /**
     * A function with the given name (in errors and in {@link Tensor#gradFnName()}) taking exactly
     * as many inputs as {@code inputNames} gives, each named so in errors (e.g. {@code "input",
     * "weight"}); with no input names it takes any number, named {@code "input 0"}, {@code "input 1"}, ...
     *
     * @throws IllegalArgumentException if {@code name} is empty
     */
    protected AutogradFunction(String name, String... inputNames) {
        Dispatch.nonNull("AutogradFunction", "name", name);
        Dispatch.nonNull(name, "inputNames", inputNames);
        if (name.isEmpty()) {
            throw new IllegalArgumentException("AutogradFunction: name is empty");
        }
        for (int i = 0; i < inputNames.length; i++) {
            Dispatch.nonNull(name, "inputNames[" + i + "]", inputNames[i]);
        }
        this.name = name;
        this.inputNames = inputNames.length == 0 ? null : inputNames.clone();
    }

    /** The name in errors; the graph node of an output is {@code name() + "Backward"}. */
    public String name() {
        return name;
    }

    /**
     * Computes the output from {@code inputs} in tensor ops; grad mode is off. Save what backward
     * reads with {@link Context#saveForBackward}.
     *
     * @param ctx this call's context
     * @param inputs the tensors given to {@link #apply}, in order (a copy of the array)
     * @return the output, on the inputs' device
     */
    protected abstract Tensor forward(Context ctx, Tensor... inputs);

    /**
     * The gradients of the inputs from the gradient of the output, in tensor ops; grad mode is off.
     * Return one entry per input: null where it gets no gradient (an input that does not
     * {@linkplain Context#needsInputGrad need} one may always get null, and what is returned for it
     * is ignored), else a float32 tensor on the input's device, of the input's shape or of a shape
     * that sums to it along broadcast dimensions. Return tensors made here, or {@code gradOutput}
     * itself; an input or a saved tensor returned as a gradient is copied.
     *
     * @param ctx the context forward filled
     * @param gradOutput the gradient of the output, of the output's shape and device
     * @return one gradient or null per input
     */
    protected abstract Tensor[] backward(Context ctx, Tensor gradOutput);

    /**
     * Runs {@link #forward} on {@code inputs} and, if grad mode is on and an input requires grad,
     * records {@link #backward} for the output.
     *
     * @return the output: it requires grad iff an input does, grad mode is on, and it is float32
     * @throws NullPointerException if {@code inputs} or one of them is null, naming it
     * @throws IllegalArgumentException if the constructor named the inputs and their count differs
     * @throws DeviceMismatchException if the inputs, or the output and the inputs, are not on one device
     * @throws TensorClosedException if an input is closed
     * @throws IllegalStateException if forward returned null
     */
    public final Tensor apply(Tensor... inputs) {
        Dispatch.nonNull(name, "inputs", inputs);
        Tensor[] in = inputs.clone();
        if (inputNames != null && in.length != inputNames.length) {
            throw new IllegalArgumentException(name + ": expected " + inputNames.length + " inputs ("
                    + String.join(", ", inputNames) + "), got " + in.length);
        }
        Object[] rolesAndTensors = new Object[2 * in.length];
        for (int i = 0; i < in.length; i++) {
            rolesAndTensors[2 * i] = role(i);
            rolesAndTensors[2 * i + 1] = in[i];
        }
        if (in.length > 0) {
            Dispatch.check(name, DTypes.ANY, rolesAndTensors);
        }
        boolean[] needsGrad = new boolean[in.length];
        boolean record = false;
        if (NoGrad.isGradEnabled()) {
            for (int i = 0; i < in.length; i++) {
                needsGrad[i] = in[i].requiresGrad();
                record |= needsGrad[i];
            }
        }
        Context ctx = new Context(name, needsGrad);
        Tensor out;
        try (NoGrad ignored = NoGrad.enter()) {
            out = forward(ctx, in.clone());
        }
        if (out == null) {
            throw new IllegalStateException(name + ": forward returned null; it must return the output tensor");
        }
        if (in.length > 0) {
            Dispatch.checkSameDevice(name, role(0), in[0], "output", out);
        }
        if (!record || out.dtype() != DType.FLOAT32) {
            return out;
        }
        // A new object for the graph node: the tensor forward returned may be an input, a saved
        // tensor or one held elsewhere, none of which may become this node's output.
        Tensor result = out.detach();
        Autograd.recordUserRule(result, name, in, ctx.savedForGraph(), g -> gradients(ctx, in, g));
        return result;
    }

    /** The user's backward, with its result checked as PyTorch's engine checks a Function's gradients. */
    private Tensor[] gradients(Context ctx, Tensor[] in, Tensor gradOutput) {
        String op = name + "Backward";
        Tensor[] grads = backward(ctx, gradOutput);
        if (grads == null || grads.length != in.length) {
            throw new IllegalStateException(op + ": backward returned " + (grads == null ? "null" : grads.length
                    + " gradients") + ", expected an array of " + in.length + " (one gradient per input, null for none)");
        }
        Tensor[] out = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) {
            Tensor g = grads[i];
            if (g == null || !ctx.needsInputGrad(i)) {
                continue;
            }
            String role = "gradient for " + role(i);
            // gradOutput is on the inputs' device (apply checked the output's), and open, where an
            // input may have been closed since.
            Dispatch.checkSameDevice(op, "gradOutput", gradOutput, role, g);
            Dispatch.checkDType(op, DTypes.FLOAT32, role, g, null);
            if (!sumsTo(g.shapeRef(), in[i].shapeRef())) {
                throw new ShapeMismatchException(op, "backward returned a gradient of shape " + Shapes.str(g.shapeRef())
                        + " for " + role(i) + " of shape " + Shapes.str(in[i].shapeRef()) + "; expected the input's "
                        + "shape, or one that it broadcasts to", g.shapeRef(), in[i].shapeRef());
            }
            // Autograd may keep a rule's gradient as a leaf's grad: never let that be a tensor the
            // user holds as an input or a saved tensor.
            out[i] = g != gradOutput && (holds(ctx.saved, g) || holds(in, g) || g.requiresGrad())
                    ? g.copyOfValues(op) : g;
        }
        return out;
    }

    /** Whether an input of {@code shape} broadcasts to {@code gradShape}: the sum that Autograd undoes. */
    private static boolean sumsTo(int[] gradShape, int[] shape) {
        int lead = gradShape.length - shape.length;
        if (lead < 0) {
            return false;
        }
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] != 1 && shape[d] != gradShape[lead + d]) {
                return false;
            }
        }
        return true;
    }

    private static boolean holds(Tensor[] tensors, Tensor t) {
        for (Tensor s : tensors) {
            if (s == t) {
                return true;
            }
        }
        return false;
    }

    private String role(int i) {
        return inputNames != null ? inputNames[i] : "input " + i;
    }

    @Override
    public String toString() {
        return name;
    }

    /**
     * One call's state, shared by its {@link #forward} and {@link #backward}: the tensors saved
     * for backward and which inputs need a gradient (PyTorch's {@code ctx}).
     */
    public static final class Context {
        private final String name;
        private final boolean[] needsInputGrad;
        private Tensor[] saved = new Tensor[0];

        private Context(String name, boolean[] needsInputGrad) {
            this.name = name;
            this.needsInputGrad = needsInputGrad;
        }

        /**
         * Keeps {@code tensors} (inputs, the output, or intermediate results; null entries are
         * kept as null) for backward, replacing what an earlier call saved. {@code backward()}
         * refuses to run if one of them is changed in place after forward.
         *
         * @throws TensorClosedException if one of them is closed
         */
        public void saveForBackward(Tensor... tensors) {
            Dispatch.nonNull(name, "tensors", tensors);
            Tensor[] copy = tensors.clone();
            for (int i = 0; i < copy.length; i++) {
                if (copy[i] != null) {
                    copy[i].checkOpen(name, "saved tensor " + i);
                }
            }
            saved = copy;
        }

        /** The tensors given to {@link #saveForBackward}, in order (empty if none was saved). */
        public Tensor[] savedTensors() {
            return saved.clone();
        }

        /**
         * Whether input {@code index} needs a gradient: it requires grad and grad mode was on
         * when the function was applied (PyTorch's {@code ctx.needs_input_grad[index]}).
         *
         * @throws IndexOutOfBoundsException if there is no such input
         */
        public boolean needsInputGrad(int index) {
            java.util.Objects.checkIndex(index, needsInputGrad.length);
            return needsInputGrad[index];
        }

        /** The saved tensors without the nulls, whose versions the graph node checks. */
        private Tensor[] savedForGraph() {
            return Arrays.stream(saved).filter(t -> t != null).toArray(Tensor[]::new);
        }
    }
}
