package dev.tensorj.internal;

import dev.tensorj.Tensor;

/** Holds the {@link TensorAccess} that {@link Tensor}'s class initialiser installs. */
public final class Holder {
    private static volatile TensorAccess access;

    private Holder() {}

    /** Called once, by {@code Tensor}. */
    public static void install(TensorAccess a) {
        if (access != null) {
            throw new IllegalStateException("TensorAccess installed twice");
        }
        access = a;
    }

    static TensorAccess access() {
        TensorAccess a = access;
        if (a == null) {
            try {
                Class.forName(Tensor.class.getName(), true, Tensor.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new AssertionError(e);
            }
            a = access;
        }
        return a;
    }
}
