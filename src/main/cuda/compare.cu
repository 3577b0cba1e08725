// Comparison kernels (bool out: one byte, 0 or 1) over operands of one scalar type, and the float
// select where(cond, a, b). Each comes contiguous and general (strided, broadcasting); a scalar
// operand is a one-element storage read with stride 0. The results are the CPU backend's
// (CompareOp.test): IEEE comparisons (NaN false except NE, -0 == +0), bools as 0 < 1.
#include "ops.cuh"

// CompareOp ordinals (dev.tensorj.backend.CompareOp); ComparisonTest checks them.
#define TJ_CMP_EQ 0
#define TJ_CMP_NE 1
#define TJ_CMP_LT 2
#define TJ_CMP_LE 3
#define TJ_CMP_GT 4
#define TJ_CMP_GE 5
#define TJ_CMP_AND 6
#define TJ_CMP_OR 7

template <typename T>
__device__ __forceinline__ unsigned char tj_cmp(int op, T a, T b) {
    switch (op) {
        case TJ_CMP_EQ: return a == b ? 1 : 0;
        case TJ_CMP_NE: return a != b ? 1 : 0; // NaN != NaN: true
        case TJ_CMP_LT: return a < b ? 1 : 0;
        case TJ_CMP_LE: return a <= b ? 1 : 0;
        case TJ_CMP_GT: return a > b ? 1 : 0;
        case TJ_CMP_GE: return a >= b ? 1 : 0;
        case TJ_CMP_AND: return (a != (T) 0 && b != (T) 0) ? 1 : 0;
        default: return (a != (T) 0 || b != (T) 0) ? 1 : 0; // TJ_CMP_OR
    }
}

// As elementwise.cu's BcastArgs: the host packs 25 longs (BroadcastLaunch.pack).
#define TJ_CMP_MAX_RANK 8
struct CmpArgs {
    long long rank;
    long long shape[TJ_CMP_MAX_RANK];
    long long aStrides[TJ_CMP_MAX_RANK];
    long long bStrides[TJ_CMP_MAX_RANK];
};

// The element offsets of a and b for output index i.
__device__ __forceinline__ void tj_cmp_offsets(long long i, const CmpArgs& p, long long* aOff, long long* bOff) {
    long long rem = i;
    long long ao = 0;
    long long bo = 0;
    for (int d = (int) p.rank - 1; d >= 0; d--) {
        long long size = p.shape[d];
        long long idx = rem % size;
        rem /= size;
        ao += idx * p.aStrides[d];
        bo += idx * p.bStrides[d];
    }
    *aOff = ao;
    *bOff = bo;
}

template <typename T>
__device__ void compare_contig(int op, const T* a, const T* b, unsigned char* out, long long n) {
    TJ_FOR(i, n) {
        out[i] = tj_cmp<T>(op, a[i], b[i]);
    }
}

template <typename T>
__device__ void compare_nd(int op, const T* a, const T* b, unsigned char* out, long long n, const CmpArgs& p) {
    TJ_FOR(i, n) {
        long long ao;
        long long bo;
        tj_cmp_offsets(i, p, &ao, &bo);
        out[i] = tj_cmp<T>(op, a[ao], b[bo]);
    }
}

// type: the operands' ScalarType ordinal. out is a new bool storage, never an input.
extern "C" __global__ void tj_compare_contig(int op, int type, const void* a, const void* b, unsigned char* out,
                                            long long n) {
    switch (type) {
        case TJ_F32: compare_contig<float>(op, (const float*) a, (const float*) b, out, n); break;
        case TJ_I64: compare_contig<long long>(op, (const long long*) a, (const long long*) b, out, n); break;
        default: compare_contig<unsigned char>(op, (const unsigned char*) a, (const unsigned char*) b, out, n); break;
    }
}

extern "C" __global__ void tj_compare_nd(int op, int type, const void* a, const void* b, unsigned char* out,
                                        long long n, const CmpArgs p) {
    switch (type) {
        case TJ_F32: compare_nd<float>(op, (const float*) a, (const float*) b, out, n, p); break;
        case TJ_I64: compare_nd<long long>(op, (const long long*) a, (const long long*) b, out, n, p); break;
        default: compare_nd<unsigned char>(op, (const unsigned char*) a, (const unsigned char*) b, out, n, p); break;
    }
}

// out = cond ? a : b, all four of one shape. cond: bool bytes.
extern "C" __global__ void tj_where_contig(const unsigned char* cond, const float* a, const float* b, float* out,
                                          long long n) {
    TJ_FOR(i, n) {
        out[i] = cond[i] ? a[i] : b[i];
    }
}

// cond is laid out as out (read at i); a and b broadcast by the plan.
extern "C" __global__ void tj_where_nd(const unsigned char* cond, const float* a, const float* b, float* out,
                                      long long n, const CmpArgs p) {
    TJ_FOR(i, n) {
        long long ao;
        long long bo;
        tj_cmp_offsets(i, p, &ao, &bo);
        out[i] = cond[i] ? a[ao] : b[bo];
    }
}
