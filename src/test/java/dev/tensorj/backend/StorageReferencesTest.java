package dev.tensorj.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A storage shared by several tensors is freed exactly once, by the release of its last reference;
 * a freed storage cannot be revived, and a release too many frees nothing again.
 */
class StorageReferencesTest {

    /** A storage that counts how often its memory was returned. */
    private static final class Counted extends Storage {
        int frees;

        Counted(ScalarType type, long numel) {
            super(type, numel);
        }

        @Override
        protected void free() {
            frees++;
        }
    }

    @Test
    void theLastReleaseFreesOnce() {
        Counted s = new Counted(ScalarType.F32, 10);
        s.retain();
        s.retain();
        assertFalse(s.release());
        assertFalse(s.release());
        assertEquals(0, s.frees);
        assertTrue(s.release());
        assertEquals(1, s.frees);
    }

    @Test
    void aFreedStorageCannotBeRetainedAndAnExtraReleaseFreesNothing() {
        Counted s = new Counted(ScalarType.I64, 3);
        assertTrue(s.release());
        IllegalStateException e = assertThrows(IllegalStateException.class, s::retain);
        assertEquals("storage was already freed", e.getMessage());
        assertThrows(IllegalStateException.class, s::retain, "a failed retain must not count as a reference");
        assertFalse(s.release());
        assertFalse(s.release());
        assertEquals(1, s.frees);
        assertThrows(IllegalStateException.class, s::retain, "extra releases must not bring it back");
    }

    @Test
    void sizesTypesAndTags() {
        Counted s = new Counted(ScalarType.I64, 5);
        assertEquals(ScalarType.I64, s.type());
        assertEquals(5, s.numel());
        assertEquals(40, s.bytes());
        assertEquals(0, s.tag());
        s.tag(42);
        assertEquals(42, s.tag());
        assertEquals(13, new Counted(ScalarType.BOOL, 13).bytes());
        assertEquals(8, new Counted(ScalarType.F32, 2).bytes());
        assertThrows(NullPointerException.class, () -> new Counted(null, 1));
        s.requireType("fill", ScalarType.I64);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.requireType("cast", ScalarType.F32));
        assertEquals("cast: the storage holds I64 elements, not F32", e.getMessage());
    }
}
