// Layer norm over contiguous rows of len (Backend.layerNorm, layerNormBackward). A row is shared by
// tpr consecutive threads of a block (CudaSoftmax.threadsPerRow: a power of two giving each thread
// about 8 elements, up to the block); their double sums meet in a shared-memory tree, as in
// softmax.cu (no warp shuffles: the emulator has none). With one thread per row the arithmetic is
// CpuLayerNorm's step for step; with more, the sums' rounding order (not their precision) differs.
// The weight's and bias's gradients are column sums, one thread per column walking the rows in
// order: deterministic, and CpuLayerNorm's sums exactly. Every output is a tensor of its own.
#include "ops.cuh"

#define TJ_LN_THREADS 256 // the most threads CudaLayerNorm launches per block (CudaKernels.BLOCK)

// The sums of a and b over each group of tpr threads; called by every thread of the block (it
// holds barriers), each getting its group's totals.
__device__ void tj_ln_group_sum2(double* sa, double* sb, double& a, double& b, int tpr) {
    int t = threadIdx.x;
    int lane = t % tpr;
    sa[t] = a;
    sb[t] = b;
    __syncthreads();
    for (int half = tpr / 2; half > 0; half >>= 1) {
        if (lane < half) {
            sa[t] += sa[t + half];
            sb[t] += sb[t + half];
        }
        __syncthreads();
    }
    a = sa[t - lane];
    b = sb[t - lane];
    __syncthreads(); // the arrays are reused by the next call
}

// out = (x - mean)·rstd (in double, rounded), ·w[j] + b[j] where given; stats: the means rounded to
// float (hi), what that lost (lo), the rstds. The backward's x̂ = (x - hi - lo)·rstd in float: x - hi
// is exact for rows far from 0, so x̂ keeps the double mean's accuracy there.
// The variance is Σ (x - mean)² from a second read of the row: no cancellation far from 0.
extern "C" __global__ void tj_layer_norm(const float* __restrict__ x, const float* __restrict__ w,
                                         const float* __restrict__ b, float* __restrict__ out,
                                         float* __restrict__ stats, long long rows, long long len, float eps,
                                         int tpr) {
    __shared__ double sa[TJ_LN_THREADS];
    __shared__ double sb[TJ_LN_THREADS];
    long long groups = blockDim.x / tpr;
    int lane = threadIdx.x % tpr;
    for (long long first = (long long) blockIdx.x * groups; first < rows; first += (long long) gridDim.x * groups) {
        long long r = first + threadIdx.x / tpr;
        bool active = r < rows;
        const float* row = x + r * len;
        double s = 0.0;
        double unused = 0.0;
        if (active) {
            for (long long j = lane; j < len; j += tpr) {
                s += row[j];
            }
        }
        tj_ln_group_sum2(sa, sb, s, unused, tpr);
        double mean = s / (double) len;
        double q = 0.0;
        if (active) {
            for (long long j = lane; j < len; j += tpr) {
                double d = row[j] - mean;
                q += d * d;
            }
        }
        tj_ln_group_sum2(sa, sb, q, unused, tpr);
        double rstd = 1.0 / sqrt(q / (double) len + (double) eps);
        if (active) {
            float* o = out + r * len;
            for (long long j = lane; j < len; j += tpr) {
                float xh = (float) ((row[j] - mean) * rstd);
                if (w != nullptr) {
                    xh *= w[j];
                }
                o[j] = b == nullptr ? xh : xh + b[j];
            }
            if (lane == 0) {
                float hi = (float) mean;
                stats[r] = hi;
                stats[rows + r] = (float) (mean - (double) hi);
                stats[2 * rows + r] = (float) rstd;
            }
        }
    }
}

// gx = rstd·(gy - mean(gy) - x̂·mean(gy·x̂)), gy = g·w[j] (g without a weight), x̂ = (x - hi - lo)·rstd.
extern "C" __global__ void tj_layer_norm_backward(const float* __restrict__ x, const float* __restrict__ w,
                                                  const float* __restrict__ stats, const float* __restrict__ g,
                                                  float* __restrict__ gx, long long rows, long long len, int tpr) {
    __shared__ double sa[TJ_LN_THREADS];
    __shared__ double sb[TJ_LN_THREADS];
    long long groups = blockDim.x / tpr;
    int lane = threadIdx.x % tpr;
    for (long long first = (long long) blockIdx.x * groups; first < rows; first += (long long) gridDim.x * groups) {
        long long r = first + threadIdx.x / tpr;
        bool active = r < rows;
        long long base = r * len;
        float hi = active ? stats[r] : 0.0f;
        float lo = active ? stats[rows + r] : 0.0f;
        float rstd = active ? stats[2 * rows + r] : 0.0f;
        double s1 = 0.0; // Σ gy
        double s2 = 0.0; // Σ gy·x̂
        if (active) {
            for (long long j = lane; j < len; j += tpr) {
                float xh = (x[base + j] - hi - lo) * rstd;
                float gy = w == nullptr ? g[base + j] : g[base + j] * w[j];
                s1 += gy;
                s2 += (double) gy * (double) xh;
            }
        }
        tj_ln_group_sum2(sa, sb, s1, s2, tpr);
        if (active) {
            float a = (float) (s1 / (double) len);
            float c = (float) (s2 / (double) len);
            for (long long j = lane; j < len; j += tpr) {
                float xh = (x[base + j] - hi - lo) * rstd;
                float gy = w == nullptr ? g[base + j] : g[base + j] * w[j];
                gx[base + j] = rstd * (gy - a - xh * c);
            }
        }
    }
}

// gw[j] = Σ_r g·x̂, gb[j] = Σ_r g (either may be null), one thread per column, rows in order.
extern "C" __global__ void tj_layer_norm_columns(const float* __restrict__ x, const float* __restrict__ stats,
                                                 const float* __restrict__ g, float* __restrict__ gw,
                                                 float* __restrict__ gb, long long rows, long long len) {
    TJ_FOR(j, len) {
        double sw = 0.0;
        double sb = 0.0;
        for (long long r = 0; r < rows; r++) {
            long long at = r * len + j;
            float gv = g[at];
            sw += (double) gv * (double) ((x[at] - stats[r] - stats[rows + r]) * stats[2 * rows + r]);
            sb += gv;
        }
        if (gw != nullptr) {
            gw[j] = (float) sw;
        }
        if (gb != nullptr) {
            gb[j] = (float) sb;
        }
    }
}
