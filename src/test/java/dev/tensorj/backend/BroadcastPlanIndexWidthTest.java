package dev.tensorj.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Whether a plan's loop may use 32-bit index math ({@link BroadcastPlan#fitsInt}): exactly when the
 * element count and the largest offset each operand reaches are at most {@code Integer.MAX_VALUE};
 * one more and a kernel must use 64-bit indices, or it would wrap and read the wrong elements.
 */
class BroadcastPlanIndexWidthTest {
    private static final int MAX = Integer.MAX_VALUE;

    @Test
    void theElementCountMayReachTheLargestIntButNotPassIt() {
        BroadcastPlan largest = BroadcastPlan.of(new int[] {MAX}, new long[] {1}, new long[] {1});
        assertEquals(MAX, largest.numel);
        assertTrue(largest.fitsInt());
        // [2, 2^30] contiguous merges into one loop of 2^31 elements
        BroadcastPlan over = BroadcastPlan.of(new int[] {2, 1 << 30}, new long[] {1 << 30, 1}, new long[] {1 << 30, 1});
        assertArrayEquals(new long[] {1L << 31}, over.shape);
        assertEquals(1, over.rank());
        assertFalse(over.fitsInt());
    }

    @Test
    void eachOperandsLargestOffsetMayReachTheLargestIntButNotPassIt() {
        // A [2, 3] loop reaching offset s0 + 2 of an operand whose rows lie s0 elements apart.
        long atLimit = MAX - 2L;
        assertTrue(BroadcastPlan.of(new int[] {2, 3}, new long[] {atLimit, 1}, new long[] {3, 1}).fitsInt());
        assertTrue(BroadcastPlan.of(new int[] {2, 3}, new long[] {3, 1}, new long[] {atLimit, 1}).fitsInt());
        assertFalse(BroadcastPlan.of(new int[] {2, 3}, new long[] {atLimit + 1, 1}, new long[] {3, 1}).fitsInt());
        assertFalse(BroadcastPlan.of(new int[] {2, 3}, new long[] {3, 1}, new long[] {atLimit + 1, 1}).fitsInt());
        // the count of a dimension, not its index range, would overstate the offset: size - 1 steps
        assertTrue(BroadcastPlan.of(new int[] {3, 2}, new long[] {MAX / 2, 0}, new long[] {0, 1}).fitsInt());
    }

    @Test
    void aRowPlanReportsItsRankAndColumns() {
        BroadcastPlan bias = BroadcastPlan.of(new int[] {4, 1, 6}, new long[] {6, 6, 1}, new long[] {0, 0, 1});
        assertEquals(BroadcastPlan.Kind.B_ROW, bias.kind);
        assertEquals(2, bias.rank());
        assertEquals(6, bias.cols());
        assertEquals(24, bias.numel);
        assertArrayEquals(new long[] {6, 1}, bias.aStrides);
        assertArrayEquals(new long[] {0, 1}, bias.bStrides);
    }
}
