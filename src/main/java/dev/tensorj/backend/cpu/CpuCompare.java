package dev.tensorj.backend.cpu;

import dev.tensorj.backend.BroadcastPlan;
import dev.tensorj.backend.CompareOp;

/**
 * Comparisons (bool out) and the float select {@code where}, over a {@link BroadcastPlan} walked
 * row by row ({@link CpuPlanWalk}); each row is a strided loop.
 */
final class CpuCompare {
    private CpuCompare() {}

    static void compare(CompareOp op, CpuStorage a, CpuStorage b, CpuStorage out, BroadcastPlan plan) {
        boolean[] o = out.bools;
        switch (a.type()) {
            case F32: {
                float[] x = a.data;
                float[] y = b.data;
                CpuPlanWalk.rows(plan, o.length, (aOff, aS, bOff, bS, oOff, len) -> {
                    for (int i = 0; i < len; i++) o[oOff + i] = op.test(x[aOff + i * aS], y[bOff + i * bS]);
                });
                return;
            }
            case I64: {
                long[] x = a.longs;
                long[] y = b.longs;
                CpuPlanWalk.rows(plan, o.length, (aOff, aS, bOff, bS, oOff, len) -> {
                    for (int i = 0; i < len; i++) o[oOff + i] = op.test(x[aOff + i * aS], y[bOff + i * bS]);
                });
                return;
            }
            case BOOL: {
                boolean[] x = a.bools;
                boolean[] y = b.bools;
                CpuPlanWalk.rows(plan, o.length, (aOff, aS, bOff, bS, oOff, len) -> {
                    for (int i = 0; i < len; i++) o[oOff + i] = op.test(x[aOff + i * aS], y[bOff + i * bS]);
                });
                return;
            }
            default:
                throw new AssertionError(a.type());
        }
    }

    static void where(CpuStorage cond, CpuStorage a, CpuStorage b, CpuStorage out, BroadcastPlan plan) {
        boolean[] c = cond.bools;
        float[] x = a.data;
        float[] y = b.data;
        float[] o = out.data;
        CpuPlanWalk.rows(plan, o.length, (aOff, aS, bOff, bS, oOff, len) -> {
            for (int i = 0; i < len; i++) o[oOff + i] = c[oOff + i] ? x[aOff + i * aS] : y[bOff + i * bS];
        });
    }
}
