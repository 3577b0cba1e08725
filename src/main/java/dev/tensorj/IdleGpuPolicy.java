package dev.tensorj;

import java.util.Locale;

/**
 * What tensorj does when a module's forward pass or an optimizer step runs on the CPU while a
 * CUDA device is available (the tutorial's "trains on the CPU, and nothing says so"):
 * {@link Mode#WARN} logs one WARN per model and per optimizer (the default), {@link Mode#SILENT}
 * says nothing, {@link Mode#STRICT} throws {@link IdleGpuException} instead. Set it in code or with
 * {@code -Dtensorj.idleGpu=warn|silent|strict}.
 *
 * <p>The check never loads CUDA on a machine without an NVIDIA driver: it probes CUDA only when
 * the driver is present ({@code /proc/driver/nvidia/version}) or CUDA was already probed.
 */
public final class IdleGpuPolicy {

    /** The three behaviours. */
    public enum Mode { WARN, SILENT, STRICT }

    private static volatile Mode mode = fromProperty();
    private static volatile Boolean cudaOverride;

    private IdleGpuPolicy() {}

    public static Mode mode() {
        return mode;
    }

    public static void setMode(Mode newMode) {
        mode = java.util.Objects.requireNonNull(newMode, "mode");
    }

    /**
     * Testing seam, and the only one: makes the idle-GPU check (and nothing else) see CUDA as
     * available or not, so the warning logic can be tested on a machine without a GPU. No
     * CUDA backend is faked; ops still run where their tensors are. {@code null} restores the real
     * answer.
     */
    public static void overrideCudaAvailableForTesting(Boolean available) {
        cudaOverride = available;
    }

    /**
     * Whether the idle-GPU check considers CUDA available: the testing override if set, else
     * {@link Device#isCudaAvailable()} when an NVIDIA driver is present, else false.
     */
    public static boolean cudaAvailableForCheck() {
        Boolean o = cudaOverride;
        if (o != null) {
            return o;
        }
        return DriverPresence.DRIVER_PRESENT && Device.isCudaAvailable();
    }

    /**
     * Applies this policy before a forward pass: a layer with parameters calls it first thing
     * ({@code Module.checkPlacement} does), so that a model left on the CPU while a GPU is
     * available is reported once per model. Cheap when there is nothing to say.
     *
     * @param model the root module (what the user holds), named in the message
     * @param parameters the model's named parameters, asked for only when there is something to say
     * @param input the forward pass's input
     * @throws IdleGpuException in {@link Mode#STRICT} when the pass would leave the GPU idle
     */
    public static void checkForward(Object model, java.util.function.Supplier<java.util.Map<String, Tensor>> parameters,
                                    Tensor input) {
        IdleGpuGuard.onForward(model, parameters, input);
    }

    /**
     * Applies this policy before an optimizer step: an optimizer calls it first thing in
     * {@code step()}, so that updates running on the CPU while a GPU is available are reported
     * once per optimizer.
     *
     * @throws IdleGpuException in {@link Mode#STRICT} when the step would leave the GPU idle
     */
    public static void checkStep(Object optimizer, Iterable<Tensor> parameters) {
        IdleGpuGuard.onStep(optimizer, parameters);
    }

    private static Mode fromProperty() {
        String p = System.getProperty("tensorj.idleGpu", "warn").trim().toUpperCase(Locale.ROOT);
        try {
            return Mode.valueOf(p);
        } catch (IllegalArgumentException e) {
            return Mode.WARN;
        }
    }

    /** Read once: whether an NVIDIA kernel driver is loaded, without touching any native library. */
    private static final class DriverPresence {
        static final boolean DRIVER_PRESENT =
                java.nio.file.Files.exists(java.nio.file.Path.of("/proc/driver/nvidia/version"))
                        || !System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
    }
}
