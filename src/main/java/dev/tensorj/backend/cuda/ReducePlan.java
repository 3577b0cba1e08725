package dev.tensorj.backend.cuda;

/**
 * How to split {@code sumAxis(outer, len, inner)} across the GPU. With many outputs each thread
 * or block makes one; with few outputs and a long axis, the axis is cut into {@code chunks} whose
 * double partials a second kernel adds, so that a full-tensor sum still fills the device.
 *
 * @param rowKernel one block per row with a shared-memory tree ({@code inner == 1} and rows long
 *                  enough to keep a block busy), else one thread per output column
 * @param chunks    pieces the axis is cut into; 1 means the first kernel writes the result
 */
record ReducePlan(boolean rowKernel, int chunks) {
    /** Shorter rows are summed by one thread each: a 256-thread block would sit mostly idle. */
    static final int ROW_KERNEL_MIN_LEN = 64;
    /** Elements per chunk, at least: below this a split costs more than it saves. */
    static final long MIN_ROW_CHUNK = 4096;
    static final long MIN_COL_CHUNK = 64;

    static ReducePlan of(long outer, long len, long inner, int multiprocessors) {
        int sms = Math.max(1, multiprocessors);
        if (inner == 1 && len >= ROW_KERNEL_MIN_LEN) {
            long wantBlocks = 4L * sms;
            return new ReducePlan(true, split(outer, wantBlocks, len / MIN_ROW_CHUNK, 1024));
        }
        long wantThreads = 2048L * sms;
        return new ReducePlan(false, split(outer * inner, wantThreads, len / MIN_COL_CHUNK, 4096));
    }

    private static int split(long units, long want, long maxByLength, int cap) {
        if (units >= want) {
            return 1;
        }
        long c = Math.min((want + units - 1) / units, Math.min(maxByLength, cap));
        return (int) Math.max(1, c);
    }

    /** Doubles of scratch the split needs ({@code [outer, chunks, inner]}), 0 without a split. */
    long partials(long outer, long inner) {
        return chunks == 1 ? 0 : outer * chunks * inner;
    }
}
