package dev.tensorj.backend;

/**
 * The float32 distributions of {@link Backend#random}. Element {@code i} of a draw reads words of
 * the Philox stream of {@code (seed, offset)} ({@link Philox#word}); how many and how they become a
 * float is {@link Philox}'s definition, shared by every backend. The ordinals are mirrored as
 * {@code TJ_*} defines in {@code src/main/cuda/ops.cuh}.
 */
public enum RandomKind {
    /** {@code u·(b - a) + a} in float, {@code u} the uniform of word {@code i} ({@link Philox#uniform}). */
    UNIFORM,
    /**
     * {@code z·b + a} in float (mean {@code a}, standard deviation {@code b}), {@code z} the standard
     * normal of element {@code i} by Box–Muller over words {@code 2j, 2j+1}, {@code j = i/2}: the
     * cosine for even {@code i}, the sine for odd ({@link Philox#normal}).
     */
    NORMAL,
    /**
     * {@code u < a ? b : 0}, {@code u} as for {@link #UNIFORM}: a Bernoulli({@code a}) keep-mask
     * already scaled by {@code b} (dropout's {@code 1/(1-p)}).
     */
    BERNOULLI
}
