package dev.tensorj.backend.cpu;

/**
 * {@code exp} to float precision, for the softmax kernels ({@link CpuSoftmax}), where it is most of
 * the work: {@code (float) Math.exp(x)} cost 20-50 ns an element on the development machine (a
 * loaded 2-vCPU EPYC guest), this 7-11 ns. Within 1 ulp of {@code (float) Math.exp(x)} (CUDA's
 * {@code expf}, which the GPU kernels use, is within 2); exact at 0, ±Inf and NaN, 0 below the
 * float range, +Inf above it. {@code FloatExpTest} sweeps it against {@code Math.exp}.
 */
final class FloatExp {
    private FloatExp() {}

    private static final double LOG2E = 1.4426950408889634;
    private static final double LN2 = 0.6931471805599453;

    static float exp(float x) {
        if (!(x > -104f)) { // exp(-104) rounds to 0 in float; also -Inf, and NaN (returned as is)
            return x != x ? x : 0f;
        }
        if (x > 89f) { // exp(88.73) already overflows float
            return Float.POSITIVE_INFINITY;
        }
        // x = k·ln2 + r with |r| <= ln2/2; exp(r) by its Taylor series to r^7 (error below 1e-8 relative), in double
        double d = x;
        double k = Math.rint(d * LOG2E);
        double r = d - k * LN2;
        double p = 1 + r * (1 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (1.0 / 720
                + r * (1.0 / 5040)))))));
        return (float) (p * Double.longBitsToDouble(((long) k + 1023) << 52)); // p·2^k, rounded once to float
    }
}
