package dev.tensorj.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.CudaTestTally;
import dev.tensorj.backend.BackendException;
import dev.tensorj.backend.ScalarType;
import dev.tensorj.backend.Storage;
import dev.tensorj.junit.LeakCheck;
import dev.tensorj.junit.RequiresCuda;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Test;

/**
 * What the CUDA backend reports about its device and its memory: the device-level calls of
 * {@link CudaBackends}, the raw allocator's answers (out of memory is {@code null}, other failures
 * name the op and the device), and the launch geometry at its edges.
 */
@RequiresCuda
@LeakCheck(tensors = false) // the backend's storages are not tensors: the pool's bytes are what counts
class CudaDeviceStateTest {

    private static CudaContext context() {
        return ((CudaBackend) CudaBackends.get(0)).context();
    }

    @Test
    void aDeviceBeyondTheMachinesIsUnavailableAndNamesTheDevicesThereAre() {
        CudaBackends.get(0);
        int count = CudaStatus.get().deviceCount();
        assertTrue(count >= 1);
        BackendException e = assertThrows(BackendException.class, () -> CudaBackends.get(count));
        assertEquals(BackendException.Kind.UNAVAILABLE, e.kind());
        assertEquals("cannot use cuda:" + count + ": this machine has " + count + " CUDA device(s) (cuda:0 to cuda:"
                + (count - 1) + ")", e.getMessage());
        assertFalse(CudaBackends.started(count), "a failed get creates no backend");
        assertThrows(BackendException.class, () -> CudaBackends.memoryStats(count));
        assertTrue(CudaBackends.started(0));
        assertTrue(CudaBackends.get(0) == CudaBackends.get(0), "one backend per device");
    }

    /** The description names the device, its compute capability (as the driver reports it) and settings. */
    @Test
    void theDescriptionIsTheDriversAnswer() {
        CudaContext ctx = context();
        String d = CudaBackends.describe(0);
        Matcher m = Pattern.compile("cuda:0 \\((.+), compute capability (\\d+)\\.(\\d+), (\\d+) SMs, TF32 (on|off)\\)")
                .matcher(d);
        assertTrue(m.matches(), d);
        assertEquals(ctx.name, m.group(1));
        assertFalse(ctx.name.isEmpty() || ctx.name.indexOf('\0') >= 0, "the name ends at its NUL: " + ctx.name);
        assertEquals(ctx.computeMajor, Integer.parseInt(m.group(2)));
        assertEquals(ctx.computeMinor, Integer.parseInt(m.group(3)));
        assertEquals(ctx.multiprocessors, Integer.parseInt(m.group(4)));
        assertTrue(ctx.multiprocessors >= 1);
        assertEquals(Boolean.getBoolean("tensorj.cuda.tf32") ? "on" : "off", m.group(5));
        if (CudaTestTally.isEmulator(d)) {
            // The emulator's name carries its compute capability: "..., sm_XY)" (README of the emulator).
            Matcher sm = Pattern.compile("sm_(\\d+)(\\d)\\b").matcher(ctx.name);
            assertTrue(sm.find(), ctx.name);
            assertEquals(Integer.parseInt(sm.group(1)), ctx.computeMajor, ctx.name);
            assertEquals(Integer.parseInt(sm.group(2)), ctx.computeMinor, ctx.name);
            assertTrue(ctx.computeMajor > ctx.computeMinor || ctx.computeMinor == 0, ctx.name);
        }
    }

