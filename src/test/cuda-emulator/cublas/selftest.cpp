/* Self-test of the emulated cuBLAS (build.sh runs it after each build; about a second).
 *
 * It links against the built libcublas.so.12 and defines the three emu.h functions itself: an
 * executable's symbols come first in the dynamic linker's search, so the library's calls land here
 * and not in libcuda.so.1. tjemu_submit runs the work inline and keeps its return code, as a
 * context's sticky error; tjemu_is_device_range knows the buffers this test "allocates".
 * The real driver's asynchronous streams are exercised by tensorj's CUDA tests under Maven.
 *
 * Checks: every transpose combination on odd shapes against a double-precision reference and,
 * bit for bit, against a plain float loop in the documented summation order; padded leading
 * dimensions (padding neither read nor written); beta == 0 over NaN-filled C; alpha == 0; k == 0;
 * m == 0 / n == 0 quick returns; each invalid argument -> CUBLAS_STATUS_INVALID_VALUE; null and
 * destroyed handles -> CUBLAS_STATUS_NOT_INITIALIZED; TF32 math (round to nearest even, differs
 * from FP32); strided batches; a matrix outside device memory -> sticky CUDA_ERROR_ILLEGAL_ADDRESS;
 * the handle/stream/mode/version functions; and the speed of a 1024x1024x784 product. */
#include "../emu.h"

#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

extern "C" {
typedef struct Handle_st *Handle;
int cublasCreate_v2(Handle *);
int cublasDestroy_v2(Handle);
int cublasSetStream_v2(Handle, CUstream);
int cublasGetStream_v2(Handle, CUstream *);
int cublasSetMathMode(Handle, int);
int cublasGetMathMode(Handle, int *);
int cublasGetVersion_v2(Handle, int *);
int cublasGetProperty(int, int *);
int cublasSetPointerMode_v2(Handle, int);
int cublasGetPointerMode_v2(Handle, int *);
int cublasSgemm_v2(Handle, int, int, int, int, int, const float *, const float *, int, const float *, int,
                   const float *, float *, int);
int cublasSgemmStridedBatched(Handle, int, int, int, int, int, const float *, const float *, int, long long,
                              const float *, int, long long, const float *, float *, int, long long, int);
int cublasDgemm_v2(Handle, int, int, int, int, int, const double *, const double *, int, const double *, int,
                   const double *, double *, int);
}

/* ---- the three emu.h functions, inline ---- */
static int g_sticky = 0;
static int g_submits = 0;
static int g_logs = 0;
struct Range { const char *lo; size_t bytes; };
static std::vector<Range> g_device;

extern "C" CUresult tjemu_submit(CUstream, int (*fn)(void *), void *arg) {
    g_submits++;
    int r = fn(arg);
    if (r != 0 && g_sticky == 0) g_sticky = r;
    return 0;
}

extern "C" int tjemu_is_device_range(const void *ptr, unsigned long long bytes) {
    const char *p = static_cast<const char *>(ptr);
    for (const Range &r : g_device) {
        if (p >= r.lo && p + bytes <= r.lo + r.bytes) return 1;
    }
    return 0;
}

/* Kept quiet (the test provokes messages on purpose); TJ_SELFTEST_VERBOSE=1 prints them. */
extern "C" void tjemu_log(const char *fmt, ...) {
    g_logs++;
    if (std::getenv("TJ_SELFTEST_VERBOSE") == nullptr) return;
    va_list ap;
    va_start(ap, fmt);
    std::fprintf(stderr, "tensorj CUDA emulator: ");
    std::vfprintf(stderr, fmt, ap);
    std::fprintf(stderr, "\n");
    va_end(ap);
}

