/* The emulated driver's services for the rest of the emulator (its cuBLAS). Implemented by the
 * emulated libcuda.so.1; the emulated libcublas links against it (DT_NEEDED libcuda.so.1), so
 * both share the one driver that JCuda's libJCudaDriver loaded. Test infrastructure only. */
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

typedef int CUresult;                   /* 0 = CUDA_SUCCESS; values as in the real cuda.h */
typedef struct CUstream_st *CUstream;   /* NULL = the legacy default stream */

/* Queues fn(arg) on `stream` of the calling thread's current context, after everything queued
 * there before, with the legacy default stream's ordering rules and the configured delay, exactly
 * as a kernel launch would be. fn runs later on the stream's worker thread and owns arg (frees it).
 * A non-zero return of fn becomes the context's sticky error, reported by the next synchronising
 * call. Returns 0, CUDA_ERROR_INVALID_CONTEXT (201) when the calling thread has no current
 * context, or CUDA_ERROR_INVALID_HANDLE (400) for a stream that does not exist. */
CUresult tjemu_submit(CUstream stream, int (*fn)(void *arg), void *arg);

/* 1 when [ptr, ptr + bytes) lies inside one live device allocation, else 0. */
int tjemu_is_device_range(const void *ptr, unsigned long long bytes);

/* Writes "tensorj CUDA emulator: <message>\n" to stderr: the emulator's one diagnostics channel. */
void tjemu_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#ifdef __cplusplus
}
#endif
