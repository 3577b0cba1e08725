/* The emulated cuBLAS: the handful of cuBLAS functions tensorj calls, computed on the CPU and run
 * on the handle's stream through the emulated driver (emu.h). Test infrastructure only: it lets
 * the CUDA tests run where there is no GPU. Every other function libJCublas2 imports is a
 * generated stub (build.sh) that returns CUBLAS_STATUS_NOT_SUPPORTED.
 *
 * Semantics follow NVIDIA's cuBLAS documentation for gemm: column-major,
 * C = alpha*op(A)*op(B) + beta*C, float accumulation, argument checks with the documented status
 * codes, quick return for m == 0 or n == 0, C never read when beta == 0, alpha and beta read at call
 * time (host pointer mode), the product queued on the handle's stream and the call returning at
 * once. In math mode CUBLAS_TF32_TENSOR_OP_MATH the inputs of each product are rounded to TF32.
 *
 * Every export is a cublas* symbol; build.sh reads them from the object file (nm) to know which of
 * libJCublas2's imports need no stub. Enum values as in cublas_api.h (not included: the build needs
 * no CUDA headers). */
#include "../emu.h"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <unordered_set>

#ifndef TJ_CUBLAS_MAJOR
#error "build.sh defines TJ_CUBLAS_MAJOR (12 or 13)"
#endif