    @Test
    void memoryInfoAndTheCacheAccountForABlock() {
        long[] info = CudaBackends.memoryInfo(0);
        assertEquals(2, info.length);
        assertTrue(info[0] >= 0 && info[0] <= info[1] && info[1] > 0, info[0] + " of " + info[1]);
        Storage s = CudaBackends.get(0).allocate(ScalarType.F32, 3 << 18); // 3 MiB: its own size class
        PoolStats held = CudaBackends.memoryStats(0);
        assertTrue(held.bytesInUse() >= 3 << 20, "" + held);
        s.release();
        PoolStats cached = CudaBackends.memoryStats(0);
        assertEquals(held.bytesInUse() - (3 << 20), cached.bytesInUse(), "" + cached);
        assertTrue(cached.bytesCached() >= 3 << 20, "" + cached);
        long freeBefore = CudaBackends.memoryInfo(0)[0];
        CudaBackends.synchronize(0);
        CudaBackends.emptyCache(0);
        assertEquals(0, CudaBackends.memoryStats(0).bytesCached());
        assertTrue(CudaBackends.memoryInfo(0)[0] >= freeBefore + (3 << 20), "the cache went back to the driver");
    }

    @Test
    void theRawAllocatorAnswersOutOfMemoryWithNullAndNamesOtherFailures() {
        CudaContext ctx = context();
        DeviceMemory raw = new DeviceMemory(ctx);
        long total = raw.memoryInfo()[1];
        assertNull(raw.allocate(total + (1L << 30)), "more than the device holds: null, so that the pool can retry");
        long free = raw.memoryInfo()[0];
        CUdeviceptr p = raw.allocate(1 << 20);
        assertNotNull(p);
        assertTrue(raw.memoryInfo()[0] <= free - (1 << 20));
        // Not the start of an allocation: the driver refuses, and the error names op, device and error.
        BackendException e = assertThrows(BackendException.class, () -> raw.free(p.withByteOffset(256)));
        assertEquals("free", e.op());
        assertEquals(BackendException.Kind.DEVICE_ERROR, e.kind());
        assertEquals("CUDA_ERROR_INVALID_VALUE", e.errorName());
        assertEquals("CUDA_ERROR_INVALID_VALUE on cuda:0", e.getMessage());
        raw.synchronize();
        raw.free(p);
        assertTrue(raw.memoryInfo()[0] >= free, "freed");
    }

    /** Grids are never empty (the driver rejects a zero dimension) and at most a few waves of blocks. */
    @Test
    void launchGeometryAtItsEdges() {
        CudaContext ctx = context();
        CudaKernels k = new CudaKernels(ctx);
        int max = ctx.multiprocessors * 32;
        int b = CudaKernels.BLOCK;
        assertEquals(1, k.grid(0));
        assertEquals(1, k.grid(1));
        assertEquals(1, k.grid(b));
        assertEquals(2, k.grid(b + 1));
        assertEquals(max - 1, k.grid((long) b * (max - 1)));
        assertEquals(max, k.grid((long) b * (max - 1) + 1));
        assertEquals(max, k.grid((long) b * max + 1));
        assertEquals(max, k.grid(1L << 40));
        assertEquals(1, k.gridOfBlocks(0));
        assertEquals(1, k.gridOfBlocks(1));
        assertEquals(max - 1, k.gridOfBlocks(max - 1));
        assertEquals(max, k.gridOfBlocks(max));
        assertEquals(max, k.gridOfBlocks(max + 1L));
        assertEquals(max, k.gridOfBlocks(1L << 40));
    }

    /** A launch with arguments of the wrong kinds is refused before it reaches the driver. */
    @Test
    void aLaunchWithWrongArgumentsIsRefusedWithTheKernelsSignature() {
        CudaKernels k = new CudaKernels(context());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> k.launch(Kernel.FILL_I64, 1, null, 1, 1L));
        assertEquals("kernel tj_fill_i64 takes (pll), got null, Integer, Long", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> k.launch(Kernel.FILL_I64, 1, null, 1L));
        assertThrows(IllegalArgumentException.class, () -> k.launch(Kernel.GATHER, 1, null, null, null, 1L,
                new long[1 + 3 * BroadcastLaunch.MAX_KERNEL_RANK]));
        assertThrows(IllegalArgumentException.class, () -> k.launch(Kernel.STRIDED_COPY, 1, 4, null, null, 1L,
                new long[CudaIndex.PACKED_LONGS]));
    }
}
