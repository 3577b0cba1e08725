package dev.tensorj.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.backend.ScalarType;
import dev.tensorj.backend.Storage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The host array pool on its own (a private instance), and the cpu backend's storages over the shared one. */
class CpuArrayPoolTest {
    @Test
    void aGivenArrayIsHandedBackByExactTypeAndLength() {
        CpuArrayPool pool = new CpuArrayPool(1 << 20, false);
        float[] a = (float[]) pool.take(ScalarType.F32, 100);
        pool.give(ScalarType.F32, a, 100);
        assertNotSame(a, pool.take(ScalarType.F32, 99), "another length is another shelf");
        assertEquals(0, pool.reused());
        long[] notFloat = (long[]) pool.take(ScalarType.I64, 100);
        assertNotSame((Object) a, notFloat);
        assertSame(a, pool.take(ScalarType.F32, 100));
        assertEquals(1, pool.reused());
        assertEquals(0, pool.keptBytes());

        pool.give(ScalarType.I64, notFloat, 100);
        boolean[] bools = (boolean[]) pool.take(ScalarType.BOOL, 100);
        pool.give(ScalarType.BOOL, bools, 100);
        assertSame(notFloat, pool.take(ScalarType.I64, 100));
        assertSame(bools, pool.take(ScalarType.BOOL, 100));
    }

    @Test
    void theCapIsRespectedAndWhatDoesNotFitGoesToTheCollector() {
        CpuArrayPool pool = new CpuArrayPool(1000, false); // 250 floats
        float[] a = new float[200];
        float[] b = new float[200];
        pool.give(ScalarType.F32, a, 200);
        pool.give(ScalarType.F32, b, 200); // 1600 bytes would pass the cap
        assertEquals(800, pool.keptBytes());
        assertEquals(1, pool.kept());
        assertEquals(1, pool.dropped());
        assertSame(a, pool.take(ScalarType.F32, 200));
        assertNotSame(b, pool.take(ScalarType.F32, 200));
        pool.give(ScalarType.F32, new float[251], 251);
        assertEquals(0, pool.keptBytes(), "one array larger than the cap is never kept");
    }

    @Test
    void aCapOfZeroTurnsPoolingOff() {
        CpuArrayPool pool = new CpuArrayPool(0, false);
        float[] a = (float[]) pool.take(ScalarType.F32, 10);
        pool.give(ScalarType.F32, a, 10);
        assertNotSame(a, pool.take(ScalarType.F32, 10));
        assertEquals(0, pool.kept());

        CpuArrayPool on = new CpuArrayPool(1 << 20, false);
        on.give(ScalarType.F32, new float[10], 10);
        on.capBytes(0); // turned off at run time: what it held is let go
        assertEquals(0, on.keptBytes());
        on.give(ScalarType.F32, new float[10], 10);
        assertEquals(0, on.keptBytes());
    }

    @Test
    void poisonModeFillsWhatIsHandedOutUninitialisedAndZeroedMeansZeroed() {
        CpuArrayPool pool = new CpuArrayPool(1 << 20, true);
        float[] f = (float[]) pool.take(ScalarType.F32, 5);
        for (float v : f) {
            assertTrue(Float.isNaN(v), "fresh arrays are poisoned too");
        }
        long[] l = (long[]) pool.take(ScalarType.I64, 3);
        assertArrayEquals(new long[] {CpuArrayPool.POISON_LONG, CpuArrayPool.POISON_LONG, CpuArrayPool.POISON_LONG}, l);
        boolean[] b = (boolean[]) pool.take(ScalarType.BOOL, 2);
        assertArrayEquals(new boolean[] {true, true}, b);

        pool.give(ScalarType.F32, f, 5); // dirty (NaN)
        float[] z = (float[]) pool.takeZeroed(ScalarType.F32, 5);
        assertSame(f, z);
        assertArrayEquals(new float[5], z);
        pool.give(ScalarType.I64, l, 3);
        assertArrayEquals(new long[3], (long[]) pool.takeZeroed(ScalarType.I64, 3));
        pool.give(ScalarType.BOOL, b, 2);
        assertArrayEquals(new boolean[2], (boolean[]) pool.takeZeroed(ScalarType.BOOL, 2));

        CpuArrayPool clean = new CpuArrayPool(1 << 20, false);
        float[] dirty = {1, 2, 3};
        clean.give(ScalarType.F32, dirty, 3);
        assertArrayEquals(new float[] {1, 2, 3}, (float[]) clean.take(ScalarType.F32, 3), "uninitialised: as left");
    }

