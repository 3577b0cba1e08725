package dev.tensorj;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.WeakHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out {@link IdleGpuPolicy} for modules and optimizers: once per model (its root
 * module) and once per optimizer, when CUDA is available and the work is on the CPU.
 */
final class IdleGpuGuard {
    private static final Logger LOG = LoggerFactory.getLogger("dev.tensorj.IdleGpu");
    private static final Set<Object> WARNED = Collections.synchronizedSet(
            Collections.newSetFromMap(new WeakHashMap<>()));

    private IdleGpuGuard() {}

    /**
     * A module with parameters is about to run its forward pass on {@code input}.
     *
     * @param model the root module (what the user holds), named in the message
     * @param parameters the model's named parameters, asked for only when there is something to say
     */
    static void onForward(Object model, Supplier<Map<String, Tensor>> parameters, Tensor input) {
        // Cheapest tests first: this runs on every forward pass of every layer.
        if (!input.device().isCpu() || IdleGpuPolicy.mode() == IdleGpuPolicy.Mode.SILENT
                || !IdleGpuPolicy.cudaAvailableForCheck() || WARNED.contains(model)) {
            return;
        }
        String name = model.getClass().getSimpleName();
        String message = "GPU idle: " + name + " is running its forward pass on cpu while " + Device.cuda()
                + " is available. Parameters: " + where(parameters.get()) + "; input " + shape(input) + " on "
                + input.device() + ". Move both: model.to(Device.cuda(0)) and input.to(Device.cuda(0))"
                + " (silence with IdleGpuPolicy.setMode(SILENT) or -Dtensorj.idleGpu=silent)";
        report(model, "forward", message);
    }

    /** An optimizer is about to update {@code parameters}. */
    static void onStep(Object optimizer, Iterable<Tensor> parameters) {
        if (IdleGpuPolicy.mode() == IdleGpuPolicy.Mode.SILENT || !IdleGpuPolicy.cudaAvailableForCheck()
                || WARNED.contains(optimizer)) {
            return;
        }
        int onCpu = 0;
        for (Tensor p : parameters) {
            if (p.device().isCpu() && p.gradUnshared() != null) {
                onCpu++;
            }
        }
        if (onCpu == 0) {
            return;
        }
        String message = "GPU idle: " + optimizer.getClass().getSimpleName() + ".step() is updating " + onCpu
                + " parameter(s) on cpu while " + Device.cuda() + " is available. Move the model with "
                + "model.to(Device.cuda(0)) (the optimizer keeps working) and its inputs with .to(Device.cuda(0))";
        report(optimizer, "step", message);
    }

    private static void report(Object owner, String op, String message) {
        if (IdleGpuPolicy.mode() == IdleGpuPolicy.Mode.STRICT) {
            throw new IdleGpuException(op, message);
        }
        if (WARNED.add(owner)) {
            LOG.warn(message);
        }
    }

    /** "2 on cpu (linear.weight, linear.bias)" per device. */
    private static String where(Map<String, Tensor> parameters) {
        Map<String, StringBuilder> byDevice = new TreeMap<>();
        Map<String, Integer> counts = new TreeMap<>();
        parameters.forEach((name, p) -> {
            String d = p.device().toString();
            StringBuilder sb = byDevice.computeIfAbsent(d, k -> new StringBuilder());
            if (counts.merge(d, 1, Integer::sum) <= 4) {
                sb.append(sb.length() == 0 ? "" : ", ").append(name);
            }
        });
        StringBuilder out = new StringBuilder();
        byDevice.forEach((d, names) -> {
            int n = counts.get(d);
            out.append(out.length() == 0 ? "" : "; ").append(n).append(" on ").append(d)
                    .append(" (").append(names).append(n > 4 ? ", ..." : "").append(')');
        });
        return out.toString();
    }

    private static String shape(Tensor t) {
        return java.util.Arrays.toString(t.shape());
    }
}
