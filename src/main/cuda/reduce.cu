// sumAxis: out[o, i] = sum over l of x[o, l, i]. Accumulates in double, as the CPU backend does,
// so long sums agree with it to float rounding. Deterministic: a fixed split (ReducePlan) and a
// fixed tree order, no atomics. When a few outputs have long axes, the axis is split into
// `chunks` pieces that write double partials, and tj_sum_finish adds them up. Inputs are
// __restrict__: sums always write a tensor of their own (Reductions, Losses), never their input.
#include "ops.cuh"

#define TJ_SUM_THREADS 256

// inner == 1: one block per (row, chunk); threads stride along the row, then a shared-memory tree.
extern "C" __global__ void tj_sum_rows(const float* __restrict__ x, float* outF, double* partial,
                                       long long outer, long long len, int chunks) {
    __shared__ double acc[TJ_SUM_THREADS];
    long long per = (len + chunks - 1) / chunks;
    for (long long blk = blockIdx.x; blk < outer * chunks; blk += gridDim.x) {
        long long o = blk / chunks;
        long long c = blk % chunks;
        long long from = c * per;
        long long to = min(len, from + per);
        const float* row = x + o * len;
        double s = 0.0;
        for (long long l = from + threadIdx.x; l < to; l += blockDim.x) {
            s += (double) row[l];
        }
        acc[threadIdx.x] = s;
        __syncthreads();
        for (int half = blockDim.x / 2; half > 0; half >>= 1) {
            if (threadIdx.x < half) {
                acc[threadIdx.x] += acc[threadIdx.x + half];
            }
            __syncthreads();
        }
        if (threadIdx.x == 0) {
            if (chunks == 1) {
                outF[o] = (float) acc[0];
            } else {
                partial[blk] = acc[0];
            }
        }
        __syncthreads(); // acc is reused by this block's next row
    }
}

// inner > 1: one thread per (o, chunk, i), walking its chunk of the axis; neighbouring threads
// read neighbouring i, so loads coalesce. Partials are laid out [outer, chunks, inner].
extern "C" __global__ void tj_sum_cols(const float* __restrict__ x, float* outF, double* partial,
                                       long long outer, long long len, long long inner, int chunks) {
    long long per = (len + chunks - 1) / chunks;
    TJ_FOR(t, outer * chunks * inner) {
        long long i = t % inner;
        long long rest = t / inner;
        long long c = rest % chunks;
        long long o = rest / chunks;
        long long from = c * per;
        long long to = min(len, from + per);
        const float* p = x + o * len * inner + i;
        double s = 0.0;
        for (long long l = from; l < to; l++) {
            s += (double) p[l * inner];
        }
        if (chunks == 1) {
            outF[o * inner + i] = (float) s;
        } else {
            partial[t] = s;
        }
    }
}

// Adds the chunks' partials of each output, in chunk order.
extern "C" __global__ void tj_sum_finish(const double* __restrict__ partial, float* out,
                                         long long outer, int chunks, long long inner) {
    TJ_FOR(t, outer * inner) {
        long long o = t / inner;
        long long i = t % inner;
        const double* p = partial + o * chunks * inner + i;
        double s = 0.0;
        for (int c = 0; c < chunks; c++) {
            s += p[(long long) c * inner];
        }
        out[t] = (float) s;
    }
}

// extremeAxis: values[o, i] = max (isMax) or min of x[o, :, i] and indices[o, i] its position along
// the axis, as PyTorch's max(dim): the first NaN wins (NaN propagates), else the first of equal
// extremes. One thread per output walks the axis; len >= 1 (the engine rejects empty axes).
extern "C" __global__ void tj_extreme_axis(int isMax, const float* __restrict__ x, float* values,
                                           long long* indices, long long outer, long long len,
                                           long long inner) {
    TJ_FOR(t, outer * inner) {
        long long o = t / inner;
        long long i = t % inner;
        const float* p = x + o * len * inner + i;
        float best = p[0];
        long long at = 0;
        if (best == best) {
            for (long long l = 1; l < len; l++) {
                float v = p[l * inner];
                if (v != v) {
                    best = v;
                    at = l;
                    break;
                }
                if (isMax ? v > best : v < best) {
                    best = v;
                    at = l;
                }
            }
        }
        values[t] = best;
        indices[t] = at;
    }
}
