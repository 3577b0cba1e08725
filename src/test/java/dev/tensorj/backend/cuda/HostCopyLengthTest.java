package dev.tensorj.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.backend.Backend;
import dev.tensorj.backend.ScalarType;
import dev.tensorj.backend.Storage;
import dev.tensorj.backend.cpu.CpuBackend;
import dev.tensorj.junit.RequiresCuda;
import org.junit.jupiter.api.Test;

/**
 * {@code toHost} into an array of the wrong length is an IllegalArgumentException naming both sizes,
 * raised before any copy: the CUDA driver would write {@code numel} floats past a short array's end.
 */
class HostCopyLengthTest {
    private static final float[] VALUES = {1.5f, -2.25f, 3.125f, 0f, -0f, 7e-3f, 1e30f};

    @Test
    @RequiresCuda
    void cudaRejectsAHostArrayOfTheWrongLength() {
        check(CudaBackends.get(0), "cuda:0");
    }

    @Test
    void cpuRejectsAHostArrayOfTheWrongLength() {
        check(CpuBackend.INSTANCE, "cpu");
    }

    @Test
    @RequiresCuda
    void cudaRejectsHostArraysAndFillsOfAnotherType() {
        checkTypes(CudaBackends.get(0), "cuda:0");
    }

    @Test
    void cpuRejectsHostArraysAndFillsOfAnotherType() {
        checkTypes(CpuBackend.INSTANCE, "cpu");
    }

    /**
     * The type-generic calls check the storage's type: an int64 storage read into a float[] would
     * overrun nothing but give garbage, a bool one (1 byte per element) filled as float would overrun.
     */
    private static void checkTypes(Backend be, String device) {
        long[] longs = {Long.MIN_VALUE, -1, (1L << 53) + 1};
        boolean[] bools = {true, false, true};
        Storage l = be.fromHost(longs);
        Storage b = be.fromHost(bools);
        assertEquals(ScalarType.I64, l.type());
        assertEquals(ScalarType.BOOL, b.type());
        assertEquals(24, l.bytes());
        assertEquals(3, b.bytes());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> be.toHost(l, new float[3]));
        assertTrue(e.getMessage().startsWith("toHost: ") && e.getMessage().contains("I64"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> be.toHost(l, new boolean[3]));
        assertThrows(IllegalArgumentException.class, () -> be.toHost(b, new long[3]));
        assertThrows(IllegalArgumentException.class, () -> be.toHost(l, new long[2]), device + ": length");
        assertThrows(IllegalArgumentException.class, () -> be.toHost(b, new boolean[4]), device + ": length");
        assertThrows(IllegalArgumentException.class, () -> be.fill(b, 1f));
        assertThrows(IllegalArgumentException.class, () -> be.fill(b, 1L));
        assertThrows(IllegalArgumentException.class, () -> be.fill(l, true));
        long[] lo = new long[3];
        be.toHost(l, lo); // intact after the rejected calls
        assertArrayEquals(longs, lo);
        boolean[] bo = new boolean[3];
        be.toHost(b, bo);
        assertArrayEquals(bools, bo);
        l.release();
        b.release();
    }

    private static void check(Backend be, String device) {
        Storage s = be.fromHost(VALUES);
        for (int length : new int[] {0, VALUES.length - 1, VALUES.length + 1, 4 * VALUES.length}) {
            float[] dst = new float[length];
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> be.toHost(s, dst));
            String m = e.getMessage();
            assertTrue(m.startsWith("toHost: ") && m.contains(device) && m.contains(VALUES.length + " elements")
                    && m.contains("has " + length), m);
            assertArrayEquals(new float[length], dst, "nothing was copied into the rejected array");
        }
        float[] right = new float[VALUES.length];
        be.toHost(s, right); // the storage is intact and still copies out
        assertArrayEquals(VALUES, right);
        s.release();
    }
}
