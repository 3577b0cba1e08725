package dev.tensorj.backend.cpu;

import dev.tensorj.backend.BroadcastPlan;

/**
 * How the CPU walks a {@link BroadcastPlan}: row by row along its last (collapsed) dimension, the
 * rows split across cores. The elementwise and comparison kernels share it.
 */
final class CpuPlanWalk {
    private CpuPlanWalk() {}

    /** One output row: {@code len} elements from {@code oOff}, operands at their offsets and strides. */
    interface Row {
        void run(int aOff, int aS, int bOff, int bS, int oOff, int len);
    }

    /** Calls {@code row} for every output row of the plan (its last dimension), split across cores. */
    static void rows(BroadcastPlan plan, int n, Row row) {
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
