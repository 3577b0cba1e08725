package dev.tensorj;

import java.util.ArrayList;
import java.util.List;

/**
 * The one place that checks operands before an op runs: every operand open and on one device.
 * It runs before any shortcut (empty tensors, scalars) and before anything is allocated, then
 * hands back that device's backend, counting the op there. Backends never re-check.
 */
final class Dispatch {
    private Dispatch() {}

    static DeviceBackend check(String op, Tensor a) {
        a.checkOpen(op, "input");
        return Backends.forOp(a.device());
    }

    static DeviceBackend check(String op, String roleA, Tensor a, String roleB, Tensor b) {
        a.checkOpen(op, roleA);
        b.checkOpen(op, roleB);
        if (!a.device().equals(b.device())) {
            throw new DeviceMismatchException(op, List.of(roleA, roleB), List.of(a.device(), b.device()));
        }
        return Backends.forOp(a.device());
    }

    /** Roles and tensors alternate: {@code "input", x, "weight", w, ...}; null tensors are skipped. */
    static DeviceBackend check(String op, Object... rolesAndTensors) {
        Device device = null;
        boolean mismatch = false;
        for (int i = 0; i < rolesAndTensors.length; i += 2) {
            Tensor t = (Tensor) rolesAndTensors[i + 1];
            if (t == null) {
                continue;
            }
            t.checkOpen(op, (String) rolesAndTensors[i]);
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
                    roles.add((String) rolesAndTensors[i]);
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
}
