/* Second self-test of the emulated cuBLAS, on the real emulated driver (libcuda.so.1), with a
 * stream delay so that queued work is still pending when the call returns (build.sh runs it after
 * selftest.cpp; about a second). Checks what the inline test cannot: sgemm returns before the
 * product is done (cuStreamQuery says CUDA_ERROR_NOT_READY); alpha and beta are read at call time;
 * the product runs after the stream's earlier work and before its later work; the legacy default
 * stream; a destroyed stream or no current context -> CUBLAS_STATUS_EXECUTION_FAILED; C outside
 * device memory -> the context's sticky CUDA_ERROR_ILLEGAL_ADDRESS at the next synchronisation.
 * Driver prototypes written out here: the build needs no CUDA headers. */
#include "../emu.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

extern "C" {
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
typedef struct CUctx_st *CUcontext;
CUresult cuInit(unsigned int);
CUresult cuDeviceGet(CUdevice *, int);
CUresult cuDevicePrimaryCtxRetain(CUcontext *, CUdevice);
CUresult cuCtxSetCurrent(CUcontext);
CUresult cuCtxSynchronize(void);
CUresult cuStreamCreate(CUstream *, unsigned int);
CUresult cuStreamDestroy_v2(CUstream);
CUresult cuStreamQuery(CUstream);
CUresult cuStreamSynchronize(CUstream);
CUresult cuMemAlloc_v2(CUdeviceptr *, size_t);
CUresult cuMemFree_v2(CUdeviceptr);
CUresult cuMemcpyHtoD_v2(CUdeviceptr, const void *, size_t);
CUresult cuMemcpyDtoH_v2(void *, CUdeviceptr, size_t);
CUresult cuMemcpyDtoHAsync_v2(void *, CUdeviceptr, size_t, CUstream);
CUresult cuMemsetD32Async(CUdeviceptr, unsigned int, size_t, CUstream);

typedef struct Handle_st *Handle;
int cublasCreate_v2(Handle *);
int cublasDestroy_v2(Handle);
int cublasSetStream_v2(Handle, CUstream);
int cublasSetMathMode(Handle, int);
int cublasSgemm_v2(Handle, int, int, int, int, int, const float *, const float *, int, const float *, int,
                   const float *, float *, int);
}

static int g_failures = 0, g_checks = 0;
#define CHECK(cond, ...)                                                                                    \
    do {                                                                                                    \
        g_checks++;                                                                                         \
        if (!(cond)) {                                                                                      \
            g_failures++;                                                                                   \
            std::fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                            \
            std::fprintf(stderr, __VA_ARGS__);                                                              \
            std::fprintf(stderr, "\n");                                                                     \
        }                                                                                                   \
    } while (0)

static float *dptr(CUdeviceptr p) { return reinterpret_cast<float *>(p); }

