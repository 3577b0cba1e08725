package dev.tensorj.backend;

/**
 * What every device implements: storage and kernels over contiguous row-major float32 buffers.
 *
 * <p>Callers ({@code Tensor}'s ops, after the one device check) guarantee that every storage
 * passed in lives on {@link #device()} and that sizes agree, so backends never re-check. Kernels
 * may run asynchronously; only {@link #toHost} and {@link #synchronize} wait for them. An output
 * storage may be the same object as an input for elementwise kernels (in-place update).
 *
 * <p>Backends know nothing of the public API: a failure is a {@link BackendException}, which the
 * engine turns into the public exception.
 */
public interface Backend {

    /** A new buffer of {@code numel} floats; contents unspecified. */
    Storage allocate(long numel);

    /** A new buffer holding a copy of {@code data}. */
    Storage fromHost(float[] data);

    /**
     * Copies all of {@code src} into {@code dst}; waits for pending work.
     *
     * @throws IllegalArgumentException unless {@code dst.length == src.numel()} (checked before any copy)
     */
    void toHost(Storage src, float[] dst);

    /** Copies {@code src} into {@code dst}, both on this device, same length. */
    void copy(Storage src, Storage dst);

    void fill(Storage out, float value);

    /** {@code out[i] = op(x[i])} for every element of {@code out}. */
    void unary(UnaryOp op, Storage x, Storage out);

    /**
     * {@code out[idx] = op(a[idx·aStrides], b[idx·bStrides])} over every index of {@code outShape};
     * a stride of 0 broadcasts that dimension. Strides are in elements, one per output dimension.
     */
    void binary(BinaryOp op, Storage a, long[] aStrides, Storage b, long[] bStrides,
                Storage out, int[] outShape);

    /** {@code out[i] = op(a[i], scalar)}. */
    void binaryScalar(BinaryOp op, Storage a, float scalar, Storage out);

    /**
     * {@code out[i] = y[i] + alpha·x[i]}, the product rounded before the sum (no fused multiply-add),
     * all three of one length; {@code out} may be {@code y} (in-place update).
     */
    void axpy(float alpha, Storage x, Storage y, Storage out);

    /**
     * {@code c[m×n] = op(a) · op(b)} in row-major order, where {@code op(a)} is {@code m×k}
     * ({@code a} stored {@code k×m} when {@code transA}) and {@code op(b)} is {@code k×n}
     * ({@code b} stored {@code n×k} when {@code transB}). With {@code k == 0}, {@code c} is zeros.
     */
    void matmul(Storage a, Storage b, Storage c, int m, int n, int k, boolean transA, boolean transB);

    /**
     * {@code out[o, i] = Σ_l x[o, l, i]} for {@code x} viewed as {@code [outer, len, inner]}; each
     * factor, and {@code x}'s length, may exceed 2^31 on a GPU. {@code out} is never {@code x}.
     */
    void sumAxis(Storage x, long outer, long len, long inner, Storage out);

    /** {@code out[c, r] = x[r, c]} for {@code x} of {@code rows × cols}; {@code out} is never {@code x}. */
    void transpose(Storage x, int rows, int cols, Storage out);

    /**
     * One fused, in-place SGD update of {@code param} (and {@code momentumBuffer} when not null).
     * {@code grad} may be {@code param} itself (a gradient given to backward that shares its memory).
     */
    void sgdStep(Storage param, Storage grad, Storage momentumBuffer, SgdParams p);

    /** Waits until every queued kernel has finished (for timing); a no-op where kernels are synchronous. */
    void synchronize();
}
