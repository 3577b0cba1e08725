package dev.tensorj;

import java.util.ArrayList;
import java.util.List;

/**
 * The one place that checks operands before an op runs: every operand present, open and on one
 * device. It runs before any shortcut (empty tensors, scalars) and before anything is allocated,
 * then hands back that device's backend, counting the op there. Backends never re-check.
 */
final class Dispatch {
    private Dispatch() {}

    /** An operand that may be null, such as a layer's bias: pass {@code optional("bias")} as its role. */
    private record OptionalRole(String role) {}

    static Object optional(String role) {
        return new OptionalRole(role);
    }

    /**
     * {@code value}, or a NullPointerException naming the op and the argument ({@code add: other is
     * null}) instead of one from deep inside the op. Also for the non-tensor arguments (devices, shapes).
     */
    static <T> T nonNull(String op, String role, T value) {
        if (value == null) {
            throw new NullPointerException(op + ": " + role + " is null");
        }
        return value;
    }

    static DeviceBackend check(String op, Tensor a) {
        nonNull(op, "input", a);
        a.checkOpen(op, "input");
        return Backends.forOp(a.device());
    }

    static DeviceBackend check(String op, String roleA, Tensor a, String roleB, Tensor b) {
        nonNull(op, roleA, a);
        nonNull(op, roleB, b);
        a.checkOpen(op, roleA);
        b.checkOpen(op, roleB);
        if (!a.device().equals(b.device())) {
            throw new DeviceMismatchException(op, List.of(roleA, roleB), List.of(a.device(), b.device()));
        }
        return Backends.forOp(a.device());
    }

    /**
     * Roles and tensors alternate: {@code "input", x, "weight", w, optional("bias"), b}; a null
     * tensor is an error unless its role is {@link #optional}, and is then skipped.
     */
    static DeviceBackend check(String op, Object... rolesAndTensors) {
        for (int i = 0; i < rolesAndTensors.length; i += 2) {
            if (!(rolesAndTensors[i] instanceof OptionalRole)) {
                nonNull(op, (String) rolesAndTensors[i], rolesAndTensors[i + 1]);
            }
        }
        Device device = null;
        boolean mismatch = false;
        for (int i = 0; i < rolesAndTensors.length; i += 2) {
            Tensor t = (Tensor) rolesAndTensors[i + 1];
            if (t == null) {
                continue;
            }
            t.checkOpen(op, role(rolesAndTensors[i]));
            if (device == null) {
                device = t.device();
            } else if (!device.equals(t.device())) {
                mismatch = true;
            }
        }
        if (mismatch) {
            List<String> roles = new ArrayList<>();
            List<Device> devices = new ArrayList<>();
            for (int i = 0; i < rolesAndTensors.length; i += 2) {
                Tensor t = (Tensor) rolesAndTensors[i + 1];
                if (t != null) {
                    roles.add(role(rolesAndTensors[i]));
                    devices.add(t.device());
                }
            }
            throw new DeviceMismatchException(op, roles, devices);
        }
        return Backends.forOp(device);
    }

    /**
     * Both tensors open and on one device, for a check that runs nothing on the device (so no op is
     * counted there), such as {@code Tensor.setGrad}.
     */
    static void checkSameDevice(String op, String roleA, Tensor a, String roleB, Tensor b) {
        a.checkOpen(op, roleA);
        b.checkOpen(op, roleB);
        if (!a.device().equals(b.device())) {
            throw new DeviceMismatchException(op, List.of(roleA, roleB), List.of(a.device(), b.device()));
        }
    }

    private static String role(Object role) {
        return role instanceof OptionalRole o ? o.role() : (String) role;
    }
}
