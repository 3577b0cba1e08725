package dev.tensorj.backend.cuda;

import dev.tensorj.backend.BroadcastPlan;

/**
 * How the general broadcast kernel takes a {@link BroadcastPlan}: at most {@link #MAX_KERNEL_RANK}
 * collapsed dimensions go to the kernel (packed into its {@code BcastArgs} struct); any outer ones
 * loop on the host, one launch each.
 */
final class BroadcastLaunch {
    /** The general kernel handles this many (collapsed) dimensions; more loop on the host. */
    static final int MAX_KERNEL_RANK = 8;

    private BroadcastLaunch() {}

    /** Dimensions looped over on the host, in front of the ones the kernel handles. */
    static int hostDims(BroadcastPlan p) {
        return Math.max(0, p.shape.length - MAX_KERNEL_RANK);
    }

    /** Elements per kernel launch: the product of the kernel's dimensions. */
    static long kernelNumel(BroadcastPlan p) {
        long n = 1;
        for (int d = hostDims(p); d < p.shape.length; d++) {
            n *= p.shape[d];
        }
        return n;
    }

    /**
     * The kernel's {@code BcastArgs} struct as 25 longs: rank, then shape, a strides and b strides
     * of the last {@code rank - hostDims(p)} dimensions, each padded to {@link #MAX_KERNEL_RANK}.
     */
    static long[] pack(BroadcastPlan p) {
        int from = hostDims(p);
        int kr = p.shape.length - from;
        long[] packed = new long[1 + 3 * MAX_KERNEL_RANK];
        packed[0] = kr;
        for (int i = 0; i < kr; i++) {
            packed[1 + i] = p.shape[from + i];
            packed[1 + MAX_KERNEL_RANK + i] = p.aStrides[from + i];
            packed[1 + 2 * MAX_KERNEL_RANK + i] = p.bStrides[from + i];
        }
        return packed;
    }

    /**
     * For launch {@code launch} of the host loop (row-major over the host dimensions): the element
     * offsets of a, b and out.
     */
    static long[] hostOffsets(BroadcastPlan p, long launch) {
        long aOff = 0;
        long bOff = 0;
        long rem = launch;
        for (int d = hostDims(p) - 1; d >= 0; d--) {
            long idx = rem % p.shape[d];
            rem /= p.shape[d];
            aOff += idx * p.aStrides[d];
            bOff += idx * p.bStrides[d];
        }
        return new long[] {aOff, bOff, launch * kernelNumel(p)};
    }

    /** Launches the host loop makes: 1 unless the collapsed rank exceeds {@link #MAX_KERNEL_RANK}. */
    static long hostLaunches(BroadcastPlan p) {
        long n = 1;
        for (int d = 0; d < hostDims(p); d++) {
            n *= p.shape[d];
        }
        return n;
    }
}
