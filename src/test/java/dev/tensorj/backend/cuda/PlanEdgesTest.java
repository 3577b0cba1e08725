package dev.tensorj.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

/**
 * The plans behind the row kernels and the sums, exactly at their thresholds: how many threads
 * share a softmax or layer-norm row, which sum kernel runs and how many chunks it cuts the axis into
 * (and so how much scratch it takes from the pool). No GPU needed.
 */
class PlanEdgesTest {
    private static final int SMS = 132;

    /** About 8 elements per thread, a power of two, at most a block; strided rows get one thread. */
    @Test
    void threadsPerRowAtEachDoubling() {
        assertEquals(1, CudaSoftmax.threadsPerRow(1, 1));
        assertEquals(1, CudaSoftmax.threadsPerRow(8, 1));
        assertEquals(2, CudaSoftmax.threadsPerRow(9, 1));
        assertEquals(2, CudaSoftmax.threadsPerRow(16, 1));
        assertEquals(4, CudaSoftmax.threadsPerRow(17, 1));
        assertEquals(128, CudaSoftmax.threadsPerRow(1024, 1));
        assertEquals(256, CudaSoftmax.threadsPerRow(1025, 1));
        assertEquals(256, CudaSoftmax.threadsPerRow(2049, 1));
        assertEquals(CudaKernels.BLOCK, CudaSoftmax.threadsPerRow(1L << 40, 1));
        assertEquals(1, CudaSoftmax.threadsPerRow(5000, 2), "strided columns: one thread per row");
    }

    /** Every row gets its threads: ⌈rows / (BLOCK / threads per row)⌉ blocks before the launch caps them. */
    @Test
    void blocksForRowsPackWholeRowsIntoEachBlock() {
        assertEquals(0, CudaSoftmax.blocksForRows(0, 1));
        assertEquals(1, CudaSoftmax.blocksForRows(1, 1));
        assertEquals(1, CudaSoftmax.blocksForRows(256, 1));
        assertEquals(2, CudaSoftmax.blocksForRows(257, 1));
        assertEquals(1, CudaSoftmax.blocksForRows(4, 64));
        assertEquals(2, CudaSoftmax.blocksForRows(5, 64));
        assertEquals(3, CudaSoftmax.blocksForRows(3, 256));
        assertEquals(1L << 40, CudaSoftmax.blocksForRows(1L << 48, 1));
    }

    @Test
    void theRowKernelStartsAtRowsOf64() {
        assertEquals(new ReducePlan(true, 1), ReducePlan.of(100_000, ReducePlan.ROW_KERNEL_MIN_LEN, 1, SMS));
        assertEquals(new ReducePlan(false, 1), ReducePlan.of(100_000, ReducePlan.ROW_KERNEL_MIN_LEN - 1, 1, SMS));
        assertFalse(ReducePlan.of(100_000, 1000, 2, SMS).rowKernel(), "strided rows: the column kernel");
    }

    /** Enough outputs for the device need no split; fewer take ⌈wanted / outputs⌉ chunks, within the caps. */
    @Test
    void chunksAreTheCeilingOfWhatFillsTheDevice() {
        long rows = 4L * SMS; // the blocks the row kernel wants
        assertEquals(1, ReducePlan.of(rows, 1L << 30, 1, SMS).chunks());
        assertEquals(1, ReducePlan.of(rows + 1, 1L << 30, 1, SMS).chunks());
        assertEquals(2, ReducePlan.of(rows - 1, 1L << 30, 1, SMS).chunks()); // ⌈528 / 527⌉
        assertEquals(132, ReducePlan.of(4, 1L << 30, 1, SMS).chunks());
        assertEquals(106, ReducePlan.of(5, 1L << 30, 1, SMS).chunks()); // ⌈105.6⌉
        // the length caps it: at least MIN_ROW_CHUNK elements per chunk
        assertEquals(3, ReducePlan.of(1, 3 * ReducePlan.MIN_ROW_CHUNK + 1, 1, SMS).chunks());
        assertEquals(1, ReducePlan.of(1, ReducePlan.MIN_ROW_CHUNK - 1 + 64, 1, SMS).chunks());
        assertEquals(1024, ReducePlan.of(1, 1L << 40, 1, 1000).chunks()); // and so does the cap
        long threads = 2048L * SMS; // the threads the column kernel wants
        assertEquals(1, ReducePlan.of(1, 1L << 30, threads, SMS).chunks());
        assertEquals(4096, ReducePlan.of(1, 1L << 30, 3, SMS).chunks());
        assertEquals(7, ReducePlan.of(1, 7 * ReducePlan.MIN_COL_CHUNK + 5, 3, SMS).chunks());
    }

    /** The scratch a split sum takes: one double per chunk of each output, none without a split. */
    @Test
    void scratchIsOneDoublePerChunkOfEachOutput() {
        ReducePlan split = ReducePlan.of(2, 1L << 30, 3, SMS);
        assertEquals(2L * split.chunks() * 3, split.partials(2, 3));
        assertEquals(0, ReducePlan.of(1, 10, 1, SMS).partials(1, 1));
        assertEquals(0, new ReducePlan(false, 1).partials(7, 9));
    }
}
