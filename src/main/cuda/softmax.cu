// Softmax, log-softmax and cross-entropy along one axis of x viewed as [outer, len, inner]: one
// read of each row for its maximum and Σ exp(x - max) (online softmax: the sum is rescaled when
// the running maximum grows), then one pass that writes. With one thread per row (strided columns,
// short rows) the arithmetic is CpuSoftmax's step for step: expf, sums in double, written values in
// float. With several threads per row each sums its own elements and the (max, sum) pairs merge in
// a tree, so the sum's rounding order (not its precision) differs from the CPU's single pass.
//
// A row is shared by `tpr` consecutive threads of a block (a power of two up to the block, chosen
// by CudaBackend.threadsPerRow: 1 for strided columns and short rows, where neighbouring threads
// then read neighbouring elements); their partial results meet in a shared-memory tree (no warp
// shuffles: the emulator has none, and the tree costs little next to the row's reads). Blocks
// step through the rows in groups, so every thread of a block reaches the same barriers.
// Every output is a tensor of its own, never an input: all pointers are __restrict__.
#include "ops.cuh"

#define TJ_SOFTMAX_THREADS 256 // the most threads CudaBackend launches per block (CudaKernels.BLOCK)
#define TJ_INF __int_as_float(0x7f800000)
#define TJ_NAN __int_as_float(0x7fc00000)

// CpuSoftmax.addToSum: s (Σ exp(x - m) so far) after adding v, m being the running maximum before
// v. -Inf adds nothing (even while the maximum is -Inf); a +Inf maximum or a NaN makes the sum NaN,
// as PyTorch's Σ exp(x - amax(x)).
__device__ __forceinline__ double tj_softmax_add(double s, float m, float v) {
    if (v > m) {
        return s * (double) expf(m - v) + (v == TJ_INF ? (double) TJ_NAN : 1.0);
    }
    return v == -TJ_INF ? s : s + (double) expf(v - m);
}

// The running maximum; a NaN element leaves it (the sum carries the NaN).
__device__ __forceinline__ float tj_softmax_max(float m, float v) {
    return v > m ? v : m;
}

// A partial sum rescaled to the merged maximum M. A part whose maximum is still -Inf has seen only
// -Inf (sum 0) or NaN (sum NaN) and keeps its sum: exp(-Inf - -Inf) would be NaN.
__device__ __forceinline__ double tj_softmax_part(float m, double s, float M) {
    return m == -TJ_INF ? s : s * (double) expf(m - M);
}

// Merges the (max, sum) pairs of each group of tpr threads; every thread of the block calls it
// (it holds barriers) and gets its group's totals.
__device__ void tj_group_max_sum(float* sm, double* ss, float& m, double& s, int tpr) {
    int t = threadIdx.x;
    int lane = t % tpr;
    sm[t] = m;
    ss[t] = s;
    __syncthreads();
    for (int half = tpr / 2; half > 0; half >>= 1) {
        if (lane < half) {
            float M = tj_softmax_max(sm[t], sm[t + half]);
            ss[t] = tj_softmax_part(sm[t], ss[t], M) + tj_softmax_part(sm[t + half], ss[t + half], M);
            sm[t] = M;
        }
        __syncthreads();
    }
    m = sm[t - lane];
    s = ss[t - lane];
    __syncthreads(); // the arrays are reused by the next call
}

// The sum of v over each group of tpr threads; called by every thread of the block.
__device__ double tj_group_sum(double* ss, double v, int tpr) {
    int t = threadIdx.x;
    int lane = t % tpr;
    ss[t] = v;
    __syncthreads();
    for (int half = tpr / 2; half > 0; half >>= 1) {
        if (lane < half) {
            ss[t] += ss[t + half];
        }
        __syncthreads();
    }
    double total = ss[t - lane];
    __syncthreads();
    return total;
}

// Row r of [outer, len, inner] (r = o·inner + i) starts at o·len·inner + i and steps by inner.
__device__ __forceinline__ long long tj_row_base(long long r, long long len, long long inner) {
    return (r / inner) * len * inner + r % inner;
}

// out = exp(x - max) / Σ exp(x - max), or x - max - log Σ exp(x - max) (isLog), along the axis.
extern "C" __global__ void tj_softmax(int isLog, const float* __restrict__ x, float* __restrict__ out,
                                      long long outer, long long len, long long inner, int tpr) {
    __shared__ float sm[TJ_SOFTMAX_THREADS];
    __shared__ double ss[TJ_SOFTMAX_THREADS];
    long long rows = outer * inner;
    long long groups = blockDim.x / tpr;
    int lane = threadIdx.x % tpr;
    for (long long first = (long long) blockIdx.x * groups; first < rows; first += (long long) gridDim.x * groups) {
        long long r = first + threadIdx.x / tpr;
        bool active = r < rows;
        long long base = tj_row_base(r, len, inner);
        float m = -TJ_INF;
        double s = 0.0;
        if (active) {
            for (long long l = lane; l < len; l += tpr) {
                float v = x[base + l * inner];
                s = tj_softmax_add(s, m, v);
                m = tj_softmax_max(m, v);
            }
        }
        tj_group_max_sum(sm, ss, m, s, tpr);
        if (active) {
            float k = isLog ? (float) log(s) : (float) (1.0 / s);
            for (long long l = lane; l < len; l += tpr) {
                long long at = base + l * inner;
                float d = x[at] - m;
                out[at] = isLog ? d - k : expf(d) * k;
            }
        }
    }
}

