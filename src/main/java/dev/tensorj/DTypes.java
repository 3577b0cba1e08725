package dev.tensorj;

import java.util.EnumSet;
import java.util.Set;

/**
 * The dtypes an op takes, as a bit mask of {@link DType#bit}s, passed to {@link Dispatch}: a mask
 * test costs nothing on the per-op hot path (no allocation, no iteration).
 */
final class DTypes {
    private DTypes() {}

    /** Ops with float32 kernels: all arithmetic, reductions, products, losses, autograd. */
    static final int FLOAT32 = DType.FLOAT32.bit;
    /** Ops that move or view data of any dtype: reshape, casts, copies between devices. */
    static final int ANY = DType.FLOAT32.bit | DType.INT64.bit | DType.BOOL.bit;

    static boolean contains(int mask, DType d) {
        return (mask & d.bit) != 0;
    }

    /** The dtypes of {@code mask}, in declaration order. */
    static Set<DType> set(int mask) {
        Set<DType> s = EnumSet.noneOf(DType.class);
        for (DType d : DType.values()) {
            if (contains(mask, d)) {
                s.add(d);
            }
        }
        return s;
    }
}