namespace {

enum Status {
    SUCCESS = 0,
    NOT_INITIALIZED = 1,
    ALLOC_FAILED = 3,
    INVALID_VALUE = 7,
    EXECUTION_FAILED = 13,
    NOT_SUPPORTED = 15,
};
enum Op { OP_N = 0, OP_T = 1, OP_C = 2 };
enum PointerMode { POINTER_MODE_HOST = 0, POINTER_MODE_DEVICE = 1 };
enum Math {
    DEFAULT_MATH = 0,
    TENSOR_OP_MATH = 1,
    PEDANTIC_MATH = 2,
    TF32_TENSOR_OP_MATH = 3,
    DISALLOW_REDUCED_PRECISION_REDUCTION = 16,
};
enum LibraryProperty { MAJOR_VERSION = 0, MINOR_VERSION = 1, PATCH_LEVEL = 2 };

constexpr int VERSION_MAJOR = TJ_CUBLAS_MAJOR;
constexpr int VERSION_MINOR = TJ_CUBLAS_MAJOR == 12 ? 6 : 0;
constexpr int VERSION_PATCH = 0;
constexpr int CUDA_ERROR_ILLEGAL_ADDRESS = 700;

struct Handle {
    CUstream stream = nullptr;
    int math = DEFAULT_MATH;
};

/* Live handles: a null or destroyed handle is CUBLAS_STATUS_NOT_INITIALIZED. */
std::mutex handles_lock;
std::unordered_set<Handle *> &handles() {
    static auto *set = new std::unordered_set<Handle *>(); // never destroyed: used until exit
    return *set;
}

bool live(Handle *h) {
    if (h == nullptr) return false;
    std::lock_guard<std::mutex> g(handles_lock);
    return handles().count(h) != 0;
}

/* FP32 -> TF32 (8 exponent bits, 10 explicit mantissa bits), round to nearest even; the value
 * stays a float with its low 13 bits zero. Infinities and NaNs pass unchanged. */
inline float to_tf32(float x) {
    uint32_t u;
    std::memcpy(&u, &x, 4);
    if ((u & 0x7f800000u) == 0x7f800000u) return x;
    u += 0x0fffu + ((u >> 13) & 1u);
    u &= 0xffffe000u;
    std::memcpy(&x, &u, 4);
    return x;
}

/* One gemm (or a strided batch of them), captured at call time, run later on the stream. */
struct Gemm {
    int transa, transb;
    int64_t m, n, k;
    float alpha, beta;
    const float *A;
    int64_t lda, strideA;
    const float *B;
    int64_t ldb, strideB;
    float *C;
    int64_t ldc, strideC;
    int64_t batch;
    bool tf32;
};

constexpr int MR = 8; // rows of C per micro-tile (two 4-float vectors)
constexpr int NR = 4; // columns of C per micro-tile

typedef float v4 __attribute__((vector_size(16)));

inline v4 load4(const float *p) {
    v4 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

/* op(A) packed into panels of MR rows: panel ib holds rows ib*MR.. for every p, MR floats per p,
 * zero-padded past m. op(B) likewise in panels of NR columns. Rounded to TF32 when asked. */
void pack_a(const Gemm &g, const float *A, float *Ap) {
    const int64_t panels = (g.m + MR - 1) / MR;
    for (int64_t ib = 0; ib < panels; ib++) {
        float *dst = Ap + ib * MR * g.k;
        for (int64_t p = 0; p < g.k; p++) {
            for (int r = 0; r < MR; r++) {
                int64_t i = ib * MR + r;
                float v = 0.0f;
                if (i < g.m) v = g.transa == OP_N ? A[i + p * g.lda] : A[p + i * g.lda];
                dst[p * MR + r] = g.tf32 ? to_tf32(v) : v;
            }
        }
    }
}

void pack_b(const Gemm &g, const float *B, float *Bp) {
    const int64_t panels = (g.n + NR - 1) / NR;
    for (int64_t jb = 0; jb < panels; jb++) {
        float *dst = Bp + jb * NR * g.k;
        for (int64_t p = 0; p < g.k; p++) {
            for (int q = 0; q < NR; q++) {
                int64_t j = jb * NR + q;
                float v = 0.0f;
                if (j < g.n) v = g.transb == OP_N ? B[p + j * g.ldb] : B[j + p * g.ldb];
                dst[p * NR + q] = g.tf32 ? to_tf32(v) : v;
            }
        }
    }
}

/* C = alpha*acc + beta*C; C is not read when beta == 0. */
inline float combine(float acc, float alpha, float beta, const float *c) {
    return beta == 0.0f ? alpha * acc : alpha * acc + beta * *c;
}

/* Each C element is the float sum over p = 0, 1, ..., k-1 of op(A)(i,p)*op(B)(p,j), in that order
 * (no fused multiply-add: -ffp-contract=off), then alpha*sum + beta*C. */
void gemm_one(const Gemm &g, const float *A, const float *B, float *C, float *Ap, float *Bp) {
    if (g.k == 0 || g.alpha == 0.0f) {
        for (int64_t j = 0; j < g.n; j++) {
            float *c = C + j * g.ldc;
            for (int64_t i = 0; i < g.m; i++) c[i] = g.beta == 0.0f ? 0.0f : g.beta * c[i];
        }
        return;
    }
    pack_a(g, A, Ap);
    pack_b(g, B, Bp);
    const int64_t ipanels = (g.m + MR - 1) / MR, jpanels = (g.n + NR - 1) / NR, k = g.k;
    for (int64_t jb = 0; jb < jpanels; jb++) {
        const float *b = Bp + jb * NR * k;
        for (int64_t ib = 0; ib < ipanels; ib++) {
            const float *a = Ap + ib * MR * k;
            v4 c00 = {0, 0, 0, 0}, c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
            for (int64_t p = 0; p < k; p++) {
                const v4 a0 = load4(a + p * MR), a1 = load4(a + p * MR + 4);
                const float *bp = b + p * NR;
                c00 += a0 * bp[0];
                c01 += a1 * bp[0];
                c10 += a0 * bp[1];
                c11 += a1 * bp[1];
                c20 += a0 * bp[2];
                c21 += a1 * bp[2];
                c30 += a0 * bp[3];
                c31 += a1 * bp[3];
            }
            float acc[NR][MR];
            std::memcpy(&acc[0][0], &c00, 16);
            std::memcpy(&acc[0][4], &c01, 16);
            std::memcpy(&acc[1][0], &c10, 16);
            std::memcpy(&acc[1][4], &c11, 16);
            std::memcpy(&acc[2][0], &c20, 16);
            std::memcpy(&acc[2][4], &c21, 16);
            std::memcpy(&acc[3][0], &c30, 16);
            std::memcpy(&acc[3][4], &c31, 16);
            const int64_t i0 = ib * MR, j0 = jb * NR;
            const int rows = (int) (g.m - i0 < MR ? g.m - i0 : MR), cols = (int) (g.n - j0 < NR ? g.n - j0 : NR);
            for (int q = 0; q < cols; q++) {
                float *c = C + i0 + (j0 + q) * g.ldc;
                for (int r = 0; r < rows; r++) c[r] = combine(acc[q][r], g.alpha, g.beta, c + r);
            }
        }
    }
}

/* [lowest, highest) byte range a batch of matrices touches (rows x cols, leading dimension ld). */
bool range_ok(const float *base, int64_t rows, int64_t cols, int64_t ld, int64_t stride, int64_t batch) {
    if (rows == 0 || cols == 0 || batch == 0) return true;
    const int64_t span = (cols - 1) * ld + rows; // elements of one matrix
    const int64_t first = stride < 0 ? (batch - 1) * stride : 0;
    const int64_t last = stride < 0 ? span : (batch - 1) * stride + span;
    const float *lo = base + first;
    return tjemu_is_device_range(lo, (unsigned long long) (last - first) * sizeof(float)) != 0;
}

/* Runs on the stream's worker thread. Memory a GPU could not reach is a device fault: the context's
 * sticky CUDA_ERROR_ILLEGAL_ADDRESS, as a real kernel's out-of-bounds access would be. */
int run_gemm(void *arg) {
    Gemm *g = static_cast<Gemm *>(arg);
    const bool reads_ab = g->k > 0 && g->alpha != 0.0f;
    const char *bad = nullptr;
    if (!range_ok(g->C, g->m, g->n, g->ldc, g->strideC, g->batch)) bad = "C";
    else if (reads_ab && !range_ok(g->A, g->transa == OP_N ? g->m : g->k, g->transa == OP_N ? g->k : g->m,
                                   g->lda, g->strideA, g->batch)) bad = "A";
    else if (reads_ab && !range_ok(g->B, g->transb == OP_N ? g->k : g->n, g->transb == OP_N ? g->n : g->k,
                                   g->ldb, g->strideB, g->batch)) bad = "B";
    if (bad != nullptr) {
        tjemu_log("cuBLAS sgemm (m=%lld n=%lld k=%lld batch=%lld): matrix %s is not inside one device "
                  "allocation: CUDA_ERROR_ILLEGAL_ADDRESS",
                  (long long) g->m, (long long) g->n, (long long) g->k, (long long) g->batch, bad);
        delete g;
        return CUDA_ERROR_ILLEGAL_ADDRESS;
    }
    float *Ap = nullptr, *Bp = nullptr;
    if (reads_ab) {
        const size_t asize = (size_t) ((g->m + MR - 1) / MR * MR) * (size_t) g->k;
        const size_t bsize = (size_t) ((g->n + NR - 1) / NR * NR) * (size_t) g->k;
        Ap = static_cast<float *>(std::malloc(asize * sizeof(float)));
        Bp = static_cast<float *>(std::malloc(bsize * sizeof(float)));
        if (Ap == nullptr || Bp == nullptr) {
            tjemu_log("cuBLAS sgemm: out of host memory for packing (%zu + %zu floats)", asize, bsize);
            std::free(Ap);
            std::free(Bp);
            delete g;
            return CUDA_ERROR_ILLEGAL_ADDRESS;
        }
    }
    for (int64_t b = 0; b < g->batch; b++) {
        gemm_one(*g, g->A + b * g->strideA, g->B + b * g->strideB, g->C + b * g->strideC, Ap, Bp);
    }
    std::free(Ap);
    std::free(Bp);
    delete g;
    return 0;
}

int64_t max1(int64_t v) { return v > 1 ? v : 1; }

bool valid_op(int op) { return op == OP_N || op == OP_T || op == OP_C; }

/* Checks as documented for cublas<t>gemm and cublas<t>gemmStridedBatched, then queues the work. */
int sgemm(Handle *h, int transa, int transb, int64_t m, int64_t n, int64_t k, const float *alpha,
          const float *A, int64_t lda, int64_t strideA, const float *B, int64_t ldb, int64_t strideB,
          const float *beta, float *C, int64_t ldc, int64_t strideC, int64_t batch) {
    if (!live(h)) return NOT_INITIALIZED;
    if (m < 0 || n < 0 || k < 0 || batch < 0 || !valid_op(transa) || !valid_op(transb)) return INVALID_VALUE;
    if (lda < max1(transa == OP_N ? m : k) || ldb < max1(transb == OP_N ? k : n) || ldc < max1(m)) {
        return INVALID_VALUE;
    }
    if (alpha == nullptr || beta == nullptr) return INVALID_VALUE;
    if (m == 0 || n == 0 || batch == 0) return SUCCESS;
    if (C == nullptr) return INVALID_VALUE;
    // OP_C on real data is OP_T.
    Gemm *g = new (std::nothrow) Gemm{transa == OP_N ? OP_N : OP_T, transb == OP_N ? OP_N : OP_T, m, n, k,
                                      *alpha, *beta, A, lda, strideA, B, ldb, strideB, C, ldc, strideC, batch,
                                      (h->math & 0xf) == TF32_TENSOR_OP_MATH};
    if (g == nullptr) return ALLOC_FAILED;
    CUresult r = tjemu_submit(h->stream, run_gemm, g);
    if (r != 0) {
        delete g;
        tjemu_log("cuBLAS sgemm: the driver refused the launch (CUresult %d): CUBLAS_STATUS_EXECUTION_FAILED", r);
        return EXECUTION_FAILED;
    }
    return SUCCESS;
}

} // namespace

extern "C" {

int cublasCreate_v2(Handle **handle) {
    if (handle == nullptr) return INVALID_VALUE;
    Handle *h = new (std::nothrow) Handle();
    if (h == nullptr) return ALLOC_FAILED;
    {
        std::lock_guard<std::mutex> g(handles_lock);
        handles().insert(h);
    }
    *handle = h;
    return SUCCESS;
}

/* The handle's queued work keeps running: it holds copies of everything it needs. */
int cublasDestroy_v2(Handle *h) {
    {
        std::lock_guard<std::mutex> g(handles_lock);
        if (h == nullptr || handles().erase(h) == 0) return NOT_INITIALIZED;
    }
    delete h;
    return SUCCESS;
}

int cublasSetStream_v2(Handle *h, CUstream stream) {
    if (!live(h)) return NOT_INITIALIZED;
    h->stream = stream;
    return SUCCESS;
}

int cublasGetStream_v2(Handle *h, CUstream *stream) {
    if (!live(h)) return NOT_INITIALIZED;
    if (stream == nullptr) return INVALID_VALUE;
    *stream = h->stream;
    return SUCCESS;
}

int cublasSetMathMode(Handle *h, int mode) {
    if (!live(h)) return NOT_INITIALIZED;
    int base = mode & ~DISALLOW_REDUCED_PRECISION_REDUCTION;
    if (base < DEFAULT_MATH || base > TF32_TENSOR_OP_MATH) return INVALID_VALUE;
    if (base == TENSOR_OP_MATH) {
        static std::atomic<bool> said{false};
        if (!said.exchange(true)) {
            tjemu_log("cublasSetMathMode: CUBLAS_TENSOR_OP_MATH's FP16 rounding is not emulated; sgemm computes in FP32");
        }
    }
    h->math = mode;
    return SUCCESS;
}

int cublasGetMathMode(Handle *h, int *mode) {
    if (!live(h)) return NOT_INITIALIZED;
    if (mode == nullptr) return INVALID_VALUE;
    *mode = h->math;
    return SUCCESS;
}

int cublasGetVersion_v2(Handle *h, int *version) {
    (void) h; // the real library answers without a valid handle too
    if (version == nullptr) return INVALID_VALUE;
    *version = VERSION_MAJOR * 10000 + VERSION_MINOR * 100 + VERSION_PATCH;
    return SUCCESS;
}

int cublasGetProperty(int type, int *value) {
    if (value == nullptr) return INVALID_VALUE;
    switch (type) {
    case MAJOR_VERSION: *value = VERSION_MAJOR; return SUCCESS;
    case MINOR_VERSION: *value = VERSION_MINOR; return SUCCESS;
    case PATCH_LEVEL: *value = VERSION_PATCH; return SUCCESS;
    default: return INVALID_VALUE;
    }
}

/* Only the host pointer mode: alpha and beta are read from host memory when the call is made. */
int cublasSetPointerMode_v2(Handle *h, int mode) {
    if (!live(h)) return NOT_INITIALIZED;
    if (mode == POINTER_MODE_HOST) return SUCCESS;
    if (mode == POINTER_MODE_DEVICE) {
        tjemu_log("cublasSetPointerMode_v2: CUBLAS_POINTER_MODE_DEVICE is not emulated: CUBLAS_STATUS_NOT_SUPPORTED");
        return NOT_SUPPORTED;
    }
    return INVALID_VALUE;
}

int cublasGetPointerMode_v2(Handle *h, int *mode) {
    if (!live(h)) return NOT_INITIALIZED;
    if (mode == nullptr) return INVALID_VALUE;
    *mode = POINTER_MODE_HOST;
    return SUCCESS;
}

int cublasSgemm_v2(Handle *h, int transa, int transb, int m, int n, int k, const float *alpha, const float *A,
                   int lda, const float *B, int ldb, const float *beta, float *C, int ldc) {
    return sgemm(h, transa, transb, m, n, k, alpha, A, lda, 0, B, ldb, 0, beta, C, ldc, 0, 1);
}

int cublasSgemm_v2_64(Handle *h, int transa, int transb, int64_t m, int64_t n, int64_t k, const float *alpha,
                      const float *A, int64_t lda, const float *B, int64_t ldb, const float *beta, float *C,
                      int64_t ldc) {
    return sgemm(h, transa, transb, m, n, k, alpha, A, lda, 0, B, ldb, 0, beta, C, ldc, 0, 1);
}

int cublasSgemmStridedBatched(Handle *h, int transa, int transb, int m, int n, int k, const float *alpha,
                              const float *A, int lda, long long strideA, const float *B, int ldb,
                              long long strideB, const float *beta, float *C, int ldc, long long strideC,
                              int batchCount) {
    return sgemm(h, transa, transb, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC,
                 batchCount);
}

int cublasSgemmStridedBatched_64(Handle *h, int transa, int transb, int64_t m, int64_t n, int64_t k,
                                 const float *alpha, const float *A, int64_t lda, long long strideA,
                                 const float *B, int64_t ldb, long long strideB, const float *beta, float *C,
                                 int64_t ldc, long long strideC, int64_t batchCount) {
    return sgemm(h, transa, transb, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC,
                 batchCount);
}

} // extern "C"
