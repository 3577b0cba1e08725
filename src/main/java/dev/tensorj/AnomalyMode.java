package dev.tensorj;

/**
 * Finds the op whose backward rule first produced a NaN, as PyTorch's {@code detect_anomaly}:
 * <pre>{@code
 * try (AnomalyMode a = AnomalyMode.enter()) {
 *     loss.backward();   // throws AnomalyException("div: backward produced NaN ...")
 * }
 * }</pre>
 * Each gradient is read back and checked, so every backward step waits for the device: a debugging
 * aid, off by default. {@code -Dtensorj.detectAnomaly=true} turns it on for every thread.
 */
public final class AnomalyMode implements AutoCloseable {
    private static final boolean GLOBAL = Boolean.getBoolean("tensorj.detectAnomaly");
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private boolean closed;

    private AnomalyMode() {
        DEPTH.get()[0]++;
    }

    /** Turns anomaly detection on for this thread until closed. */
    public static AnomalyMode enter() {
        return new AnomalyMode();
    }

    /** Whether backward passes on this thread check every gradient for NaN. */
    public static boolean isEnabled() {
        return GLOBAL || DEPTH.get()[0] > 0;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            DEPTH.get()[0]--;
        }
    }

    /** Throws if {@code grad}, computed by {@code fn} for its input {@code index}, holds a NaN. */
    static void check(GradFn fn, int index, Tensor input, Tensor grad) {
        if (grad.device().isMeta()) {
            return;
        }
        for (float v : grad.toFloatArray()) {
            if (Float.isNaN(v)) {
                throw new AnomalyException(fn.op, "backward produced NaN in the gradient of input " + index
                        + " (shape " + Shapes.str(input.shapeRef()) + " on " + input.device()
                        + "); this is the first op, walking back from the loss, whose gradient has a NaN");
            }
        }
    }
}
