package dev.tensorj.backend;

/**
 * What every device implements: storage of contiguous row-major buffers of one {@link ScalarType}
 * each, and kernels over them. The type-generic calls (allocation, host copies, {@link #copy},
 * {@code fill}, {@link #cast}) take every scalar type; all other kernels take {@link ScalarType#F32}
 * storages only.
 *
 * <p>Callers ({@code Tensor}'s ops, after the one device and dtype check) guarantee that every
 * storage passed in lives on this device, has the type the call needs and that sizes agree, so
 * backends never re-check kernels' operands. Kernels may run asynchronously; only {@code toHost}
 * and {@link #synchronize} wait for them. An output storage may be the same object as an input for
 * elementwise kernels (in-place update).
 *
 * <p>Backends know nothing of the public API: a failure is a {@link BackendException}, which the
 * engine turns into the public exception.
 */
public interface Backend {

    /**
     * A new buffer of {@code numel} elements of {@code type}; contents unspecified (a recycled
     * buffer holds whatever it held): for kernels that write every element.
     */
    Storage allocate(ScalarType type, long numel);

    /**
     * A new buffer of {@code numel} zeros ({@code false}) of {@code type}: for what accumulates
     * into its output or leaves part of it unwritten (zeros, scatter-add, the gradient of a slice).
     * By default {@link #allocate} and a fill; a backend whose fresh memory is already zero may
     * skip the fill.
     */
    default Storage allocateZeroed(ScalarType type, long numel) {
        Storage s = allocate(type, numel);
        switch (type) {
            case F32: fill(s, 0f); break;
            case I64: fill(s, 0L); break;
            default: fill(s, false); break;
        }
        return s;
    }

    /** A new {@link ScalarType#F32} buffer holding a copy of {@code data}. */
    Storage fromHost(float[] data);

    /** A new {@link ScalarType#I64} buffer holding a copy of {@code data}. */
    Storage fromHost(long[] data);

    /** A new {@link ScalarType#BOOL} buffer holding a copy of {@code data}. */
    Storage fromHost(boolean[] data);

    /**
     * Copies all of the {@link ScalarType#F32} storage {@code src} into {@code dst}; waits for pending work.
     *
     * @throws IllegalArgumentException unless {@code dst.length == src.numel()} and {@code src} holds
     *     F32 (checked before any copy)
     */
    void toHost(Storage src, float[] dst);

    /** As {@link #toHost(Storage, float[])}, for an {@link ScalarType#I64} storage. */
    void toHost(Storage src, long[] dst);

    /** As {@link #toHost(Storage, float[])}, for a {@link ScalarType#BOOL} storage. */
    void toHost(Storage src, boolean[] dst);

    /** Copies {@code src} into {@code dst}, both on this device, of one type and length. */
    void copy(Storage src, Storage dst);

    /**
     * Sets every element of the {@link ScalarType#F32} storage {@code out} to {@code value}, bit
     * for bit (NaN payloads included).
     *
     * @throws IllegalArgumentException if {@code out} does not hold F32
     */
    void fill(Storage out, float value);

    /**
     * Sets every element of the {@link ScalarType#I64} storage {@code out} to {@code value}.
     *
     * @throws IllegalArgumentException if {@code out} does not hold I64
     */
    void fill(Storage out, long value);

    /**
     * Sets every element of the {@link ScalarType#BOOL} storage {@code out} to {@code value}.
     *
     * @throws IllegalArgumentException if {@code out} does not hold BOOL
     */
    void fill(Storage out, boolean value);

    /**
     * {@code out[i] = (out's type) x[i]} for storages of equal length and any two types (equal types
     * copy). The conversions are Java's, identical on every device: F32 → I64 truncates toward zero,
     * NaN gives 0, values beyond the I64 range (±Inf included) give {@code Long.MAX_VALUE} or
     * {@code Long.MIN_VALUE}; I64 → F32 rounds to nearest, ties to even; anything → BOOL is
     * {@code x != 0} (NaN is true, -0.0 false); BOOL → a number is 0 or 1.
     */
    void cast(Storage x, Storage out);

    /** {@code out[i] = op(x[i])} for every element of {@code out}. */
    void unary(UnaryOp op, Storage x, Storage out);

    /**
     * {@code out[idx] = op(a[idx·aStrides], b[idx·bStrides])} over every index of the plan's
     * (collapsed) shape; a stride of 0 broadcasts. The engine plans once, for every backend.
     */
    void binary(BinaryOp op, Storage a, Storage b, Storage out, BroadcastPlan plan);

    /**
     * {@code out[idx] = op(a[idx·aStrides], b[idx·bStrides])} over the plan's indices, as
     * {@link #binary}, for {@code a} and {@code b} of one scalar type (any of F32, I64, BOOL) and a
     * {@link ScalarType#BOOL} {@code out}, which is never an input.
     */
    void compare(CompareOp op, Storage a, Storage b, Storage out, BroadcastPlan plan);

