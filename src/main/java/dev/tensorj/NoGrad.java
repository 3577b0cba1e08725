package dev.tensorj;

/**
 * Turns off autograd recording on this thread until closed, like PyTorch's {@code torch.no_grad()}:
 * <pre>{@code
 * try (NoGrad g = NoGrad.enter()) {
 *     Tensor pred = model.forward(x);   // no graph is recorded
 * }
 * }</pre>
 * Scopes nest; closing one restores the mode that was in force when it was entered.
 */
public final class NoGrad implements AutoCloseable {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private final boolean previous;
    private boolean closed;

    private NoGrad() {
        boolean[] flag = ENABLED.get();
        previous = flag[0];
        flag[0] = false;
    }

    /** Enters a no-grad scope on the calling thread. */
    public static NoGrad enter() {
        return new NoGrad();
    }

    /**
     * Turns recording off on this thread and returns whether it was on, for {@link #restore}: the
     * engine's own scopes (a backward pass) without an object per pass.
     */
    static boolean suspend() {
        boolean[] flag = ENABLED.get();
        boolean previous = flag[0];
        flag[0] = false;
        return previous;
    }

    /** Ends a {@link #suspend()}: recording is as it was before. */
    static void restore(boolean previous) {
        ENABLED.get()[0] = previous;
    }

    /** Whether ops on this thread record the autograd graph. */
    public static boolean isGradEnabled() {
        return ENABLED.get()[0];
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            ENABLED.get()[0] = previous;
        }
    }
}