int main() {
    // Read by cuInit: every queued op waits 50 ms, long enough that a check expecting the host to
    // be ahead of the stream holds even when the host thread is descheduled on a loaded machine.
    setenv("TENSORJ_EMU_STREAM_DELAY_US", "50000", 1);
    CUdevice dev = 0;
    CUcontext ctx = nullptr;
    CHECK(cuInit(0) == 0 && cuDeviceGet(&dev, 0) == 0 && cuDevicePrimaryCtxRetain(&ctx, dev) == 0
          && cuCtxSetCurrent(ctx) == 0, "driver set-up");
    CUstream s = nullptr;
    CHECK(cuStreamCreate(&s, 0) == 0, "stream");
    Handle h = nullptr;
    CHECK(cublasCreate_v2(&h) == 0 && cublasSetStream_v2(h, s) == 0, "handle on the stream");

    const int m = 37, n = 19, k = 23;
    std::vector<float> a(m * k), b(k * n), c(m * n);
    for (int i = 0; i < m * k; i++) a[i] = (float) ((i * 7) % 13) - 6.0f;
    for (int i = 0; i < k * n; i++) b[i] = (float) ((i * 5) % 11) * 0.25f - 1.0f;
    CUdeviceptr A = 0, B = 0, C = 0;
    CHECK(cuMemAlloc_v2(&A, a.size() * 4) == 0 && cuMemAlloc_v2(&B, b.size() * 4) == 0
          && cuMemAlloc_v2(&C, c.size() * 4) == 0, "alloc");
    CHECK(cuMemcpyHtoD_v2(A, a.data(), a.size() * 4) == 0 && cuMemcpyHtoD_v2(B, b.data(), b.size() * 4) == 0, "copy");
    auto expect = [&](int i, int j, float alpha, float beta, float c0) {
        float acc = 0.0f;
        for (int p = 0; p < k; p++) acc += a[i + p * m] * b[p + j * k];
        return alpha * acc + beta * c0;
    };

    /* earlier work on the stream (C = 1.0), then the product with beta = 1; scalars changed at once */
    float one_bits = 1.0f;
    unsigned int bits;
    std::memcpy(&bits, &one_bits, 4);
    CHECK(cuMemsetD32Async(C, bits, c.size(), s) == 0, "memset");
    float alpha = 2.0f, beta = 1.0f;
    CHECK(cublasSgemm_v2(h, 0, 0, m, n, k, &alpha, dptr(A), m, dptr(B), k, &beta, dptr(C), m) == 0, "sgemm");
    CHECK(cuStreamQuery(s) == 600, "the call returned before the product ran (CUDA_ERROR_NOT_READY expected)");
    alpha = -100.0f; // must not matter: host pointer mode reads the scalars when the call is made
    beta = -100.0f;
    std::vector<float> got(m * n, std::nanf(""));
    CHECK(cuMemcpyDtoHAsync_v2(got.data(), C, got.size() * 4, s) == 0, "async copy back, after the product");
    CHECK(cuStreamSynchronize(s) == 0, "synchronize");
    int bad = 0;
    for (int j = 0; j < n; j++) for (int i = 0; i < m; i++) bad += got[i + j * m] != expect(i, j, 2.0f, 1.0f, 1.0f);
    CHECK(bad == 0, "stream order and call-time scalars: %d of %d elements wrong", bad, m * n);

    /* the legacy default stream, TF32-exact inputs give the same result in TF32 mode */
    CHECK(cublasSetStream_v2(h, nullptr) == 0 && cublasSetMathMode(h, 3) == 0, "default stream, TF32");
    float one = 1.0f, zero = 0.0f;
    CHECK(cublasSgemm_v2(h, 0, 0, m, n, k, &one, dptr(A), m, dptr(B), k, &zero, dptr(C), m) == 0, "sgemm");
    CHECK(cuCtxSynchronize() == 0 && cuMemcpyDtoH_v2(got.data(), C, got.size() * 4) == 0, "sync, copy");
    bad = 0;
    for (int j = 0; j < n; j++) for (int i = 0; i < m; i++) bad += got[i + j * m] != expect(i, j, 1.0f, 0.0f, 0.0f);
    CHECK(bad == 0, "legacy stream: %d wrong", bad);

    /* a launch the driver refuses */
    CUstream gone = nullptr;
    CHECK(cuStreamCreate(&gone, 0) == 0 && cuStreamDestroy_v2(gone) == 0, "a destroyed stream");
    CHECK(cublasSetStream_v2(h, gone) == 0, "set (not checked, as in cuBLAS)");
    int st = cublasSgemm_v2(h, 0, 0, m, n, k, &one, dptr(A), m, dptr(B), k, &zero, dptr(C), m);
    CHECK(st == 13, "destroyed stream: status %d, wanted CUBLAS_STATUS_EXECUTION_FAILED (13)", st);
    CHECK(cublasSetStream_v2(h, s) == 0 && cuCtxSetCurrent(nullptr) == 0, "no current context");
    st = cublasSgemm_v2(h, 0, 0, m, n, k, &one, dptr(A), m, dptr(B), k, &zero, dptr(C), m);
    CHECK(st == 13, "no context: status %d, wanted 13", st);
    CHECK(cuCtxSetCurrent(ctx) == 0, "context back");

    /* C in host memory: a device fault, reported at the next synchronisation and after */
    std::vector<float> host_c(m * n);
    CHECK(cublasSgemm_v2(h, 0, 0, m, n, k, &one, dptr(A), m, dptr(B), k, &zero, host_c.data(), m) == 0, "queued");
    CUresult r = cuStreamSynchronize(s);
    CHECK(r == 700, "sticky error %d, wanted CUDA_ERROR_ILLEGAL_ADDRESS (700)", r);
    CHECK(cuCtxSynchronize() == 700, "still sticky");

    CHECK(cublasDestroy_v2(h) == 0, "destroy");
    std::printf("selftest_driver: %d checks, %d failed\n", g_checks, g_failures);
    return g_failures == 0 ? 0 : 1;
}
