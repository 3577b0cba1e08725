package dev.tensorj.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** How sumAxis is split across an H100-sized device (132 SMs), and that the split covers the axis. */
class ReducePlanTest {
    private static final int SMS = 132;

    @Test
    void manyOutputsNeedNoSplit() {
        assertEquals(new ReducePlan(true, 1), ReducePlan.of(100_000, 1024, 1, SMS));
        assertEquals(new ReducePlan(false, 1), ReducePlan.of(256, 1024, 4096, SMS));
    }

    @Test
    void shortRowsAreSummedOneThreadEach() {
        ReducePlan p = ReducePlan.of(1, 32, 1, SMS); // an MSE loss over a batch of 32
        assertFalse(p.rowKernel());
        assertEquals(1, p.chunks());
    }

    @Test
    void aFullSumOfALargeTensorFillsTheDevice() {
        ReducePlan p = ReducePlan.of(1, 100_000_000, 1, SMS);
        assertTrue(p.rowKernel());
        assertEquals(4 * SMS, p.chunks());
        ReducePlan bias = ReducePlan.of(1, 1_000_000, 20, SMS); // a bias gradient over a huge batch
        assertFalse(bias.rowKernel());
        assertTrue(bias.chunks() > 1000, "chunks " + bias.chunks());
    }

    @Test
    void splitsStayWithinTheirCapsAndScratchStaysSmall() {
        Random r = new Random(7);
        for (int i = 0; i < 100_000; i++) {
            long outer = 1 + (long) Math.pow(2, 20 * r.nextDouble());
            int len = 1 + (int) Math.pow(2, 30 * r.nextDouble());
            long inner = 1 + (long) Math.pow(2, 20 * r.nextDouble());
            ReducePlan p = ReducePlan.of(outer, len, inner, SMS);
            assertTrue(p.chunks() >= 1 && p.chunks() <= (p.rowKernel() ? 1024 : 4096));
            assertTrue(p.chunks() == 1 || (long) p.chunks() * (p.rowKernel() ? ReducePlan.MIN_ROW_CHUNK
                    : ReducePlan.MIN_COL_CHUNK) <= len, "chunks too short");
            assertTrue(p.partials(outer, inner) * 8 <= 16L << 20, "scratch " + p.partials(outer, inner) * 8);
        }
    }

    /** The kernels' chunking (per = ceil(len / chunks)) sums every element exactly once. */
    @Test
    void chunksCoverTheAxisExactlyOnce() {
        Random r = new Random(3);
        for (int t = 0; t < 200; t++) {
            int len = 1 + r.nextInt(200_000);
            ReducePlan p = ReducePlan.of(1, len, 1, 1 + r.nextInt(200));
            int[] seen = new int[len];
            long per = (len + p.chunks() - 1) / p.chunks();
            for (int c = 0; c < p.chunks(); c++) {
                for (long l = c * per; l < Math.min(len, (c + 1) * per); l++) {
                    seen[(int) l]++;
                }
            }
            for (int s : seen) {
                assertEquals(1, s);
            }
        }
    }

    /** Axes past 2^31 (whole-tensor sums of 8 GiB and more): the chunks still tile the axis, in 64-bit math. */
    @Test
    void axesPastTwoToThe31AreTiledByTheirChunks() {
        for (long len : new long[] {(1L << 31) + 256, (1L << 33) + 7, 3L * Integer.MAX_VALUE}) {
            for (long inner : new long[] {1, 3}) {
                ReducePlan p = ReducePlan.of(1, len, inner, SMS);
                long per = (len + p.chunks() - 1) / p.chunks();
                assertTrue(p.chunks() > 1, "a single output over " + len + " elements is split");
                assertTrue((long) p.chunks() * per >= len && (p.chunks() - 1) * per < len,
                        "chunks " + p.chunks() + " of " + per + " for " + len);
            }
        }
    }
}
