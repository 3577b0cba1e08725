package dev.tensorj.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tensorj.backend.ScalarType;
import dev.tensorj.backend.Storage;
import org.junit.jupiter.api.Test;

/**
 * {@code CpuBackend.cast} between every pair of types: Java's conversions (float → int64 toward
 * zero, NaN → 0, saturating; int64 → float to nearest even; anything → bool is {@code != 0}, NaN
 * true and -0 false; bool → 0 or 1), and identity copies within a type.
 */
class CpuCastKernelTest {
    private static final CpuBackend CPU = CpuBackend.INSTANCE;
    private static final float[] FLOATS = {0f, -0f, 1.5f, -2.5f, 0.99f, -0.99f, 3e9f, -3e19f, 1e30f,
            Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 7f};
    private static final long[] LONGS = {0L, 1L, -1L, 16_777_217L, -16_777_219L, Long.MAX_VALUE, Long.MIN_VALUE, 42L, 3L};
    private static final boolean[] BOOLS = {true, false, false, true, true};

    private static Storage cast(Storage x, ScalarType to) {
        Storage out = CPU.allocate(to, x.numel());
        CPU.cast(x, out);
        return out;
    }




    @Test
    void fromFloat() {
        Storage x = CPU.fromHost(FLOATS);
        assertArrayEquals(FLOATS, KernelData.floats(cast(x, ScalarType.F32)));
        assertArrayEquals(new long[] {0, 0, 1, -2, 0, 0, 3_000_000_000L, Long.MIN_VALUE, Long.MAX_VALUE, 0,
                Long.MAX_VALUE, Long.MIN_VALUE, 7}, KernelData.longs(cast(x, ScalarType.I64)));
        assertArrayEquals(new boolean[] {false, false, true, true, true, true, true, true, true, true, true, true, true},
                KernelData.bools(cast(x, ScalarType.BOOL)));
    }

    @Test
    void fromInt64() {
        Storage x = CPU.fromHost(LONGS);
        // 2^24 + 1 rounds to even (2^24), -(2^24 + 3) to -(2^24 + 4); the extremes to ±2^63.
        assertArrayEquals(new float[] {0f, 1f, -1f, 16_777_216f, -16_777_220f, 0x1p63f, -0x1p63f, 42f, 3f},
                KernelData.floats(cast(x, ScalarType.F32)));
        assertArrayEquals(LONGS, KernelData.longs(cast(x, ScalarType.I64)));
        assertArrayEquals(new boolean[] {false, true, true, true, true, true, true, true, true},
                KernelData.bools(cast(x, ScalarType.BOOL)));
    }

    @Test
    void fromBool() {
        Storage x = CPU.fromHost(BOOLS);
        assertArrayEquals(new float[] {1f, 0f, 0f, 1f, 1f}, KernelData.floats(cast(x, ScalarType.F32)));
        assertArrayEquals(new long[] {1, 0, 0, 1, 1}, KernelData.longs(cast(x, ScalarType.I64)));
        assertArrayEquals(BOOLS, KernelData.bools(cast(x, ScalarType.BOOL)));
    }
}
