package dev.tensorj;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one place that checks operands before an op runs: every operand present, open, on one
 * device, and of a dtype the op takes (each op passes its {@link DTypes} mask). A device mismatch
 * is reported before a dtype mismatch. It runs before any shortcut (empty tensors, scalars) and
 * before anything is allocated, then hands back that device's backend, counting the op there.
 * Backends never re-check.
 */
final class Dispatch {
    private Dispatch() {}

    /** An operand that may be null, such as a layer's bias: pass {@code optional("bias")} as its role. */
    private record OptionalRole(String role) {}

    static Object optional(String role) {
        return OPTIONAL_ROLES.computeIfAbsent(role, OptionalRole::new); // one per name, not one per call
    }

    /** The few optional roles there are ("bias", ...), made once each. */
    private static final Map<String, OptionalRole> OPTIONAL_ROLES = new ConcurrentHashMap<>();

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

    static DeviceBackend check(String op, int dtypes, Tensor a) {
        return check(op, dtypes, "input", a);
    }

    static DeviceBackend check(String op, int dtypes, String role, Tensor a) {
        nonNull(op, role, a);
        a.checkOpen(op, role);
        if ((a.dtype().bit & dtypes) == 0) {
            throw mismatch(op, dtypes, List.of(role), List.of(a.dtype()), null);
        }
        return Backends.forOp(a.device());
    }

    static DeviceBackend check(String op, int dtypes, String roleA, Tensor a, String roleB, Tensor b) {
        checkSameDevice(op, roleA, a, roleB, b);
        if (((a.dtype().bit | b.dtype().bit) & ~dtypes) != 0) {
            throw mismatch(op, dtypes, List.of(roleA, roleB), List.of(a.dtype(), b.dtype()), null);
        }
        return Backends.forOp(a.device());
    }

    /**
     * The elementwise arithmetic of two tensors (add, sub, mul, div): two float32 tensors, or a
     * float32 tensor with an int64 or bool one, which the op promotes to float32 as PyTorch does.
     */
    static DeviceBackend checkPromoting(String op, String roleA, Tensor a, String roleB, Tensor b) {
        checkSameDevice(op, roleA, a, roleB, b);
        if (a.dtype() != DType.FLOAT32 && b.dtype() != DType.FLOAT32) {
            throw new DTypeMismatchException(op, "float32 tensors, or one float32 tensor with an int64 or bool "
                    + "one (computed in float32)", List.of(roleA, roleB), List.of(a.dtype(), b.dtype()),
                    DTypes.set(DTypes.FLOAT32), "; arithmetic on int64 and bool tensors alone is not supported yet");
        }
        return Backends.forOp(a.device());
    }

    /**
     * Roles and tensors alternate: {@code "input", x, "weight", w, optional("bias"), b}; a null
     * tensor is an error unless its role is {@link #optional}, and is then skipped.
     */
    static DeviceBackend check(String op, int dtypes, Object... rolesAndTensors) {
        return Backends.forOp(verify(op, dtypes, rolesAndTensors));
    }

    /**
     * As {@link #check(String, int, Object...)} for three operands, the third optional or not (a
     * linear layer's input, weight and bias, every forward): operands that pass go through without a
     * varargs array; anything else takes the general check, which reports it.
     */
    static DeviceBackend check(String op, int dtypes, String roleA, Tensor a, String roleB, Tensor b, Object roleC,
                               Tensor c) {
        if (a != null && b != null && (c != null || roleC instanceof OptionalRole)) {
            a.checkOpen(op, roleA); // in verify's order: all present, then each open
            b.checkOpen(op, roleB);
            if (c != null) {
                c.checkOpen(op, role(roleC));
            }
            Device d = a.device();
            int seen = a.dtype().bit | b.dtype().bit | (c == null ? 0 : c.dtype().bit);
            if (d.equals(b.device()) && (c == null || d.equals(c.device())) && (seen & ~dtypes) == 0) {
                return Backends.forOp(d);
            }
        }
        return check(op, dtypes, new Object[] {roleA, a, roleB, b, roleC, c});
    }

