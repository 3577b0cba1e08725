package dev.tensorj.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Philox4x32-10 against Random123's known answers, and the word-to-sample maps of {@link Philox}. */
class PhiloxTest {

    /** Random123's tests/kat_vectors, the three {@code philox4x32 10} lines: counter[4] key[2] → result[4]. */
    @Test
    void knownAnswersOfRandom123() {
        int[][] kat = {
            {0, 0, 0, 0, 0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
            {-1, -1, -1, -1, -1, -1, 0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
            {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0,
                0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
        };
        for (int[] v : kat) {
            int[] out = new int[4];
            Philox.block(v[0], v[1], v[2], v[3], v[4], v[5], out);
            assertArrayEquals(java.util.Arrays.copyOfRange(v, 6, 10), out, java.util.Arrays.toString(v));
        }
    }

    @Test
    void theStreamIsTheBlockOfOffsetOverFourPlusIndex() {
        long seed = 0x1234_5678_9abc_def0L;
        int[] expected = new int[4];
        // word 4·3 + 2 of the stream at offset 8: block 8/4 + 3 = 5, lane 2
        Philox.block(5, 0, 0, 0, 0x9abcdef0, 0x12345678, expected);
        assertEquals(expected[2], Philox.word(seed, 8, 14));
        // a counter past 2^32 carries into the second word
        Philox.block(1, 1, 0, 0, 0x9abcdef0, 0x12345678, expected);
        assertEquals(expected[3], Philox.word(seed, 4L * 0xffff_ffffL, 4 * 2 + 3));
        assertNotEquals(Philox.word(seed, 0, 0), Philox.word(seed + 1, 0, 0), "the seed's low word is the key");
        assertNotEquals(Philox.word(seed, 0, 0), Philox.word(seed + (1L << 32), 0, 0), "so is its high word");
    }

    @Test
    void uniformIsTheTop24BitsTimesTwoToTheMinus24() {
        assertEquals(0f, Philox.uniform(0));
        assertEquals(0f, Philox.uniform(0xff), "the low 8 bits are dropped");
        assertEquals(0.5f, Philox.uniform(0x8000_0000));
        assertEquals(1f - 0x1p-24f, Philox.uniform(-1), "the largest is 1 - 2^-24 < 1");
    }

    @Test
    void normalIsBoxMullerInDouble() {
        // u1 = (w0 + 1)·2^-32, u2 = w1·2^-32
        int w0 = 0x4000_0000;
        int w1 = 0x2000_0000;
        double u1 = (0x4000_0000L + 1.0) / 4294967296.0;
        double r = Math.sqrt(-2 * Math.log(u1));
        double theta = 2 * Math.PI * 0.125;
        assertEquals((float) (r * Math.cos(theta)), Philox.normal(w0, w1, false), 1e-6f);
        assertEquals((float) (r * Math.sin(theta)), Philox.normal(w0, w1, true), 1e-6f);
        assertEquals(0f, Philox.normal(-1, 0, true), 0f, "u1 = 1: radius 0 (-0: √(-2·0) is √-0)");
        float tail = Philox.normal(0, 0, false); // u1 = 2^-32, the largest radius
        assertEquals(Math.sqrt(64 * Math.log(2)), tail, 1e-5);
        assertTrue(Float.isFinite(tail));
    }

    @Test
    void randintTakesTheUnsigned64BitsModuloTheRange() {
        assertEquals(-3 + 5, Philox.randint(5, 0, -3, 4), "5 mod 7");
        assertEquals(10 + (0x1_0000_0000L % 3), Philox.randint(0, 1, 10, 13), "w1 is the high word");
        // the full int64 range: r mod (2^64 - 1) added to Long.MIN_VALUE
        assertEquals(Long.MIN_VALUE + 7, Philox.randint(7, 0, Long.MIN_VALUE, Long.MAX_VALUE));
        assertEquals(Long.MIN_VALUE, Philox.randint(-1, -1, Long.MIN_VALUE, Long.MAX_VALUE), "2^64 - 1 mod itself");
        long big = Philox.randint(-2, -1, 0, Long.MAX_VALUE); // r = 2^64 - 2 as unsigned
        assertEquals(Long.remainderUnsigned(-2L, Long.MAX_VALUE), big);
        assertTrue(big >= 0);
    }
}
