// Indexing kernels over [outer, len, inner] views: a gather (index_select, gather, embedding) and
// its adjoint, a scatter-add (their gradients, scatter_add). The index is int64 and read at
// o·s0 + j·s1 + i·s2: strides {0, 1, 0} broadcast index_select's 1-d index over o and i, strides
// {k·inner, inner, 1} walk an index of the output's shape (gather). Index values lie in [0, n):
// the engine validates them on the host first. 64-bit index math throughout.
#include "ops.cuh"

// out[o, j, i] = x[o, index[o·s0 + j·s1 + i·s2], i]; x is [outer, n, inner], out [outer, k, inner].
extern "C" __global__ void tj_gather(const float* __restrict__ x, const long long* __restrict__ index,
                                     float* __restrict__ out, long long outer, long long n, long long k,
                                     long long inner, long long s0, long long s1, long long s2) {
    TJ_FOR(t, outer * k * inner) {
        long long i = t % inner;
        long long j = (t / inner) % k;
        long long o = t / (inner * k);
        long long r = index[o * s0 + j * s1 + i * s2];
        out[t] = x[(o * n + r) * inner + i];
    }
}

// out[o, index[o·s0 + j·s1 + i·s2], i] += src[o, j, i]; src is [outer, k, inner], out [outer, n, inner].
// One thread per source element; repeated indices meet in atomicAdd, so the order of the float
// additions into one element is not fixed (as PyTorch's scatter_add/index_add on CUDA).
extern "C" __global__ void tj_scatter_add(const float* __restrict__ src, const long long* __restrict__ index,
                                          float* out, long long outer, long long n, long long k,
                                          long long inner, long long s0, long long s1, long long s2) {
    TJ_FOR(t, outer * k * inner) {
        long long i = t % inner;
        long long j = (t / inner) % k;
        long long o = t / (inner * k);
        long long r = index[o * s0 + j * s1 + i * s2];
        atomicAdd(out + (o * n + r) * inner + i, src[t]);
    }
}
