package dev.tensorj.backend.cpu;

/**
 * {@link CpuBackend#cast}: Java's own conversions, which the CUDA kernel ({@code tj_cast} in
 * src/main/cuda/dtype.cu) reproduces bit for bit. float → long is Java's {@code (long)}: toward
 * zero, NaN → 0, saturating at the long range (±Inf included); long → float rounds to nearest even;
 * anything → boolean is {@code != 0} (NaN true, -0.0 false); boolean → 0 or 1.
 */
final class CpuCast {
    private CpuCast() {}

    static void cast(CpuStorage x, CpuStorage out) {
        int n = (int) out.numel();
        switch (x.type()) {
            case F32: {
                float[] a = x.data;
                switch (out.type()) {
                    case F32: System.arraycopy(a, 0, out.data, 0, n); return;
                    case I64: for (int i = 0; i < n; i++) out.longs[i] = (long) a[i]; return;
                    case BOOL: for (int i = 0; i < n; i++) out.bools[i] = a[i] != 0f; return;
                    default: throw new AssertionError(out.type());
                }
            }
            case I64: {
                long[] a = x.longs;
                switch (out.type()) {
                    case F32: for (int i = 0; i < n; i++) out.data[i] = (float) a[i]; return;
                    case I64: System.arraycopy(a, 0, out.longs, 0, n); return;
                    case BOOL: for (int i = 0; i < n; i++) out.bools[i] = a[i] != 0L; return;
                    default: throw new AssertionError(out.type());
                }
            }
            case BOOL: {
                boolean[] a = x.bools;
                switch (out.type()) {
                    case F32: for (int i = 0; i < n; i++) out.data[i] = a[i] ? 1f : 0f; return;
                    case I64: for (int i = 0; i < n; i++) out.longs[i] = a[i] ? 1L : 0L; return;
                    case BOOL: System.arraycopy(a, 0, out.bools, 0, n); return;
                    default: throw new AssertionError(out.type());
                }
            }
            default:
                throw new AssertionError(x.type());
        }
    }
}
