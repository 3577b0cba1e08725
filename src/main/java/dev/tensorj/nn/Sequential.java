package dev.tensorj.nn;

import dev.tensorj.Device;
import dev.tensorj.Tensor;

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

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (int i = 0; i < modules.length; i++) {
            if (fusesWithNext(i)) {
                x = ((Linear) modules[i]).forwardRelu(x);
                i++;
            } else {
                x = modules[i].forward(x);
            }
        }
        return x;
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
