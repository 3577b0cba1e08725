package dev.tensorj.backend.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.backend.Backend;
import dev.tensorj.backend.ScalarType;
import dev.tensorj.backend.Storage;
import org.junit.jupiter.api.Test;

/**
 * The meta backend keeps the {@link Backend} contract that has nothing to do with data: storages of
 * the right type and size, the type checks of the type-generic calls, and a refusal to read values.
 */
class MetaBackendContractTest {
    private final Backend meta = MetaBackend.INSTANCE;

    @Test
    void storagesHaveTheTypeAndSizeAskedForAndNoData() {
        assertStorage(meta.allocate(ScalarType.I64, 7), ScalarType.I64, 7);
        assertStorage(meta.allocateZeroed(ScalarType.BOOL, 5), ScalarType.BOOL, 5);
        assertStorage(meta.allocateZeroed(ScalarType.F32, 0), ScalarType.F32, 0);
        assertStorage(meta.fromHost(new float[3]), ScalarType.F32, 3);
        assertStorage(meta.fromHost(new long[4]), ScalarType.I64, 4);
        assertStorage(meta.fromHost(new boolean[6]), ScalarType.BOOL, 6);
    }

    @Test
    void fillChecksTheStoragesTypeAsTheDevicesWithDataDo() {
        Storage f = meta.allocate(ScalarType.F32, 2);
        Storage l = meta.allocate(ScalarType.I64, 2);
        Storage b = meta.allocate(ScalarType.BOOL, 2);
        meta.fill(f, 1f);
        meta.fill(l, 1L);
        meta.fill(b, true);
        assertFillRefused(() -> meta.fill(l, 1f), "I64", "F32");
        assertFillRefused(() -> meta.fill(b, 1L), "BOOL", "I64");
        assertFillRefused(() -> meta.fill(f, true), "F32", "BOOL");
    }

    @Test
    void readingValuesIsRefused() {
        Storage f = meta.fromHost(new float[] {1f, 2f});
        Storage l = meta.fromHost(new long[] {1, 2});
        Storage b = meta.fromHost(new boolean[] {true, false});
        for (Runnable read : new Runnable[] {() -> meta.toHost(f, new float[2]), () -> meta.toHost(l, new long[2]),
                () -> meta.toHost(b, new boolean[2])}) {
            IllegalStateException e = assertThrows(IllegalStateException.class, read::run);
            assertTrue(e.getMessage().contains("meta storages have no data"), e.getMessage());
        }
    }

    @Test
    void aStorageIsFreedByItsLastRelease() {
        Storage s = meta.allocate(ScalarType.F32, 3);
        s.retain();
        assertEquals(false, s.release());
        assertEquals(true, s.release());
        assertThrows(IllegalStateException.class, s::retain);
    }

    private static void assertStorage(Storage s, ScalarType type, long numel) {
        assertEquals(type, s.type());
        assertEquals(numel, s.numel());
        assertEquals(numel * type.byteSize(), s.bytes());
    }

    private static void assertFillRefused(Runnable fill, String holds, String asked) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, fill::run);
        assertEquals("fill: the storage holds " + holds + " elements, not " + asked, e.getMessage());
    }
}
