package dev.tensorj.backend.cpu;

import dev.tensorj.backend.BroadcastPlan;
import dev.tensorj.backend.CompareOp;

/**
 * Comparisons (bool out) and the float select {@code where}, over a {@link BroadcastPlan}: the plan
 * is walked row by row, as {@link CpuElementwise#binary} does, and each row is a strided loop.
 */
final class CpuCompare {
    private CpuCompare() {}

    /** One output row: {@code len} elements from {@code oOff}, operands at their offsets and strides. */
    private interface Row {
        void run(int aOff, int aS, int bOff, int bS, int oOff, int len);
    }

    static void compare(CompareOp op, CpuStorage a, CpuStorage b, CpuStorage out, BroadcastPlan plan) {
        boolean[] o = out.bools;
        switch (a.type()) {
            case F32: {
                float[] x = a.data;
                float[] y = b.data;
                walk(plan, o.length, (aOff, aS, bOff, bS, oOff, len) -> {
                    for (int i = 0; i < len; i++) o[oOff + i] = op.test(x[aOff + i * aS], y[bOff + i * bS]);
                });
                return;
            }
            case I64: {
                long[] x = a.longs;
                long[] y = b.longs;
                walk(plan, o.length, (aOff, aS, bOff, bS, oOff, len) -> {
                    for (int i = 0; i < len; i++) o[oOff + i] = op.test(x[aOff + i * aS], y[bOff + i * bS]);
                });
                return;
            }
            case BOOL: {
                boolean[] x = a.bools;
                boolean[] y = b.bools;
                walk(plan, o.length, (aOff, aS, bOff, bS, oOff, len) -> {
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
        walk(plan, o.length, (aOff, aS, bOff, bS, oOff, len) -> {
            for (int i = 0; i < len; i++) o[oOff + i] = c[oOff + i] ? x[aOff + i * aS] : y[bOff + i * bS];
        });
    }

    /** Calls {@code row} for every output row of the plan (its last dimension), split across cores. */
    private static void walk(BroadcastPlan plan, int n, Row row) {
        int rank = plan.rank();
        if (n == 0) {
            return;
        }
        if (rank == 0) { // a single element
            row.run(0, 0, 0, 0, 0, 1);
            return;
        }
        long[] as = plan.aStrides;
        long[] bs = plan.bStrides;
        if (rank == 1) {
            int aIn = (int) as[0];
            int bIn = (int) bs[0];
            CpuThreads.parallelFor(n, CpuThreads.PARALLEL_MIN_ELEMENTS,
                    (from, to) -> row.run(from * aIn, aIn, from * bIn, bIn, from, to - from));
            return;
        }
        int[] shape = new int[rank];
        for (int d = 0; d < rank; d++) {
            shape[d] = (int) plan.shape[d]; // a cpu tensor's sizes fit an int
        }
        int inner = shape[rank - 1];
        int aIn = (int) as[rank - 1];
        int bIn = (int) bs[rank - 1];
        int rows = n / inner;
        CpuThreads.parallelFor(rows, Math.max(1, CpuThreads.PARALLEL_MIN_ELEMENTS / inner), (from, to) -> {
            int[] idx = new int[rank - 1];
            int rem = from;
            for (int d = rank - 2; d >= 0; d--) {
                idx[d] = rem % shape[d];
                rem /= shape[d];
            }
            for (int r = from; r < to; r++) {
                long aOff = 0;
                long bOff = 0;
                for (int d = 0; d < rank - 1; d++) {
                    aOff += idx[d] * as[d];
                    bOff += idx[d] * bs[d];
                }
                row.run((int) aOff, aIn, (int) bOff, bIn, r * inner, inner);
                for (int d = rank - 2; d >= 0; d--) {
                    if (++idx[d] < shape[d]) {
                        break;
                    }
                    idx[d] = 0;
                }
            }
        });
    }
}
