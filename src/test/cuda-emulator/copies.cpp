// The emulated driver's copies and memsets: checked against the live allocations, queued as
// stream tasks.
#include "driver.h"

#include <cstdint>
#include <cstring>

using namespace tjemu;

namespace {

int check_device_range(const char* fn, const char* what, CUdeviceptr p, size_t bytes) {
    if (find_range((uintptr_t) p, bytes, nullptr) == nullptr) {
        tjemu_log("%s: %s [0x%llx, +%zu bytes) is not inside one live device allocation", fn, what, p, bytes);
        return CUDA_ERROR_INVALID_VALUE;
    }
    return CUDA_SUCCESS;
}

struct CopyTask : Task {
    void* dst;
    const void* src;
    size_t bytes;
    int run() override {
        memmove(dst, src, bytes);
        return CUDA_SUCCESS;
    }
};

struct Memset32Task : Task {
    uint32_t* dst;
    uint32_t value;
    size_t n;
    int run() override {
        for (size_t i = 0; i < n; i++) {
            dst[i] = value;
        }
        return CUDA_SUCCESS;
    }
};

struct Memset8Task : Task {
    void* dst;
    unsigned char value;
    size_t n;
    int run() override {
        memset(dst, value, n);
        return CUDA_SUCCESS;
    }
};

} // namespace

// ---- copies ------------------------------------------------------------------------------------
TJAPI cuMemcpyHtoD_v2(CUdeviceptr dst, const void* src, size_t bytes) {
    REQUIRE_CTX("cuMemcpyHtoD");
    if (bytes == 0) {
        return CUDA_SUCCESS;
    }
    {
        std::lock_guard<std::mutex> g(mu());
        if (int rc = check_device_range("cuMemcpyHtoD", "destination", dst, bytes)) {
            return rc;
        }
    }
    CopyTask* t = new CopyTask();
    t->dst = (void*) (uintptr_t) dst;
    t->src = src;
    t->bytes = bytes;
    return submit("cuMemcpyHtoD", ctx, nullptr, t, true);
}

TJAPI cuMemcpyDtoH_v2(void* dst, CUdeviceptr src, size_t bytes) {
    REQUIRE_CTX("cuMemcpyDtoH");
    if (bytes == 0) {
        return CUDA_SUCCESS;
    }
    {
        std::lock_guard<std::mutex> g(mu());
        if (int rc = check_device_range("cuMemcpyDtoH", "source", src, bytes)) {
            return rc;
        }
    }
    CopyTask* t = new CopyTask();
    t->dst = dst;
    t->src = (const void*) (uintptr_t) src;
    t->bytes = bytes;
    return submit("cuMemcpyDtoH", ctx, nullptr, t, true);
}

namespace {

// Both device-to-device copies: checked ranges, then a task on `stream` that the host does not
// wait for (even the "synchronous" cuMemcpyDtoD is asynchronous with respect to the host; it is
// queued on the legacy stream).
CUresult copy_dtod(const char* name, CUctx_st* ctx, CUdeviceptr dst, CUdeviceptr src, size_t bytes,
                   CUstream stream) {
    if (bytes == 0) {
        return CUDA_SUCCESS;
    }
    {
        std::lock_guard<std::mutex> g(mu());
        if (int rc = check_device_range(name, "source", src, bytes)) {
            return rc;
        }
        if (int rc = check_device_range(name, "destination", dst, bytes)) {
            return rc;
        }
    }
    CopyTask* t = new CopyTask();
    t->dst = (void*) (uintptr_t) dst;
    t->src = (const void*) (uintptr_t) src;
    t->bytes = bytes;
    return submit(name, ctx, stream, t, false);
}

} // namespace

TJAPI cuMemcpyDtoD_v2(CUdeviceptr dst, CUdeviceptr src, size_t bytes) {
    REQUIRE_CTX("cuMemcpyDtoD");
    return copy_dtod("cuMemcpyDtoD", ctx, dst, src, bytes, nullptr);
}

