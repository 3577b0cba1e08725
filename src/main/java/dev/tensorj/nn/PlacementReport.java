package dev.tensorj.nn;

import dev.tensorj.Device;
import dev.tensorj.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where each parameter of a module lives, from {@link Module#placement()}. Printing it gives a
 * table; parameters off the majority device are flagged when placement is mixed:
 * <pre>
 * ComplexModel: MIXED placement: 2 parameters on cpu, 2 on cuda:0
 *   linear1.weight  [20, 10]  cpu     &lt;-- not on cuda:0
 *   ...
 * </pre>
 */
public final class PlacementReport {
    private final String model;
    private final Map<String, Device> devices = new LinkedHashMap<>();
    private final Map<String, int[]> shapes = new LinkedHashMap<>();

    PlacementReport(String model, Map<String, Tensor> parameters) {
        this.model = model;
        parameters.forEach((name, p) -> {
            devices.put(name, p.device());
            shapes.put(name, p.shape());
        });
    }

    /** Each parameter's device, by dotted name, in registration order. */
    public Map<String, Device> parameterDevices() {
        return java.util.Collections.unmodifiableMap(devices);
    }

    /** The distinct devices the parameters live on. */
    public Set<Device> devices() {
        return Set.copyOf(devices.values());
    }

    /** Whether the parameters live on more than one device. */
    public boolean isMixed() {
        return devices().size() > 1;
    }

    /** The device holding most parameters (ties: a CUDA device first), or null for no parameters. */
    public Device majorityDevice() {
        Map<Device, Integer> counts = counts();
        return counts.entrySet().stream()
                .max((a, b) -> a.getValue().equals(b.getValue())
                        ? Boolean.compare(a.getKey().isCuda(), b.getKey().isCuda())
                        : Integer.compare(a.getValue(), b.getValue()))
                .map(Map.Entry::getKey).orElse(null);
    }

    private Map<Device, Integer> counts() {
        Map<Device, Integer> counts = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
        devices.values().forEach(d -> counts.merge(d, 1, Integer::sum));
        return counts;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(model).append(": ");
        Device majority = majorityDevice();
        if (devices.isEmpty()) {
            return sb.append("no parameters").toString();
        }
        if (isMixed()) {
            sb.append("MIXED placement: ");
            counts().forEach((d, n) -> sb.append(n).append(" parameter(s) on ").append(d).append(", "));
            sb.setLength(sb.length() - 2);
        } else {
            sb.append("all ").append(devices.size()).append(" parameter(s) on ").append(majority);
        }
        int width = devices.keySet().stream().mapToInt(String::length).max().orElse(0);
        devices.forEach((name, d) -> {
            sb.append('\n').append("  ").append(String.format("%-" + width + "s  %-12s %s", name,
                    Arrays.toString(shapes.get(name)), d));
            if (isMixed() && !d.equals(majority)) {
                sb.append("   <-- not on ").append(majority);
            }
        });
        return sb.toString();
    }
}
