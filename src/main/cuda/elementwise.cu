// Elementwise kernels: unary, binary against a scalar value, and broadcasting binary with fast
// paths. Every kernel is a grid-stride loop, so the host caps the grid at a few waves.
#include "ops.cuh"

// No __restrict__ here or below: out may be x (in-place update, allowed by Backend), and a restrict
// input may be read through the non-coherent cache (ld.global.nc), undefined when it is written.
// KernelAliasingTest checks the PTX of these kernels for such loads.
extern "C" __global__ void tj_unary(int op, const float* x, float* out, long long n) {
    TJ_FOR(i, n) {
        out[i] = tj_unary_op(op, x[i]);
    }
}

extern "C" __global__ void tj_binary_scalar(int op, const float* a, float s, float* out, long long n) {
    TJ_FOR(i, n) {
        out[i] = tj_binary_op(op, a[i], s);
    }
}

// out = y + alpha * x, the product rounded first (-fmad=false): the CPU's Java gives the same bits.
extern "C" __global__ void tj_axpy(float alpha, const float* x, const float* y, float* out, long long n) {
    TJ_FOR(i, n) {
        out[i] = y[i] + alpha * x[i];
    }
}

// Same shape, both contiguous.
extern "C" __global__ void tj_binary_contig(int op, const float* a, const float* b, float* out, long long n) {
    TJ_FOR(i, n) {
        out[i] = tj_binary_op(op, a[i], b[i]);
    }
}

// One operand is a single element in device memory (a 0-d tensor, or a fully broadcast one).
extern "C" __global__ void tj_binary_one(int op, const float* a, const float* b, float* out, long long n,
                                        int aIsOne) {
    if (aIsOne) {
        float s = a[0];
        TJ_FOR(i, n) {
            out[i] = tj_binary_op(op, s, b[i]);
        }
    } else {
        float s = b[0];
        TJ_FOR(i, n) {
            out[i] = tj_binary_op(op, a[i], s);
        }
    }
}

// [rows, cols] contiguous against a [cols] row broadcast over rows (a Linear layer's bias).
template <typename I>
__device__ void binary_row(int op, const float* a, const float* b, float* out, I n, I cols, int aIsRow) {
    for (I i = (I) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (I) gridDim.x * blockDim.x) {
        I c = i % cols;
        out[i] = aIsRow ? tj_binary_op(op, a[c], b[i]) : tj_binary_op(op, a[i], b[c]);
    }
}

extern "C" __global__ void tj_binary_row_i32(int op, const float* a, const float* b, float* out,
                                            unsigned int n, unsigned int cols, int aIsRow) {
    binary_row<unsigned int>(op, a, b, out, n, cols, aIsRow);
}

extern "C" __global__ void tj_binary_row_i64(int op, const float* a, const float* b, float* out,
                                            unsigned long long n, unsigned long long cols, int aIsRow) {
    binary_row<unsigned long long>(op, a, b, out, n, cols, aIsRow);
}

// General broadcast over up to 8 (collapsed) dimensions; a stride of 0 broadcasts. The host
// packs this struct as 25 longs (BroadcastPlan.pack). 32-bit index math when everything fits,
// because 64-bit division costs several times more.
#define TJ_MAX_RANK 8
struct BcastArgs {
    long long rank;
    long long shape[TJ_MAX_RANK];
    long long aStrides[TJ_MAX_RANK];
    long long bStrides[TJ_MAX_RANK];
};

template <typename I>
__device__ void binary_nd(int op, const float* a, const float* b, float* out, I n, const BcastArgs& p) {
    int rank = (int) p.rank;
    for (I i = (I) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (I) gridDim.x * blockDim.x) {
        I rem = i;
        I aOff = 0;
        I bOff = 0;
        for (int d = rank - 1; d >= 0; d--) {
            I size = (I) p.shape[d];
            I idx = rem % size;
            rem /= size;
            aOff += idx * (I) p.aStrides[d];
            bOff += idx * (I) p.bStrides[d];
        }
        out[i] = tj_binary_op(op, a[aOff], b[bOff]);
    }
}

extern "C" __global__ void tj_binary_nd_i32(int op, const float* a, const float* b, float* out,
                                           unsigned int n, const BcastArgs p) {
    binary_nd<unsigned int>(op, a, b, out, n, p);
}

extern "C" __global__ void tj_binary_nd_i64(int op, const float* a, const float* b, float* out,
                                           unsigned long long n, const BcastArgs p) {
    binary_nd<unsigned long long>(op, a, b, out, n, p);
}