// Asynchronous copies are asynchronous only with page-locked host memory (cuMemAllocHost,
// cuMemHostAlloc): the host buffer must then stay valid until the copy ran. With pageable memory
// (a Java array through JCuda, malloc) they are queued in order and waited for, as the real driver
// stages or completes such copies before it returns.
TJAPI cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void* src, size_t bytes, CUstream stream) {
    REQUIRE_CTX("cuMemcpyHtoDAsync");
    if (bytes == 0) {
        return CUDA_SUCCESS;
    }
    bool pageable;
    {
        std::lock_guard<std::mutex> g(mu());
        pageable = !is_pinned(src, bytes);
        if (int rc = check_device_range("cuMemcpyHtoDAsync", "destination", dst, bytes)) {
            return rc;
        }
    }
    CopyTask* t = new CopyTask();
    t->dst = (void*) (uintptr_t) dst;
    t->src = src;
    t->bytes = bytes;
    return submit("cuMemcpyHtoDAsync", ctx, stream, t, false, pageable);
}

TJAPI cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, size_t bytes, CUstream stream) {
    REQUIRE_CTX("cuMemcpyDtoHAsync");
    if (bytes == 0) {
        return CUDA_SUCCESS;
    }
    bool pageable;
    {
        std::lock_guard<std::mutex> g(mu());
        pageable = !is_pinned(dst, bytes);
        if (int rc = check_device_range("cuMemcpyDtoHAsync", "source", src, bytes)) {
            return rc;
        }
    }
    CopyTask* t = new CopyTask();
    t->dst = dst;
    t->src = (const void*) (uintptr_t) src;
    t->bytes = bytes;
    return submit("cuMemcpyDtoHAsync", ctx, stream, t, false, pageable);
}

TJAPI cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream stream) {
    REQUIRE_CTX("cuMemcpyDtoDAsync");
    return copy_dtod("cuMemcpyDtoDAsync", ctx, dst, src, bytes, stream);
}

// ---- memsets -----------------------------------------------------------------------------------
namespace {
CUresult memset32(const char* fn, CUctx_st* ctx, CUdeviceptr dst, unsigned int value, size_t n, CUstream stream) {
    if (n == 0) {
        return CUDA_SUCCESS;
    }
    if (dst % 4 != 0) {
        tjemu_log("%s: 0x%llx is not 4-byte aligned", fn, dst);
        return CUDA_ERROR_INVALID_VALUE;
    }
    {
        std::lock_guard<std::mutex> g(mu());
        if (int rc = check_device_range(fn, "destination", dst, n * 4)) {
            return rc;
        }
    }
    Memset32Task* t = new Memset32Task();
    t->dst = (uint32_t*) (uintptr_t) dst;
    t->value = value;
    t->n = n;
    return submit(fn, ctx, stream, t, false);
}

CUresult memset8(const char* fn, CUctx_st* ctx, CUdeviceptr dst, unsigned char value, size_t n, CUstream stream) {
    if (n == 0) {
        return CUDA_SUCCESS;
    }
    {
        std::lock_guard<std::mutex> g(mu());
        if (int rc = check_device_range(fn, "destination", dst, n)) {
            return rc;
        }
    }
    Memset8Task* t = new Memset8Task();
    t->dst = (void*) (uintptr_t) dst;
    t->value = value;
    t->n = n;
    return submit(fn, ctx, stream, t, false);
}
} // namespace

// Memsets from device memory are asynchronous to the host, queued on the legacy stream.
TJAPI cuMemsetD32_v2(CUdeviceptr dst, unsigned int value, size_t n) {
    REQUIRE_CTX("cuMemsetD32");
    return memset32("cuMemsetD32", ctx, dst, value, n, nullptr);
}

TJAPI cuMemsetD32Async(CUdeviceptr dst, unsigned int value, size_t n, CUstream stream) {
    REQUIRE_CTX("cuMemsetD32Async");
    return memset32("cuMemsetD32Async", ctx, dst, value, n, stream);
}

TJAPI cuMemsetD8_v2(CUdeviceptr dst, unsigned char value, size_t n) {
    REQUIRE_CTX("cuMemsetD8");
    return memset8("cuMemsetD8", ctx, dst, value, n, nullptr);
}

TJAPI cuMemsetD8Async(CUdeviceptr dst, unsigned char value, size_t n, CUstream stream) {
    REQUIRE_CTX("cuMemsetD8Async");
    return memset8("cuMemsetD8Async", ctx, dst, value, n, stream);
}

