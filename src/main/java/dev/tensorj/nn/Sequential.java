package dev.tensorj.nn;

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

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (Module m : modules) {
            x = m.forward(x);
        }
        return x;
    }

    /** The {@code i}-th module. */
    public Module get(int i) {
        return modules[i];
    }

    public int size() {
        return modules.length;
    }
}
