package dev.tensorj.nn;

import dev.tensorj.Device;
import dev.tensorj.Tensor;
import java.util.Set;

/** Modules applied in order; registered as {@code "0"}, {@code "1"}, ... as in PyTorch. */
public class Sequential extends Module {
    private final Module[] modules;

    public Sequential(Module... modules) {
        this.modules = modules.clone();
        for (int i = 0; i < modules.length; i++) {
            register(Integer.toString(i), modules[i]);
        }
    }

    /** Moves this module's parameters; see {@link Module#to}. Returns this Sequential. */
    @Override
    public Sequential to(Device device) {
        super.to(device);
        return this;
    }

    @Override
    public Sequential train() {
        super.train();
        return this;
    }

    @Override
    public Sequential eval() {
        super.eval();
        return this;
    }

    /**
     * The library's modules whose forward keeps no reference to its input or its output (exactly
     * these classes: a subclass may keep one).
     */
    private static final Set<Class<?>> KEEP_NOTHING = Set.of(Linear.class, ReLU.class, Tanh.class, Sigmoid.class,
            SiLU.class, GELU.class, Softmax.class, LogSoftmax.class, Flatten.class, Identity.class, Dropout.class,
            LayerNorm.class, BatchNorm1d.class, Embedding.class);

    /**
     * Applies the modules in order. A tensor passed from one of the library's modules to another
     * is this Sequential's alone (neither keeps it, and the caller never sees it), so it is closed
     * once the next module has used it: its memory is reused as soon as the backward that needs it
     * has run, or at once under no-grad. A tensor that a module of another class made or received
     * is left alone, as is the input.
     */
    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        Module producer = null;
        for (int i = 0; i < modules.length; i++) {
            Module m = modules[i];
            Tensor y;
            if (fusesWithNext(i)) {
                y = ((Linear) m).forwardRelu(x);
                i++;
            } else {
                y = m.forward(x);
            }
            if (x != input && y != x && keepsNothing(producer) && keepsNothing(m)) {
                x.close();
            }
            x = y;
            producer = modules[i];
        }
        return x;
    }

    private static boolean keepsNothing(Module m) {
        return m != null && KEEP_NOTHING.contains(m.getClass());
    }

    /**
     * Whether module {@code i} is a {@link Linear} followed by a {@link ReLU}, both exactly those
     * classes (a subclass may change either's forward): the pair then runs as one op,
     * {@link dev.tensorj.Functional#linearRelu}, with the same result bit for bit.
     */
    private boolean fusesWithNext(int i) {
        return i + 1 < modules.length && modules[i].getClass() == Linear.class
                && modules[i + 1].getClass() == ReLU.class;
    }

    /**
     * The {@code i}-th module; a negative index counts from the end, as PyTorch's {@code seq[-1]}.
     *
     * @throws IndexOutOfBoundsException unless {@code -size() <= i < size()}
     */
    public Module get(int i) {
        if (i < -modules.length || i >= modules.length) {
            throw new IndexOutOfBoundsException("Sequential.get: index " + i + " is out of range for "
                    + modules.length + " modules");
        }
        return modules[i < 0 ? i + modules.length : i];
    }

    public int size() {
        return modules.length;
    }
}
