package dev.tensorj;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * An op met a tensor of a dtype it does not take. Thrown by the one operand check ({@code Dispatch})
 * before anything is computed or allocated, after the device check (a placement error is reported
 * first). The message names the op, what it takes, each operand's role and dtype, and the fix, e.g.
 * {@code matmul: expected float32 tensors, got int64 (input) and float32 (other); convert with
 * .to(DType.FLOAT32)}.
 */
public final class DTypeMismatchException extends TensorjException {
    private final List<String> roles;
    private final List<DType> dtypes;
    private final Set<DType> accepted;

    DTypeMismatchException(String op, String expected, List<String> roles, List<DType> dtypes, Set<DType> accepted,
                           String hint) {
        super(op, message(expected, roles, dtypes, accepted, hint));
        this.roles = List.copyOf(roles);
        this.dtypes = List.copyOf(dtypes);
        this.accepted = Collections.unmodifiableSet(EnumSet.copyOf(accepted));
    }

    private static String message(String expected, List<String> roles, List<DType> dtypes, Set<DType> accepted,
                                  String hint) {
        StringBuilder sb = new StringBuilder("expected ").append(expected).append(", got ");
        for (int i = 0; i < roles.size(); i++) {
            if (i > 0) {
                sb.append(i == roles.size() - 1 ? " and " : ", ");
            }
            sb.append(dtypes.get(i)).append(" (").append(roles.get(i)).append(')');
        }
        DType target = accepted.contains(DType.FLOAT32) ? DType.FLOAT32 : accepted.iterator().next();
        sb.append("; convert with .to(DType.").append(target.name()).append(')');
        if (hint != null) {
            sb.append(hint);
        }
        return sb.toString();
    }

    /** The role of each operand, in order ({@code "input"}, {@code "other"}, ...). */
    public List<String> roles() {
        return roles;
    }

    /** The dtype of each operand, in the order of {@link #roles()}. */
    public List<DType> dtypes() {
        return dtypes;
    }

    /** The dtypes the op takes. */
    public Set<DType> accepted() {
        return accepted;
    }
}
