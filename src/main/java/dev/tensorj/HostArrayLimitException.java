package dev.tensorj;

import dev.tensorj.backend.cpu.CpuBackend;

/**
 * A tensor has more elements than one Java array ({@code float[]}, {@code long[]},
 * {@code boolean[]}) can hold, so it cannot be a cpu tensor nor be copied to the host
 * ({@code toFloatArray}, {@code to(cpu)}, host-generated random values).
 * CUDA and meta tensors may be larger: reduce them on their device first.
 */
public final class HostArrayLimitException extends TensorjException {
    private final long numel;

    HostArrayLimitException(String op, String message, long numel) {
        super(op, message);
        this.numel = numel;
    }

    /** The element count that did not fit. */
    public long numel() {
        return numel;
    }

    /**
     * {@code numel} as an array length, or this exception when it exceeds
     * {@link CpuBackend#MAX_ELEMENTS}; {@code what} says what was to be made on the host.
     */
    static int check(String op, long numel, int[] shape, String what) {
        if (numel > CpuBackend.MAX_ELEMENTS) {
            throw new HostArrayLimitException(op, what + " of shape " + Shapes.str(shape) + " would hold " + numel
                    + " elements, more than the " + CpuBackend.MAX_ELEMENTS + " that one Java array (and so "
                    + "a cpu tensor or a host copy) can hold; keep it on a cuda device, or reduce it there first",
                    numel);
        }
        return (int) numel;
    }
}
