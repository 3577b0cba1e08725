// Random draws from Philox4x32-10, word for word as dev.tensorj.backend.Philox defines them (the
// Java there is the reference, and the CPU backend's CpuRandom walks the stream the same way): word
// n of the stream of (seed, offset) is lane n % 4 of the block with key (seed low, seed high) and
// counter (c low, c high, 0, 0), c = offset/4 + n/4. One thread per block of four words.
#include "ops.cuh"

#define TJ_PHILOX_M0 0xD2511F53u
#define TJ_PHILOX_M1 0xCD9E8D57u
#define TJ_PHILOX_W0 0x9E3779B9u
#define TJ_PHILOX_W1 0xBB67AE85u
#define TJ_TWO_PI 6.283185307179586 // Philox.TWO_PI: the same double

// Ten rounds on c[0..3] in place, the key bumped between rounds (Random123's philox4x32_10).
// The products are 64-bit multiplies: the same bits as __umulhi, and plain C++ for the emulator.
__device__ __forceinline__ void tj_philox(unsigned int c[4], unsigned int k0, unsigned int k1) {
    for (int round = 0; round < 10; round++) {
        if (round > 0) {
            k0 += TJ_PHILOX_W0;
            k1 += TJ_PHILOX_W1;
        }
        unsigned long long p0 = (unsigned long long) TJ_PHILOX_M0 * c[0];
        unsigned long long p1 = (unsigned long long) TJ_PHILOX_M1 * c[2];
        unsigned int n0 = (unsigned int) (p1 >> 32) ^ c[1] ^ k0;
        unsigned int n2 = (unsigned int) (p0 >> 32) ^ c[3] ^ k1;
        c[1] = (unsigned int) p1;
        c[3] = (unsigned int) p0;
        c[0] = n0;
        c[2] = n2;
    }
}

// Block b of the stream of (seed, offset), into w.
__device__ __forceinline__ void tj_stream_block(long long seed, long long offset, long long b, unsigned int w[4]) {
    unsigned long long c = (unsigned long long) (offset / 4 + b);
    w[0] = (unsigned int) c;
    w[1] = (unsigned int) (c >> 32);
    w[2] = 0;
    w[3] = 0;
    tj_philox(w, (unsigned int) seed, (unsigned int) ((unsigned long long) seed >> 32));
}

// Philox.uniform: the top 24 bits times 2^-24, in [0, 1).
__device__ __forceinline__ float tj_uniform(unsigned int w) {
    return (float) (w >> 8) * 5.9604644775390625e-8f; // 2^-24
}

// Philox.normal: Box-Muller in double, rounded to float once. On a GPU libdevice's log, sin and cos
// may differ from the CPU's in the last double ulp, which moves the float by one ulp only where the
// result lies that close to a rounding boundary.
__device__ __forceinline__ float tj_normal(unsigned int w0, unsigned int w1, bool sine) {
    double r = sqrt(-2.0 * log(((double) w0 + 1.0) * 2.3283064365386963e-10)); // 2^-32
    double theta = TJ_TWO_PI * ((double) w1 * 2.3283064365386963e-10);
    return (float) (r * (sine ? sin(theta) : cos(theta)));
}

// out[i] for i < n by kind (RandomKind): uniform u·(b - a) + a, normal z·b + a, Bernoulli u < a ? b : 0.
// Writes only out.
extern "C" __global__ void tj_random(int kind, long long seed, long long offset, float* out, float a, float b,
                                     long long n) {
    float range = b - a;
    TJ_FOR(blk, (n + 3) / 4) {
        unsigned int w[4];
        tj_stream_block(seed, offset, blk, w);
        for (int lane = 0; lane < 4; lane++) {
            long long i = blk * 4 + lane;
            if (i >= n) {
                break;
            }
            float v;
            switch (kind) {
                case TJ_UNIFORM:
                    v = tj_uniform(w[lane]) * range + a;
                    break;
                case TJ_NORMAL: {
                    int pair = lane & ~1; // lanes (0, 1) and (2, 3): cos for the even, sin for the odd
                    v = tj_normal(w[pair], w[pair + 1], (lane & 1) == 1) * b + a;
                    break;
                }
                default: // TJ_BERNOULLI
                    v = tj_uniform(w[lane]) < a ? b : 0.0f;
                    break;
            }
            out[i] = v;
        }
    }
}

// Philox.randint: low + (r mod (high - low)), r the unsigned 64 bits of two words, the range
// unsigned (high > low). Two elements per block. Writes only out.
extern "C" __global__ void tj_randint(long long seed, long long offset, long long* out, long long low,
                                      long long high, long long n) {
    unsigned long long range = (unsigned long long) high - (unsigned long long) low;
    TJ_FOR(blk, (n + 1) / 2) {
        unsigned int w[4];
        tj_stream_block(seed, offset, blk, w);
        for (int k = 0; k < 2; k++) {
            long long i = blk * 2 + k;
            if (i < n) {
                unsigned long long r = (unsigned long long) w[2 * k] | ((unsigned long long) w[2 * k + 1] << 32);
                out[i] = (long long) ((unsigned long long) low + r % range);
            }
        }
    }
}
