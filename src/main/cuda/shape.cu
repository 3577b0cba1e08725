// Shape kernels: one general strided copy behind permute, transpose(d0, d1), expand, narrow,
// select, slice, cat and the gradients that write a slice back. Element-size generic (1, 4 or 8
// bytes: BOOL, F32, I64 move as raw bits), 64-bit index math throughout.
#include "ops.cuh"

// As compare.cu's CmpArgs: the host packs 25 longs (BroadcastLaunch.pack of the copy's plan, whose
// a strides are the source's and b strides the destination's).
#define TJ_SHAPE_MAX_RANK 8
struct StrideArgs {
    long long rank;
    long long shape[TJ_SHAPE_MAX_RANK];
    long long srcStrides[TJ_SHAPE_MAX_RANK];
    long long dstStrides[TJ_SHAPE_MAX_RANK];
};

template <typename T>
__device__ void strided_copy(const T* src, T* dst, long long n, const StrideArgs& p) {
    TJ_FOR(i, n) {
        long long rem = i;
        long long so = 0;
        long long d0 = 0;
        for (int d = (int) p.rank - 1; d >= 0; d--) {
            long long size = p.shape[d];
            long long idx = rem % size;
            rem /= size;
            so += idx * p.srcStrides[d];
            d0 += idx * p.dstStrides[d];
        }
        dst[d0] = src[so];
    }
}

// dst[idx·dstStrides] = src[idx·srcStrides] for the n indices of p's shape. elemBytes: 1, 4 or 8.
// src and dst never overlap (the engine copies between distinct storages), and no two indices
// write one destination element (destination strides are never 0).
extern "C" __global__ void tj_strided_copy(int elemBytes, const void* src, void* dst, long long n,
                                          const StrideArgs p) {
    switch (elemBytes) {
        case 4: strided_copy<unsigned int>((const unsigned int*) src, (unsigned int*) dst, n, p); break;
        case 8:
            strided_copy<unsigned long long>((const unsigned long long*) src, (unsigned long long*) dst, n, p);
            break;
        default: strided_copy<unsigned char>((const unsigned char*) src, (unsigned char*) dst, n, p); break;
    }
}
