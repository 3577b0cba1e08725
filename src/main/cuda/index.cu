// Indexing kernels over an IndexPlan: a gather (index_select, gather, embedding, scatter_add's
// gradient) and its adjoint, a scatter-add (their gradients, scatter_add). One thread per position
// of the plan's shape; the int64 index, the dense side (gather's out, scatter-add's src) and the
// indexed side (gather's x, scatter-add's out) each have their own strides, and along `dim` the
// indexed side moves by the index value. Index values are in range: the engine validates them on
// the host first. 64-bit index math throughout.
#include "ops.cuh"

// The host packs 34 longs (CudaIndex.pack): rank, dim, then shape and the three sides' strides,
// each padded to TJ_INDEX_MAX_RANK; more dimensions loop on the host.
#define TJ_INDEX_MAX_RANK 8
struct IndexArgs {
    long long rank;
    long long dim;
    long long shape[TJ_INDEX_MAX_RANK];
    long long indexStrides[TJ_INDEX_MAX_RANK];
    long long denseStrides[TJ_INDEX_MAX_RANK];
    long long indexedStrides[TJ_INDEX_MAX_RANK];
};

// Position t's offsets: *dense on the dense side, *indexed on the indexed side (the index value's
// term included).
__device__ __forceinline__ void tj_index_offsets(long long t, const long long* __restrict__ index, const IndexArgs& p,
                                 long long* dense, long long* indexed) {
    long long rem = t;
    long long io = 0;
    long long dn = 0;
    long long ix = 0;
    for (int d = (int) p.rank - 1; d >= 0; d--) {
        long long size = p.shape[d];
        long long c = rem % size;
        rem /= size;
        io += c * p.indexStrides[d];
        dn += c * p.denseStrides[d];
        if (d != p.dim) {
            ix += c * p.indexedStrides[d];
        }
    }
    *dense = dn;
    *indexed = ix + index[io] * p.indexedStrides[p.dim];
}

// out[dense(t)] = x[indexed(t)] for the n positions of p's shape.
extern "C" __global__ void tj_gather(const float* __restrict__ x, const long long* __restrict__ index,
                                     float* __restrict__ out, long long n, const IndexArgs p) {
    TJ_FOR(t, n) {
        long long dn;
        long long ix;
        tj_index_offsets(t, index, p, &dn, &ix);
        out[dn] = x[ix];
    }
}

// out[indexed(t)] += src[dense(t)] for the n positions of p's shape. Repeated indices meet in
// atomicAdd, so the order of the float additions into one element is not fixed (as PyTorch's
// scatter_add/index_add on CUDA).
extern "C" __global__ void tj_scatter_add(const float* __restrict__ src, const long long* __restrict__ index,
                                          float* out, long long n, const IndexArgs p) {
    TJ_FOR(t, n) {
        long long dn;
        long long ix;
        tj_index_offsets(t, index, p, &dn, &ix);
        atomicAdd(out + ix, src[dn]);
    }
}
