package dev.tensorj.internal;

import dev.tensorj.Tensor;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The library's own optimizers and gradient clipping read a parameter's gradient through here
 * rather than {@link Tensor#grad()}, which hands the gradient out for good (the caller may keep it,
 * so the engine never recycles it). Code here promises to use the gradient only for the call it
 * runs in and to keep no reference, so that {@code zeroGrad()} can return its memory for the next
 * backward. Not API: this package is not exported.
 *
 * <p>It reaches Tensor's package-private accessor by a method handle, so that the API package
 * does not depend on this one (the packages form no cycle).
 */
public final class Grads {
    private static final MethodHandle UNSHARED;

    static {
        try {
            UNSHARED = MethodHandles.privateLookupIn(Tensor.class, MethodHandles.lookup())
                    .findVirtual(Tensor.class, "gradUnshared", MethodType.methodType(Tensor.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Grads() {}

    /** {@code param}'s gradient or {@code null}, without handing it out; keep no reference to it. */
    public static Tensor peek(Tensor param) {
        try {
            return (Tensor) UNSHARED.invokeExact(param);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError(e); // gradUnshared declares no checked exception
        }
    }
}
