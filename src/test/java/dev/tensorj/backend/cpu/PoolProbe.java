package dev.tensorj.backend.cpu;

import dev.tensorj.backend.Storage;

/**
 * The host array pool as tests and benchmarks in other packages see it: its counters, its cap,
 * and the array behind a cpu storage (to tell whether the pool handed one back).
 */
public final class PoolProbe {
    private PoolProbe() {}

    /** The array behind a cpu storage. */
    public static Object array(Storage s) {
        return ((CpuStorage) s).array();
    }

    /** Arrays the pool handed out again so far. */
    public static long reused() {
        return CpuArrayPool.SHARED.reused();
    }

    /** Arrays the pool took in so far. */
    public static long kept() {
        return CpuArrayPool.SHARED.kept();
    }

    /** Bytes the pool holds now. */
    public static long keptBytes() {
        return CpuArrayPool.SHARED.keptBytes();
    }

    public static long capBytes() {
        return CpuArrayPool.SHARED.capBytes();
    }

    /** Sets the cap; 0 turns pooling off. */
    public static void capBytes(long bytes) {
        CpuArrayPool.SHARED.capBytes(bytes);
    }

    /** Whether arrays handed out uninitialised are poisoned in this JVM. */
    public static boolean poisons() {
        return CpuArrayPool.SHARED.poisons();
    }
}
