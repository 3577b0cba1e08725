package dev.tensorj.backend;

/**
 * The element type of a {@link Storage}, as backends see it (the API's {@code DType} maps onto it
 * privately). The ordinals are passed to the CUDA cast kernel: {@code src/main/cuda/ops.cuh}
 * mirrors them (OpOrdinalsTest checks), so add constants at the end and update the header.
 */
public enum ScalarType {
    /** IEEE 754 binary32. */
    F32(4),
    /** Two's complement 64-bit integer. */
    I64(8),
    /** One byte per element holding 0 or 1. */
    BOOL(1);

    private final int byteSize;

    ScalarType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }
}