/* ---- helpers ---- */
static int g_failures = 0;
static int g_checks = 0;
#define CHECK(cond, ...)                                                                                    \
    do {                                                                                                    \
        g_checks++;                                                                                         \
        if (!(cond)) {                                                                                      \
            g_failures++;                                                                                   \
            if (g_failures <= 30) {                                                                         \
                std::fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                        \
                std::fprintf(stderr, __VA_ARGS__);                                                          \
                std::fprintf(stderr, "\n");                                                                 \
            }                                                                                               \
        }                                                                                                   \
    } while (0)

static std::mt19937 rng(12345);

/* "Device" memory: a registered host buffer. */
static float *dev_alloc(size_t n) {
    float *p = static_cast<float *>(std::malloc((n ? n : 1) * sizeof(float)));
    g_device.push_back({reinterpret_cast<const char *>(p), (n ? n : 1) * sizeof(float)});
    return p;
}

static float random_float() {
    // Random mantissa bits (so TF32 rounding matters), values in [-2, 2].
    return std::uniform_real_distribution<float>(-2.0f, 2.0f)(rng);
}

/* The reference TF32 rounding, written independently of cublas.cpp's bit arithmetic: scale the
 * significand to 11 bits (1 implicit + 10 explicit), round to nearest even with rint (the default
 * rounding mode), scale back. Exact in double for every normal float; infinities and NaN pass. */
static float tf32(float x) {
    if (!std::isfinite(x) || x == 0.0f) return x;
    int e;
    double m = std::frexp((double) x, &e); /* x = m * 2^e, 0.5 <= |m| < 1 */
    return (float) std::ldexp(std::rint(std::ldexp(m, 11)), e - 11);
}

static bool same_bits(float a, float b) { return std::memcmp(&a, &b, 4) == 0; }

enum { OP_N = 0, OP_T = 1, OP_C = 2 };

struct Case {
    int ta, tb, m, n, k, pad; // pad: extra rows in every leading dimension
    float alpha, beta;
    bool nan_c; // C starts as NaN (only meaningful with beta == 0)
    bool tf32;
};

static const char *opname(int op) { return op == OP_N ? "N" : op == OP_T ? "T" : "C"; }

