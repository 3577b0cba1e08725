package dev.tensorj;

import java.util.List;

/**
 * An op, module or optimizer met tensors on different devices. Thrown before anything is
 * computed or allocated. The message names the op, each operand's role and device, and the fix,
 * e.g. {@code matmul: expected all tensors on one device, got cuda:0 (input) and cpu (weight);
 * move them with .to(cuda:0)}.
 */
public final class DeviceMismatchException extends TensorjException {
    private final List<String> roles;
    private final List<Device> devices;

    DeviceMismatchException(String op, List<String> roles, List<Device> devices) {
        super(op, message(roles, devices));
        this.roles = List.copyOf(roles);
        this.devices = List.copyOf(devices);
    }

    private static String message(List<String> roles, List<Device> devices) {
        StringBuilder sb = new StringBuilder("expected all tensors on one device, got ");
        for (int i = 0; i < roles.size(); i++) {
            if (i > 0) {
                sb.append(i == roles.size() - 1 ? " and " : ", ");
            }
            sb.append(devices.get(i)).append(" (").append(roles.get(i)).append(')');
        }
        return sb.append("; move them with .to(").append(suggestedTarget(devices)).append(")").toString();
    }

    /** A GPU among the operands is almost always where the user meant to run; else the first operand's device. */
    private static Device suggestedTarget(List<Device> devices) {
        return devices.stream().filter(Device::isCuda).findFirst().orElse(devices.get(0));
    }

    /** The role of each operand, in order ({@code "input"}, {@code "weight"}, ...). */
    public List<String> roles() {
        return roles;
    }

    /** The device of each operand, in the order of {@link #roles()}. */
    public List<Device> devices() {
        return devices;
    }
}