    /**
     * {@code out[idx] = cond[idx] ? a[idx·aStrides] : b[idx·bStrides]}: {@code cond} is a
     * {@link ScalarType#BOOL} storage laid out as {@code out} (already broadcast to the plan's
     * shape, read at the output's own index), {@code a}, {@code b} and {@code out} F32 and planned as
     * in {@link #binary}; {@code out} is never an input.
     */
    void where(Storage cond, Storage a, Storage b, Storage out, BroadcastPlan plan);

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
     * {@code batch} products as {@link #matmul} in one call: for each {@code i < batch},
     * {@code c[i] = op(a[i])·op(b[i])}, where matrix {@code i} of {@code a} starts at element
     * {@code i·strideA} of its storage (likewise {@code b}, {@code c}). A stride of 0 reuses one
     * matrix for every {@code i} (a broadcast operand); {@code c}'s matrices do not overlap. With
     * {@code k == 0}, {@code c} is zeros. Strides are in elements and may exceed 2^31 on a GPU.
     */
    void matmulBatched(Storage a, Storage b, Storage c, int batch, int m, int n, int k,
                       boolean transA, boolean transB, long strideA, long strideB, long strideC);

    /**
     * {@code out[o, i] = Σ_l x[o, l, i]} for {@code x} viewed as {@code [outer, len, inner]}; each
     * factor, and {@code x}'s length, may exceed 2^31 on a GPU. {@code out} is never {@code x}.
     */
    void sumAxis(Storage x, long outer, long len, long inner, Storage out);

    /**
     * For {@code x} viewed as {@code [outer, len, inner]} with {@code len >= 1}: {@code values[o, i]}
     * the maximum ({@code max}) or minimum of {@code x[o, :, i]} and the {@link ScalarType#I64}
     * {@code indices[o, i]} its position along the axis. The first NaN wins (NaN propagates), else
     * the first of equal extremes. Neither output is {@code x}.
     */
    void extremeAxis(boolean max, Storage x, long outer, long len, long inner, Storage values, Storage indices);

    /**
     * A gather over the positions of {@code plan} ({@link IndexPlan}): {@code out[dense(idx)] =
     * x[indexed(idx, index[idx·indexStrides])]}, {@code out} and {@code x} F32, {@code index}
     * {@link ScalarType#I64}. Every index value lies in range for {@code x}'s dimension (the engine
     * validates them first); positions of {@code out} outside the plan are left as they are.
     * {@code out} is never {@code x}. Offsets may exceed 2^31 on a GPU.
     */
    void gather(Storage x, Storage index, Storage out, IndexPlan plan);

    /**
     * The adjoint of {@link #gather}, a scatter-add: {@code out[indexed(idx, index[idx·indexStrides])]
     * += src[dense(idx)]} over the positions of {@code plan}, {@code out} holding the values added to.
     * Repeated indices accumulate. The order of the float additions into one element is fixed on the
     * CPU (the plan's positions in row-major order); on a GPU (atomic adds) it is not, so sums of
     * three or more terms may differ in the last bits from run to run, as PyTorch's scatter_add and
     * index_add on CUDA. {@code out} is never {@code src}.
     */
    void scatterAdd(Storage src, Storage index, Storage out, IndexPlan plan);

    /**
     * Softmax ({@code log} false) or log-softmax ({@code log} true) of {@code x} viewed as
     * {@code [outer, len, inner]}, along the middle axis, into {@code out} (never {@code x}), in one
     * pass over each row for its maximum and {@code Σ exp(x - max)} (online: the sum is rescaled when
     * the running maximum grows, and accumulated in double) and one pass that writes
     * {@code exp(x - max) / sum} or {@code x - max - log(sum)}. As PyTorch's {@code exp(x - amax(x))}:
     * a row of only -Inf, or holding +Inf or NaN, gives NaN throughout. {@code len >= 1}.
     */
    void softmax(boolean log, Storage x, long outer, long len, long inner, Storage out);

    /**
     * The gradient of {@link #softmax} from its output {@code y} and the incoming gradient
     * {@code g}, laid out as there: {@code gx = y·(g - Σ g·y)} for softmax, {@code gx = g -
     * exp(y)·Σ g} for log-softmax, the sums along the row in double. {@code gx} is neither input.
     */
    void softmaxBackward(boolean log, Storage y, Storage g, long outer, long len, long inner, Storage gx);

    /**
     * Cross-entropy of logits {@code x [n, c]} against {@link ScalarType#I64} class indices
     * {@code target [n]}, each in {@code [0, c)} or equal to {@code ignoreIndex} (the engine has
     * checked), with class weights {@code weight [c]} (null: all 1) and label smoothing ε: per row,
     * with {@code lse = log Σ_j exp(x[j])} and {@code w = weight[target]},
     * {@code loss[r] = w·(lse - x[target])}, and for ε &gt; 0
     * {@code (1-ε)·w·(lse - x[target]) + ε/c·Σ_j weight[j]·(lse - x[j])}; 0 for an ignored row.
     * One pass over each row (as {@link #softmax}), sums in double. {@code stats} ({@code 4·n}
     * F32) receives what {@link #crossEntropyBackward} reads: first the {@code n} target weights
     * (0 where ignored: their sum is "mean"'s divisor), then per row the maximum, {@code log Σ
     * exp(x - max)} and the softmax's coefficient in the gradient. Neither output is an input.
     */
    void crossEntropy(Storage x, Storage target, Storage weight, long n, long c, long ignoreIndex, float smoothing,
            Storage loss, Storage stats);

    /**
     * The gradient of {@link #crossEntropy} (same {@code x}, {@code target}, {@code weight}, ε and
     * the {@code stats} it wrote): {@code gx[r, j] = g_r·(a_r·softmax(x_r)[j] - (1-ε)·w·[j ==
     * target] - ε/c·weight[j])}, 0 for an ignored row, where {@code g_r} is {@code g[r]} when
     * {@code gPerRow}, else {@code g[0]} (a reduced loss's gradient, already divided for "mean").
     * {@code gx} is no input.
     */
    void crossEntropyBackward(Storage x, Storage target, Storage weight, Storage stats, Storage g, boolean gPerRow,
            long n, long c, long ignoreIndex, float smoothing, Storage gx);

    /** {@code out[c, r] = x[r, c]} for {@code x} of {@code rows × cols}; {@code out} is never {@code x}. */
    void transpose(Storage x, int rows, int cols, Storage out);

    /**
     * The strided copy behind the shape ops (permute, expand, narrow, slice, cat, and the
     * gradients that write a region back): {@code dst[dstOffset + idx·plan.bStrides] =
     * src[srcOffset + idx·plan.aStrides]} over every index of the plan's shape, {@code a} being
     * the source and {@code b} the destination. {@code src} and {@code dst} hold one scalar type,
     * any of F32, I64, BOOL (bits are moved, not converted); they are distinct storages, a source
     * stride may be 0 (expand) but no two indices write one destination element. Offsets and
     * strides are in elements and may exceed 2^31 on a GPU.
     */
    void stridedCopy(Storage src, long srcOffset, Storage dst, long dstOffset, BroadcastPlan plan);

    /**
     * Fills the {@link ScalarType#F32} storage {@code out} with samples of {@code kind} (parameters
     * {@code a}, {@code b}) from the Philox stream of {@code (seed, offset)}: element {@code i} reads
     * word {@code i} ({@link Philox}; the normal pairs words {@code 2j, 2j+1}). {@code offset} is a
     * multiple of 4. The same arguments give the same bits on every backend, up to the last-ulp
     * caveat of {@link Philox#normal}.
     */
    void random(RandomKind kind, long seed, long offset, Storage out, float a, float b);

    /**
     * Fills the {@link ScalarType#I64} storage {@code out} with {@code low + (r mod (high - low))}
     * ({@link Philox#randint}), {@code r} the 64 bits of words {@code 2i, 2i+1} of the Philox stream
     * of {@code (seed, offset)}; {@code low < high}, {@code offset} a multiple of 4.
     */
    void randint(long seed, long offset, Storage out, long low, long high);

    /** Waits until every queued kernel has finished (for timing); a no-op where kernels are synchronous. */
    void synchronize();

    /**
     * Layer norm of {@code x} viewed as {@code rows} contiguous rows of {@code len}: per row the mean
     * and {@code rstd = 1/sqrt(var + eps)} (the biased variance), in double from two reads of the row
     * (the mean, then {@code Σ (x - mean)²}, stable for rows far from 0), then {@code out = (x -
     * mean)·rstd} in double rounded to float, times {@code weight[j]} and plus {@code bias[j]} in float
     * where given ({@code len} each; null: skipped). {@code stats} ({@code 3·rows}) receives, for
     * {@link #layerNormBackward}, the means rounded to float, then what that rounding lost (also a
     * float: the two carry the double mean for rows far from 0), then the rstds. No output is an input.
     */
    void layerNorm(Storage x, Storage weight, Storage bias, long rows, long len, float eps, Storage out, Storage stats);

    /**
     * The gradients of {@link #layerNorm} from its input, weight (null without one), the {@code stats}
     * it wrote and the incoming gradient {@code g}, laid out as there. With {@code x̂ = (x - meanHi -
     * meanLo)·rstd} and {@code gy = g·weight[j]} (float): {@code gx = rstd·(gy - mean(gy) -
     * x̂·mean(gy·x̂))}, the row sums in double; {@code gWeight[j] = Σ_r g·x̂} and {@code gBias[j] = Σ_r g}, each column summed
     * in double in row order (deterministic, the same on every backend), either skipped when null.
     * No output is an input.
     */
    void layerNormBackward(Storage x, Storage weight, Storage stats, Storage g, long rows, long len, Storage gx,
            Storage gWeight, Storage gBias);
}