static void run_case(Handle h, const Case &c) {
    const int arows = c.ta == OP_N ? c.m : c.k, acols = c.ta == OP_N ? c.k : c.m;
    const int brows = c.tb == OP_N ? c.k : c.n, bcols = c.tb == OP_N ? c.n : c.k;
    const int lda = std::max(1, arows + c.pad), ldb = std::max(1, brows + c.pad), ldc = std::max(1, c.m + c.pad);
    const float NaN = std::nanf("");
    float *A = dev_alloc((size_t) lda * acols), *B = dev_alloc((size_t) ldb * bcols), *C = dev_alloc((size_t) ldc * c.n);
    // Padding holds NaN: reading it would poison a result, writing it would be seen below.
    for (int j = 0; j < acols; j++) for (int i = 0; i < lda; i++) A[i + (size_t) j * lda] = i < arows ? random_float() : NaN;
    for (int j = 0; j < bcols; j++) for (int i = 0; i < ldb; i++) B[i + (size_t) j * ldb] = i < brows ? random_float() : NaN;
    for (int j = 0; j < c.n; j++) for (int i = 0; i < ldc; i++) C[i + (size_t) j * ldc] = i < c.m && !c.nan_c ? random_float() : NaN;
    std::vector<float> C0(C, C + (size_t) ldc * c.n);
    auto a = [&](int i, int p) { float v = c.ta == OP_N ? A[i + (size_t) p * lda] : A[p + (size_t) i * lda]; return c.tf32 ? tf32(v) : v; };
    auto b = [&](int p, int j) { float v = c.tb == OP_N ? B[p + (size_t) j * ldb] : B[j + (size_t) p * ldb]; return c.tf32 ? tf32(v) : v; };

    CHECK(cublasSetMathMode(h, c.tf32 ? 3 : 0) == 0, "set math");
    int sticky0 = g_sticky;
    int st = cublasSgemm_v2(h, c.ta, c.tb, c.m, c.n, c.k, &c.alpha, A, lda, B, ldb, &c.beta, C, ldc);
    char what[160];
    std::snprintf(what, sizeof what, "%s%s m=%d n=%d k=%d pad=%d alpha=%g beta=%g%s%s", opname(c.ta), opname(c.tb),
                  c.m, c.n, c.k, c.pad, c.alpha, c.beta, c.nan_c ? " NaN-C" : "", c.tf32 ? " TF32" : "");
    CHECK(st == 0, "%s: status %d", what, st);
    CHECK(g_sticky == sticky0, "%s: sticky error %d", what, g_sticky);
    int bad_exact = 0, bad_ref = 0, bad_pad = 0;
    for (int j = 0; j < c.n; j++) {
        for (int i = 0; i < ldc; i++) {
            float got = C[i + (size_t) j * ldc];
            if (i >= c.m) { bad_pad += !same_bits(got, C0[i + (size_t) j * ldc]); continue; }
            float c0 = C0[i + (size_t) j * ldc];
            // The documented order: a float sum over p ascending, then alpha*sum + beta*C.
            float acc = 0.0f;
            double ref = 0.0, mag = 0.0;
            for (int p = 0; p < c.k; p++) {
                acc += a(i, p) * b(p, j);
                ref += (double) a(i, p) * (double) b(p, j);
                mag += std::fabs((double) a(i, p) * (double) b(p, j));
            }
            float want;
            if (c.k == 0 || c.alpha == 0.0f) want = c.beta == 0.0f ? 0.0f : c.beta * c0;
            else want = c.beta == 0.0f ? c.alpha * acc : c.alpha * acc + c.beta * c0;
            double dref = (double) c.alpha * ref + (c.beta == 0.0f ? 0.0 : (double) c.beta * c0);
            double cmag = c.beta == 0.0f ? 0.0 : std::fabs((double) c.beta * c0);
            double tol = (c.k + 3) * 1.2e-7 * (std::fabs(c.alpha) * mag + cmag) + 1e-30;
            bad_exact += !same_bits(got, want);
            bad_ref += !(std::fabs((double) got - dref) <= tol);
        }
    }
    CHECK(bad_exact == 0, "%s: %d elements differ from the float loop", what, bad_exact);
    CHECK(bad_ref == 0, "%s: %d elements off the double reference", what, bad_ref);
    CHECK(bad_pad == 0, "%s: %d padding elements of C written", what, bad_pad);
}

/* An invalid call must return 7 and leave C alone. */
static void invalid(Handle h, int ta, int tb, int m, int n, int k, int lda, int ldb, int ldc, const char *what) {
    float one = 1.0f, zero = 0.0f;
    float *buf = dev_alloc(4096);
    for (int i = 0; i < 4096; i++) buf[i] = 7.0f;
    int submits = g_submits;
    int st = cublasSgemm_v2(h, ta, tb, m, n, k, &one, buf, lda, buf, ldb, &zero, buf, ldc);
    CHECK(st == 7, "%s: status %d, wanted CUBLAS_STATUS_INVALID_VALUE (7)", what, st);
    CHECK(g_submits == submits, "%s: work was queued", what);
}

static float gemm11(Handle h, float a, float b) {
    float *A = dev_alloc(1), *B = dev_alloc(1), *C = dev_alloc(1);
    *A = a; *B = b; *C = std::nanf("");
    float one = 1.0f, zero = 0.0f;
    CHECK(cublasSgemm_v2(h, OP_N, OP_N, 1, 1, 1, &one, A, 1, B, 1, &zero, C, 1) == 0, "1x1x1");
    return *C;
}

