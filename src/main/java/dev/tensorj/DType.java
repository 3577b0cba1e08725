package dev.tensorj;

import dev.tensorj.backend.ScalarType;

/**
 * The element type of a {@link Tensor}, as PyTorch's {@code torch.dtype}; {@link #toString()} gives
 * PyTorch's name ({@code float32}, {@code int64}, {@code bool}). Every dtype lives on every device
 * (cpu, cuda, meta); which ops take which dtype is stated per op, and an op given another dtype
 * throws {@link DTypeMismatchException} before it computes anything:
 * <ul>
 *   <li>{@link #FLOAT32}: every op.
 *   <li>{@link #INT64} and {@link #BOOL}: creation, reading, {@link Tensor#to(DType)},
 *       {@link Tensor#to(Device)}, {@link Tensor#reshape}, {@link Tensor#detach()},
 *       {@link Tensor#clone()}; and as one operand of {@code add(Tensor)}, {@code sub}, {@code mul},
 *       {@code div} with a float32 tensor, where (as in PyTorch) the op computes in float32; the
 *       comparisons ({@link Tensor#eq(Tensor)} and the like), logical ops and
 *       {@link Tensor#logicalNot()}, giving bool tensors. No other
 *       arithmetic yet (in-place ops, {@code add(other, alpha)} and {@code copy_} take float32).
 * </ul>
 * Only floating point tensors can require gradients.
 */
public enum DType {
    /** 32-bit IEEE 754 floating point, PyTorch's default dtype ({@code torch.float32}). */
    FLOAT32(ScalarType.F32, true, "float32"),
    /** 64-bit signed integer ({@code torch.int64}, {@code torch.long}), the dtype of Java {@code long}s and {@code int}s. */
    INT64(ScalarType.I64, false, "int64"),
    /** Boolean, stored as one byte per element ({@code torch.bool}). */
    BOOL(ScalarType.BOOL, false, "bool");

    /** How the backends store it: the SPI has its own element type, so backends never see the API. */
    private final ScalarType scalarType;
    private final boolean floatingPoint;
    private final String pytorchName;
    /** This dtype's bit in the accepted-dtype masks of {@link Dispatch} ({@link DTypes}). */
    final int bit = 1 << ordinal();

    DType(ScalarType scalarType, boolean floatingPoint, String pytorchName) {
        this.scalarType = scalarType;
        this.floatingPoint = floatingPoint;
        this.pytorchName = pytorchName;
    }

    /** Bytes per element: 4, 8 and 1. */
    public int byteSize() {
        return scalarType.byteSize();
    }

    /** Whether this is a floating point dtype (one that can require gradients), as {@code torch.dtype.is_floating_point}. */
    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /** PyTorch's name: {@code float32}, {@code int64} or {@code bool}. */
    @Override
    public String toString() {
        return pytorchName;
    }

    ScalarType scalarType() {
        return scalarType;
    }

    /** The dtype of a storage of {@code t}. */
    static DType of(ScalarType t) {
        switch (t) {
            case F32: return FLOAT32;
            case I64: return INT64;
            case BOOL: return BOOL;
            default: throw new AssertionError(t);
        }
    }
}
