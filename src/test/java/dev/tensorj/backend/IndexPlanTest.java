package dev.tensorj.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** How an {@link IndexPlan} collapses: dims every side steps through as one merge, the indexed dim never. */
class IndexPlanTest {

    @Test
    void indexSelectBecomesOuterKInner() {
        // x [2, 3, 5, 4], 7 indices along dim 2: out [2, 3, 7, 4]
        IndexPlan p = IndexPlan.of(new int[] {2, 3, 7, 4}, 2, new long[] {0, 0, 1, 0}, new long[] {84, 28, 4, 1},
                new long[] {60, 20, 4, 1});
        assertArrayEquals(new long[] {6, 7, 4}, p.shape);
        assertEquals(1, p.dim);
        assertArrayEquals(new long[] {0, 1, 0}, p.indexStrides);
        assertArrayEquals(new long[] {28, 4, 1}, p.denseStrides);
        assertArrayEquals(new long[] {20, 4, 1}, p.indexedStrides);
        assertEquals(168, p.numel);
    }

    @Test
    void aSmallerIndexKeepsItsDimsApartAndSizeOneDimsDrop() {
        // gather along dim 1 of x [4, 3, 1, 5] with index [4, 6, 1, 3]: the size-1 dim drops, the
        // indexed dim merges with neither neighbour, and x's last dim keeps its own stride
        IndexPlan p = IndexPlan.of(new int[] {4, 6, 1, 3}, 1, new long[] {18, 3, 3, 1}, new long[] {18, 3, 3, 1},
                new long[] {15, 5, 5, 1});
        assertArrayEquals(new long[] {4, 6, 3}, p.shape);
        assertArrayEquals(new long[] {15, 5, 1}, p.indexedStrides);
        IndexPlan q = p.without(0);
        assertArrayEquals(new long[] {6, 3}, q.shape);
        assertEquals(0, q.dim);
        assertArrayEquals(new long[] {3, 1}, q.indexStrides);
        assertThrows(IllegalArgumentException.class, () -> p.without(1));
    }

    @Test
    void aSizeOneIndexedDimStays() {
        IndexPlan p = IndexPlan.of(new int[] {3, 1}, 1, new long[] {1, 1}, new long[] {1, 1}, new long[] {4, 1});
        assertArrayEquals(new long[] {3, 1}, p.shape);
        assertEquals(1, p.dim);
    }
}