int main() {
    auto t0 = std::chrono::steady_clock::now();
    Handle h = nullptr;
    CHECK(cublasCreate_v2(&h) == 0 && h != nullptr, "create");

    /* handle, stream, modes, version */
    CUstream s = reinterpret_cast<CUstream>(0x1234), got = nullptr;
    CHECK(cublasGetStream_v2(h, &got) == 0 && got == nullptr, "a new handle uses the default stream");
    CHECK(cublasSetStream_v2(h, s) == 0 && cublasGetStream_v2(h, &got) == 0 && got == s, "set/get stream");
    CHECK(cublasSetStream_v2(h, nullptr) == 0, "back to the default stream");
    int mode = -1;
    CHECK(cublasGetMathMode(h, &mode) == 0 && mode == 0, "default math mode %d", mode);
    CHECK(cublasSetMathMode(h, 3) == 0 && cublasGetMathMode(h, &mode) == 0 && mode == 3, "TF32 math mode");
    CHECK(cublasSetMathMode(h, 2 | 16) == 0 && cublasGetMathMode(h, &mode) == 0 && mode == 18, "pedantic|disallow");
    CHECK(cublasSetMathMode(h, 4) == 7, "math mode 4 is invalid");
    CHECK(cublasSetMathMode(h, 0) == 0, "default math");
    CHECK(cublasGetPointerMode_v2(h, &mode) == 0 && mode == 0, "host pointer mode");
    CHECK(cublasSetPointerMode_v2(h, 0) == 0, "host pointer mode accepted");
    CHECK(cublasSetPointerMode_v2(h, 1) == 15, "device pointer mode not supported");
    CHECK(cublasSetPointerMode_v2(h, 2) == 7, "pointer mode 2 invalid");
    int v = 0;
    CHECK(cublasGetVersion_v2(h, &v) == 0 && v / 10000 == 12, "version %d", v);
    CHECK(cublasGetProperty(0, &v) == 0 && v == 12, "major %d", v);
    CHECK(cublasGetProperty(1, &v) == 0 && cublasGetProperty(2, &v) == 0, "minor, patch");
    CHECK(cublasGetProperty(3, &v) == 7, "property 3 invalid");
    float one = 1.0f, zero = 0.0f, x = 1.0f;
    float *d = dev_alloc(1);
    CHECK(cublasSgemm_v2(nullptr, 0, 0, 1, 1, 1, &one, d, 1, d, 1, &zero, d, 1) == 1, "null handle");
    Handle dead = nullptr;
    CHECK(cublasCreate_v2(&dead) == 0 && cublasDestroy_v2(dead) == 0, "create/destroy");
    CHECK(cublasSgemm_v2(dead, 0, 0, 1, 1, 1, &one, d, 1, d, 1, &zero, d, 1) == 1, "destroyed handle");
    CHECK(cublasSetStream_v2(dead, nullptr) == 1 && cublasSetMathMode(dead, 0) == 1, "destroyed handle (2)");
    CHECK(cublasDestroy_v2(dead) == 1, "double destroy");

    /* a stub: NOT_SUPPORTED, logged once */
    double dd = 0;
    int logs = g_logs;
    CHECK(cublasDgemm_v2(h, 0, 0, 1, 1, 1, &dd, &dd, 1, &dd, 1, &dd, &dd, 1) == 15, "a stub returns 15");
    CHECK(cublasDgemm_v2(h, 0, 0, 1, 1, 1, &dd, &dd, 1, &dd, 1, &dd, &dd, 1) == 15, "a stub returns 15 again");
    CHECK(g_logs == logs + 1, "a stub logs once (%d lines)", g_logs - logs);

    /* products */
    const int shapes[][3] = {{17, 33, 65}, {1, 1, 1}, {8, 4, 3}, {9, 5, 1}, {31, 7, 129}, {64, 64, 64}, {3, 40, 2}};
    const int ops[] = {OP_N, OP_T};
    for (auto &sh : shapes) {
        for (int ta : ops) for (int tb : ops) {
            run_case(h, {ta, tb, sh[0], sh[1], sh[2], 0, 1.0f, 0.0f, true, false});
            run_case(h, {ta, tb, sh[0], sh[1], sh[2], 3, 0.5f, -2.0f, false, false});
            run_case(h, {ta, tb, sh[0], sh[1], sh[2], 1, -1.5f, 0.0f, true, false});
            run_case(h, {ta, tb, sh[0], sh[1], sh[2], 2, 1.0f, 0.0f, true, true});
            run_case(h, {ta, tb, sh[0], sh[1], sh[2], 0, 2.0f, 0.75f, false, true});
        }
    }
    run_case(h, {OP_C, OP_C, 17, 33, 65, 1, 1.0f, 0.5f, false, false}); // OP_C on real data = OP_T
    run_case(h, {OP_N, OP_C, 5, 6, 7, 0, 1.0f, 0.0f, true, false});
    run_case(h, {OP_N, OP_N, 17, 33, 65, 2, 0.0f, 3.0f, false, false});  // alpha == 0: C = beta*C
    run_case(h, {OP_T, OP_N, 17, 33, 65, 2, 0.0f, 0.0f, true, false});   // alpha == beta == 0: zeros over NaN
    run_case(h, {OP_N, OP_T, 17, 33, 0, 2, 1.0f, 0.25f, false, false});  // k == 0: C = beta*C
    run_case(h, {OP_N, OP_N, 17, 33, 0, 0, 1.0f, 0.0f, true, false});    // k == 0, beta == 0: zeros over NaN

    /* quick returns: nothing queued, C untouched, but arguments are still checked */
    int submits = g_submits;
    float c7 = 7.0f;
    CHECK(cublasSgemm_v2(h, 0, 0, 0, 5, 3, &one, d, 1, d, 3, &zero, &c7, 1) == 0, "m == 0");
    CHECK(cublasSgemm_v2(h, 0, 0, 4, 0, 3, &one, d, 4, d, 3, &zero, &c7, 4) == 0, "n == 0");
    CHECK(cublasSgemmStridedBatched(h, 0, 0, 4, 4, 3, &one, d, 4, 0, d, 3, 0, &zero, &c7, 4, 0, 0) == 0, "batch 0");
    CHECK(g_submits == submits && c7 == 7.0f, "quick returns queue nothing");

    /* invalid arguments */
    invalid(h, 0, 0, -1, 2, 2, 1, 2, 1, "m < 0");
    invalid(h, 0, 0, 2, -1, 2, 2, 2, 2, "n < 0");
    invalid(h, 0, 0, 2, 2, -1, 2, 1, 2, "k < 0");
    invalid(h, 3, 0, 2, 2, 2, 2, 2, 2, "transa 3");
    invalid(h, 0, -1, 2, 2, 2, 2, 2, 2, "transb -1");
    invalid(h, 0, 0, 4, 2, 3, 3, 3, 4, "lda < m (N)");
    invalid(h, 1, 0, 4, 2, 3, 2, 3, 4, "lda < k (T)");
    invalid(h, 0, 0, 4, 2, 3, 4, 2, 4, "ldb < k (N)");
    invalid(h, 0, 1, 4, 2, 3, 4, 1, 4, "ldb < n (T)");
    invalid(h, 0, 0, 4, 2, 3, 4, 3, 3, "ldc < m");
    invalid(h, 0, 0, 0, 2, 3, 0, 3, 1, "lda 0 with m == 0 (must be >= 1)");
    invalid(h, 0, 0, 0, 2, 3, 1, 3, 0, "ldc 0 with m == 0 (must be >= 1)");
    invalid(h, 0, 0, 2, 2, 0, 2, 0, 2, "ldb 0 with k == 0 (must be >= 1)");
    invalid(h, 1, 0, 4, 2, 0, 0, 1, 4, "lda 0 with k == 0, T (must be >= 1)");
    invalid(h, 0, 0, 2, 0, 3, 2, 3, 1, "ldc 1 < m with n == 0");
    CHECK(cublasSgemm_v2(h, 0, 0, 1, 1, 1, nullptr, d, 1, d, 1, &zero, d, 1) == 7, "alpha NULL");
    CHECK(cublasSgemm_v2(h, 0, 0, 1, 1, 1, &one, d, 1, d, 1, nullptr, d, 1) == 7, "beta NULL");
    CHECK(cublasSgemmStridedBatched(h, 0, 0, 1, 1, 1, &one, d, 1, 0, d, 1, 0, &zero, d, 1, 0, -1) == 7, "batch < 0");
    CHECK(cublasSgemmStridedBatched(h, 0, 0, 4, 4, 3, &one, d, 3, 0, d, 3, 0, &zero, d, 4, 0, 1) == 7,
          "strided: lda < m");

    /* TF32: round to nearest, ties to even, at 10 explicit mantissa bits */
    CHECK(cublasSetMathMode(h, 3) == 0, "TF32");
    const float u10 = std::ldexp(1.0f, -10), u11 = std::ldexp(1.0f, -11), u20 = std::ldexp(1.0f, -20);
    CHECK(gemm11(h, 1.0f + u11, 1.0f) == 1.0f, "tie rounds to even (down): %a", gemm11(h, 1.0f + u11, 1.0f));
    CHECK(gemm11(h, 1.0f + u10 + u11, 1.0f) == 1.0f + 2 * u10, "tie rounds to even (up)");
    CHECK(gemm11(h, 1.0f + u11 + u20, 1.0f) == 1.0f + u10, "above the tie rounds up");
    CHECK(gemm11(h, -(1.0f + u11 + u20), 1.0f) == -(1.0f + u10), "negative values round by magnitude");
    CHECK(gemm11(h, 1.0f + u20, 1.0f + u20) == 1.0f, "low bits dropped on both sides");
    CHECK(gemm11(h, 3.0f, 5.0f) == 15.0f, "TF32-exact inputs unchanged");
    CHECK(std::isinf(gemm11(h, INFINITY, 1.0f)) && std::isnan(gemm11(h, std::nanf(""), 1.0f)), "inf, NaN");
    CHECK(gemm11(h, 3.4028235e38f, 1.0f) == INFINITY, "FLT_MAX rounds to infinity in TF32");
    CHECK(cublasSetMathMode(h, 0) == 0, "FP32");
    CHECK(gemm11(h, 1.0f + u11 + u20, 1.0f) == 1.0f + u11 + u20, "FP32 keeps every bit");
    {   // the same random product differs between the modes
        const int m = 16, n = 16, k = 32;
        float *A = dev_alloc(m * k), *B = dev_alloc(k * n), *C1 = dev_alloc(m * n), *C2 = dev_alloc(m * n);
        for (int i = 0; i < m * k; i++) A[i] = random_float();
        for (int i = 0; i < k * n; i++) B[i] = random_float();
        cublasSetMathMode(h, 0);
        cublasSgemm_v2(h, 0, 0, m, n, k, &one, A, m, B, k, &zero, C1, m);
        cublasSetMathMode(h, 3);
        cublasSgemm_v2(h, 0, 0, m, n, k, &one, A, m, B, k, &zero, C2, m);
        cublasSetMathMode(h, 0);
        int differ = 0;
        for (int i = 0; i < m * n; i++) differ += C1[i] != C2[i];
        CHECK(differ > m * n / 2, "TF32 and FP32 differ on %d of %d elements", differ, m * n);
    }

    /* strided batched: padded strides, a shared (stride 0) B, transposes */
    for (int ta : ops) for (int tb : ops) {
        const int m = 13, n = 9, k = 21, batch = 4, lda = (ta == OP_N ? m : k) + 2, ldb = (tb == OP_N ? k : n) + 1,
                  ldc = m + 3;
        const int acols = ta == OP_N ? k : m, bcols = tb == OP_N ? n : k;
        const long long sA = (long long) lda * acols + 5, sB = 0, sC = (long long) ldc * n + 7;
        float *A = dev_alloc(sA * batch), *B = dev_alloc((size_t) ldb * bcols), *C = dev_alloc(sC * batch);
        for (long long i = 0; i < sA * batch; i++) A[i] = random_float();
        for (int i = 0; i < ldb * bcols; i++) B[i] = random_float();
        for (long long i = 0; i < sC * batch; i++) C[i] = random_float();
        std::vector<float> C0(C, C + sC * batch);
        float alpha = 1.25f, beta = -0.5f;
        CHECK(cublasSgemmStridedBatched(h, ta, tb, m, n, k, &alpha, A, lda, sA, B, ldb, sB, &beta, C, ldc, sC, batch) == 0,
              "strided batched");
        int bad = 0, untouched = 0;
        for (int bt = 0; bt < batch; bt++) {
            const float *a = A + bt * sA, *c0 = C0.data() + bt * sC, *c = C + bt * sC;
            for (long long e = 0; e < sC; e++) {
                int i = (int) (e % ldc), j = (int) (e / ldc);
                if (i >= m || j >= n) { untouched += !same_bits(c[e], c0[e]); continue; }
                float acc = 0.0f;
                for (int p = 0; p < k; p++) {
                    float av = ta == OP_N ? a[i + p * lda] : a[p + i * lda];
                    float bv = tb == OP_N ? B[p + j * ldb] : B[j + p * ldb];
                    acc += av * bv;
                }
                bad += !same_bits(c[e], alpha * acc + beta * c0[e]);
            }
        }
        CHECK(bad == 0 && untouched == 0, "strided batched %s%s: %d wrong, %d outside written", opname(ta), opname(tb),
              bad, untouched);
    }

    /* memory a GPU could not reach: a sticky device fault, as on a GPU */
    {
        float host_c[4] = {0, 0, 0, 0};
        float *A = dev_alloc(4), *B = dev_alloc(4);
        int before = g_sticky;
        CHECK(cublasSgemm_v2(h, 0, 0, 2, 2, 2, &one, A, 2, B, 2, &zero, host_c, 2) == 0, "queued");
        CHECK(before == 0 && g_sticky == 700, "C in host memory: sticky %d, wanted 700", g_sticky);
        g_sticky = 0;
        CHECK(cublasSgemm_v2(h, 0, 0, 2, 2, 3, &one, A, 2, B, 3, &zero, dev_alloc(4), 2) == 0, "queued");
        CHECK(g_sticky == 700, "A and B past their allocations: sticky %d, wanted 700", g_sticky);
        g_sticky = 0;
    }

    /* speed of the tests' largest product */
    {
        const int m = 1024, n = 1024, k = 784;
        float *A = dev_alloc((size_t) m * k), *B = dev_alloc((size_t) k * n), *C = dev_alloc((size_t) m * n);
        for (size_t i = 0; i < (size_t) m * k; i++) A[i] = random_float();
        for (size_t i = 0; i < (size_t) k * n; i++) B[i] = random_float();
        auto s0 = std::chrono::steady_clock::now();
        cublasSgemm_v2(h, OP_T, OP_N, m, n, k, &x, A, k, B, k, &zero, C, m);
        double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - s0).count();
        std::printf("selftest: 1024x1024x784 sgemm (TN) in %.3f s, %.1f GFLOP/s\n", sec, 2.0 * m * n * k / sec / 1e9);
        CHECK(sec < 5.0, "1024x1024x784 took %.1f s", sec);
    }

    CHECK(cublasDestroy_v2(h) == 0, "destroy");
    for (const Range &r : g_device) std::free(const_cast<char *>(r.lo));
    double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("selftest: %d checks, %d failed (%.2f s)\n", g_checks, g_failures, total);
    return g_failures == 0 ? 0 : 1;
}
