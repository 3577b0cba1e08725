package dev.tensorj.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.TestDevices;
import dev.tensorj.backend.Backend;
import dev.tensorj.backend.Storage;
import dev.tensorj.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

/**
 * {@code toHost} into an array of the wrong length is an IllegalArgumentException naming both sizes,
 * raised before any copy: the CUDA driver would write {@code numel} floats past a short array's end.
 */
class HostCopyLengthTest {
    private static final float[] VALUES = {1.5f, -2.25f, 3.125f, 0f, -0f, 7e-3f, 1e30f};

    @Test
    void cudaRejectsAHostArrayOfTheWrongLength() {
        TestDevices.requireCuda();
        check(CudaBackends.get(0), "cuda:0");
    }

    @Test
    void cpuRejectsAHostArrayOfTheWrongLength() {
        check(CpuBackend.INSTANCE, "cpu");
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