    /** The pom turns poison mode on for every test run, so the whole suite shows that no kernel reads before it writes. */
    @Test
    void theTestRunHandsOutPoisonedArrays() {
        assertTrue(CpuArrayPool.SHARED.poisons(), "run the tests with -Dtensorj.cpu.pool.poison=true (the pom does)");
        Storage s = CpuBackend.INSTANCE.allocate(ScalarType.F32, 3);
        for (float v : CpuBackend.data(s)) {
            assertTrue(Float.isNaN(v));
        }
        assertArrayEquals(new float[3], CpuBackend.data(CpuBackend.INSTANCE.allocateZeroed(ScalarType.F32, 3)));
    }

    @Test
    void aStorageReturnsItsArrayOnceWhenItsLastReferenceIsReleased() {
        int n = 4099; // a length no other test uses, so the shared pool's shelf holds only ours
        long kept = CpuArrayPool.SHARED.kept();
        Storage s = CpuBackend.INSTANCE.allocate(ScalarType.F32, n);
        float[] array = CpuBackend.data(s);
        s.retain(); // a second tensor sharing it
        assertFalse(s.release());
        assertEquals(kept, CpuArrayPool.SHARED.kept(), "one reference is left: nothing recycled");
        assertTrue(s.release());
        assertFalse(s.release(), "a second free of a freed storage does nothing");
        assertEquals(kept + 1, CpuArrayPool.SHARED.kept(), "returned exactly once");
        Storage t = CpuBackend.INSTANCE.allocate(ScalarType.F32, n);
        Storage u = CpuBackend.INSTANCE.fromHost(new float[n]);
        assertSame(array, CpuBackend.data(t));
        assertNotSame(array, CpuBackend.data(u), "one array never serves two live storages");
        assertArrayEquals(new float[n], CpuBackend.data(u));
        Storage z = CpuBackend.INSTANCE.allocateZeroed(ScalarType.F32, n);
        assertArrayEquals(new float[n], CpuBackend.data(z));
    }

    @Test
    void twoThreadsTakingAndGivingNeverShareAnArray() throws Exception {
        CpuArrayPool pool = new CpuArrayPool(1 << 20, false);
        int rounds = 20_000;
        Set<Object> out = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            float mark = t + 1;
            Thread th = new Thread(() -> {
                try {
                    go.await();
                    for (int r = 0; r < rounds; r++) {
                        int len = 16 + (r % 3);
                        float[] a = (float[]) pool.take(ScalarType.F32, len);
                        if (!out.add(a)) {
                            throw new AssertionError("an array was handed out twice");
                        }
                        java.util.Arrays.fill(a, mark);
                        Thread.onSpinWait();
                        for (float v : a) {
                            if (v != mark) {
                                throw new AssertionError("another thread wrote into an array in use");
                            }
                        }
                        out.remove(a);
                        pool.give(ScalarType.F32, a, len);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            th.start();
            threads.add(th);
        }
        go.countDown();
        for (Thread th : threads) {
            th.join();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals(2L * rounds, pool.kept(), "every array given back was kept");
        // Each thread holds one array at a time, so each of the 3 lengths needed at most 2 arrays:
        // all other takes were served by the pool, and what is left on the shelves is those arrays.
        long left = pool.kept() - pool.reused();
        assertTrue(left >= 3 && left <= 6, "arrays left on the shelves: " + left);
        assertTrue(pool.keptBytes() >= left * 16 * 4 && pool.keptBytes() <= left * 18 * 4, "bytes " + pool.keptBytes());
    }
}