// The gradient from the output y and the incoming g: y·(g - Σ g·y), or g - exp(y)·Σ g (isLog).
extern "C" __global__ void tj_softmax_backward(int isLog, const float* __restrict__ y, const float* __restrict__ g,
                                               float* __restrict__ gx, long long outer, long long len,
                                               long long inner, int tpr) {
    __shared__ double ss[TJ_SOFTMAX_THREADS];
    long long rows = outer * inner;
    long long groups = blockDim.x / tpr;
    int lane = threadIdx.x % tpr;
    for (long long first = (long long) blockIdx.x * groups; first < rows; first += (long long) gridDim.x * groups) {
        long long r = first + threadIdx.x / tpr;
        bool active = r < rows;
        long long base = tj_row_base(r, len, inner);
        double sum = 0.0;
        if (active) {
            for (long long l = lane; l < len; l += tpr) {
                long long at = base + l * inner;
                sum += isLog ? (double) g[at] : (double) g[at] * (double) y[at];
            }
        }
        float total = (float) tj_group_sum(ss, sum, tpr);
        if (active) {
            for (long long l = lane; l < len; l += tpr) {
                long long at = base + l * inner;
                gx[at] = isLog ? g[at] - expf(y[at]) * total : y[at] * (g[at] - total);
            }
        }
    }
}

// Backend.crossEntropy: per row r of x [n, c] the loss w·(lse - x[t]) (with label smoothing eps,
// (1-eps)·that + eps/c·Σ_j weight[j]·(lse - x[j])), 0 where t == ignoreIndex; stats: [n] target
// weights, then per row max, log Σ exp(x - max) and the softmax's coefficient in the gradient.
extern "C" __global__ void tj_cross_entropy(const float* __restrict__ x, const long long* __restrict__ target,
                                            const float* __restrict__ weight, float* __restrict__ loss,
                                            float* __restrict__ stats, long long n, long long c,
                                            long long ignoreIndex, float eps, int tpr) {
    __shared__ float sm[TJ_SOFTMAX_THREADS];
    __shared__ double ss[TJ_SOFTMAX_THREADS];
    long long groups = blockDim.x / tpr;
    int lane = threadIdx.x % tpr;
    for (long long first = (long long) blockIdx.x * groups; first < n; first += (long long) gridDim.x * groups) {
        long long r = first + threadIdx.x / tpr;
        bool active = r < n;
        long long t = active ? target[r] : ignoreIndex;
        bool live = t != ignoreIndex;
        const float* row = x + r * c;
        float m = -TJ_INF;
        double s = 0.0;
        double wx = 0.0; // Σ weight[j]·x[j], for the smoothing term
        double ws = 0.0; // Σ weight[j]
        if (live) {
            for (long long j = lane; j < c; j += tpr) {
                float v = row[j];
                s = tj_softmax_add(s, m, v);
                m = tj_softmax_max(m, v);
                if (eps > 0.0f) {
                    float w = weight == nullptr ? 1.0f : weight[j];
                    wx += (double) w * (double) v;
                    ws += (double) w;
                }
            }
        }
        tj_group_max_sum(sm, ss, m, s, tpr);
        if (eps > 0.0f) { // eps is the same for the whole block, so are these barriers
            wx = tj_group_sum(ss, wx, tpr);
            ws = tj_group_sum(ss, ws, tpr);
        }
        if (active && lane == 0) {
            float* st = stats + n + 3 * r;
            if (!live) {
                loss[r] = 0.0f;
                stats[r] = 0.0f;
                st[0] = 0.0f;
                st[1] = 0.0f;
                st[2] = 0.0f;
            } else {
                float wt = weight == nullptr ? 1.0f : weight[t];
                double logSum = log(s);
                double lse = (double) m + logSum;
                double nll = (double) wt * (lse - (double) row[t]);
                double coef = wt;
                double value = nll;
                if (eps > 0.0f) {
                    value = (1.0 - (double) eps) * nll + (double) eps / (double) c * (ws * lse - wx);
                    coef = (1.0 - (double) eps) * (double) wt + (double) eps / (double) c * ws;
                }
                loss[r] = (float) value;
                stats[r] = wt;
                st[0] = m;
                st[1] = (float) logSum;
                st[2] = (float) coef;
            }
        }
    }
}

// Backend.crossEntropyBackward, one thread per element of gx [n, c]:
// g_r·(coef·softmax - (1-eps)·w·[j == t] - eps/c·weight[j]), 0 on an ignored row.
extern "C" __global__ void tj_cross_entropy_backward(const float* __restrict__ x, const long long* __restrict__ target,
                                                     const float* __restrict__ weight,
                                                     const float* __restrict__ stats, const float* __restrict__ g,
                                                     int gPerRow, float* __restrict__ gx, long long n, long long c,
                                                     long long ignoreIndex, float eps) {
    TJ_FOR(e, n * c) {
        long long r = e / c;
        long long j = e % c;
        long long t = target[r];
        if (t == ignoreIndex) {
            gx[e] = 0.0f;
            continue;
        }
        const float* st = stats + n + 3 * r;
        float p = expf(x[e] - st[0] - st[1]);
        float hot = j == t ? (1.0f - eps) * stats[r] : 0.0f;
        float spread = eps > 0.0f ? eps / (float) c * (weight == nullptr ? 1.0f : weight[j]) : 0.0f;
        gx[e] = g[gPerRow ? r : 0] * (p * st[2] - hot - spread);
    }
}
