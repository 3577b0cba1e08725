package dev.tensorj.backend;

/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11; the generator
 * of cuRAND's and PyTorch's CUDA philox), and the one definition of how tensorj turns its words into
 * samples. The CPU backend, the CUDA kernels ({@code src/main/cuda/random.cu}) and the host-drawn
 * {@code randperm} follow it, so a seed gives the same tensor on every device.
 *
 * <p>The stream of {@code (seed, offset)}: word {@code n} is lane {@code n % 4} of the Philox block
 * with key {@code (seed low, seed high)} and counter {@code (c, c >>> 32, 0, 0)}, {@code c = offset/4
 * + n/4}; offsets are multiples of 4, so a draw starts on a block of its own.
 */
public final class Philox {
    private static final long M0 = 0xD2511F53L;
    private static final long M1 = 0xCD9E8D57L;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;
    private static final long LOW32 = 0xFFFFFFFFL;
    /** 2π in double, the same literal as random.cu's. */
    private static final double TWO_PI = 6.283185307179586;

    /** The words one float sample consumes (a normal pair takes two words for two samples). */
    public static final int WORDS_PER_FLOAT = 1;
    /** The words one int64 sample ({@link Backend#randint}) consumes: one 64-bit draw. */
    public static final int WORDS_PER_INT64 = 2;

    private Philox() {}

    /**
     * The ten rounds of Philox4x32 on the counter {@code (c0, c1, c2, c3)} with key {@code (k0, k1)};
     * the four output words go to {@code out[0..3]} (Random123's {@code philox4x32_10}).
     */
    public static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        for (int round = 0; round < 10; round++) {
            if (round > 0) { // the key schedule bumps the key between rounds
                k0 += W0;
                k1 += W1;
            }
            long p0 = M0 * (c0 & LOW32); // 32×32 → 64 bits, unsigned: the bits are right modulo 2^64
            long p1 = M1 * (c2 & LOW32);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            c2 = n2;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    /** Block {@code b} of the stream of {@code (seed, offset)}: words {@code 4b .. 4b+3} into {@code out}. */
    public static void streamBlock(long seed, long offset, long b, int[] out) {
        long c = offset / 4 + b;
        block((int) c, (int) (c >>> 32), 0, 0, (int) seed, (int) (seed >>> 32), out);
    }

    /**
     * Word {@code n} of the stream of {@code (seed, offset)}, one at a time: only tests call it, as
     * their reference (the backends and the host's draws take whole blocks, {@link #streamBlock}).
     */
    public static int word(long seed, long offset, long n) {
        int[] w = new int[4];
        streamBlock(seed, offset, n / 4, w);
        return w[(int) (n % 4)];
    }

    /** The uniform float in [0, 1) of a word: its top 24 bits times 2^-24 (exact, as PyTorch's). */
    public static float uniform(int word) {
        return (word >>> 8) * 0x1p-24f;
    }

    /**
     * One of the standard normal pair of words {@code (w0, w1)} by Box–Muller: {@code r·cos θ}
     * ({@code sine} false) or {@code r·sin θ}, with {@code r = √(-2 ln u1)}, {@code θ = 2π·u2},
     * {@code u1 = (w0 + 1)·2^-32} in (0, 1] and {@code u2 = w1·2^-32} in [0, 1), computed in double
     * and rounded to float once, so that the CPU's Java and the CUDA kernel give the same bits
     * wherever their double functions agree to the last bit. The double functions of a real GPU
     * (and of another libm) may differ in the last double ulp; that changes the float only where the
     * result lies that close to a rounding boundary (about once in 10^8 samples), by one float ulp.
     * The largest |z| is √(2·32·ln 2) ≈ 6.66.
     */
    public static float normal(int w0, int w1, boolean sine) {
        double r = Math.sqrt(-2.0 * StrictMath.log(((w0 & LOW32) + 1.0) * 0x1p-32));
        double theta = TWO_PI * ((w1 & LOW32) * 0x1p-32);
        return (float) (r * (sine ? StrictMath.sin(theta) : StrictMath.cos(theta)));
    }

    /**
     * {@code low + (r mod (high - low))} for the unsigned 64-bit {@code r = w0 | w1 << 32}, the range
     * taken as unsigned (so any {@code low < high} works); the bias of the modulo is below
     * {@code (high - low)/2^64}.
     */
    public static long randint(int w0, int w1, long low, long high) {
        long r = (w0 & LOW32) | ((long) w1 << 32);
        return low + Long.remainderUnsigned(r, high - low);
    }
}