    /**
     * The device half of {@link #check(String, int, Object...)}: every operand present, open and on
     * one device, which is returned; nothing is counted. For ops that then check each operand's
     * dtype on its own ({@link #checkDType}) and dispatch with {@link Backends#forOp}.
     */
    static Device sameDevice(String op, Object... rolesAndTensors) {
        return verify(op, DTypes.ANY, rolesAndTensors);
    }

    /** As {@link #sameDevice(String, Object...)} for two operands, without the varargs array (a loss's check). */
    static Device sameDevice(String op, String roleA, Tensor a, String roleB, Tensor b) {
        checkSameDevice(op, roleA, a, roleB, b);
        return a.device();
    }

    private static Device verify(String op, int dtypes, Object... rolesAndTensors) {
        for (int i = 0; i < rolesAndTensors.length; i += 2) {
            if (!(rolesAndTensors[i] instanceof OptionalRole)) {
                nonNull(op, (String) rolesAndTensors[i], rolesAndTensors[i + 1]);
            }
        }
        Device device = null;
        boolean mismatch = false;
        int seen = 0;
        for (int i = 0; i < rolesAndTensors.length; i += 2) {
            Tensor t = (Tensor) rolesAndTensors[i + 1];
            if (t == null) {
                continue;
            }
            t.checkOpen(op, role(rolesAndTensors[i]));
            seen |= t.dtype().bit;
            if (device == null) {
                device = t.device();
            } else if (!device.equals(t.device())) {
                mismatch = true;
            }
        }
        boolean wrongDType = (seen & ~dtypes) != 0;
        if (mismatch || wrongDType) {
            List<String> roles = new ArrayList<>();
            List<Device> devices = new ArrayList<>();
            List<DType> types = new ArrayList<>();
            for (int i = 0; i < rolesAndTensors.length; i += 2) {
                Tensor t = (Tensor) rolesAndTensors[i + 1];
                if (t != null) {
                    roles.add(role(rolesAndTensors[i]));
                    devices.add(t.device());
                    types.add(t.dtype());
                }
            }
            if (mismatch) {
                throw new DeviceMismatchException(op, roles, devices);
            }
            throw mismatch(op, dtypes, roles, types, null);
        }
        return device;
    }

    /**
     * Both tensors present, open and on one device, for a check that runs nothing on the device (so
     * no op is counted there), such as {@code Tensor.setGrad}; also the device half of every check.
     */
    static void checkSameDevice(String op, String roleA, Tensor a, String roleB, Tensor b) {
        nonNull(op, roleA, a);
        nonNull(op, roleB, b);
        a.checkOpen(op, roleA);
        b.checkOpen(op, roleB);
        if (!a.device().equals(b.device())) {
            throw new DeviceMismatchException(op, List.of(roleA, roleB), List.of(a.device(), b.device()));
        }
    }

    /**
     * Checks one open tensor's dtype where no op is dispatched (reading values, requiresGrad); {@code
     * hint}, when not null, is appended to the message.
     */
    static void checkDType(String op, int dtypes, String role, Tensor t, String hint) {
        if ((t.dtype().bit & dtypes) == 0) {
            throw mismatch(op, dtypes, List.of(role), List.of(t.dtype()), hint);
        }
    }

    private static DTypeMismatchException mismatch(String op, int dtypes, List<String> roles, List<DType> types,
                                                   String hint) {
        boolean one = roles.size() == 1;
        String expected = dtypes == DTypes.FLOAT32 ? (one ? "a float32 tensor" : "float32 tensors")
                : (one ? "a tensor of dtype " : "tensors of dtype ") + DTypes.set(dtypes);
        return new DTypeMismatchException(op, expected, roles, types, DTypes.set(dtypes), hint);
    }

    private static String role(Object role) {
        return role instanceof OptionalRole o ? o.role() : (String) role;
    }
}
