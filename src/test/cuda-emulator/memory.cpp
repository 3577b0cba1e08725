// The emulated driver's device memory (host memory with guard pages, poisoned when fresh), the
// lookup of device ranges, and page-locked host memory.
#include "driver.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>

using namespace tjemu;

namespace {

// NaN-fill at most this much of a fresh allocation: filling touches (commits) every page, measured
// at 0.5-1.5 ms per MiB on a 2-core VM with huge pages; a whole 8 GiB block would take seconds and
// commit 8 GiB of RAM. Beyond this the block reads as zeros.
constexpr size_t kPoisonLimit = 256u << 20;

std::map<uintptr_t, Allocation>& allocations() {
    static auto* m = new std::map<uintptr_t, Allocation>();
    return *m;
}

// Page-locked host memory (cuMemAllocHost, cuMemHostAlloc): start -> bytes.
std::map<uintptr_t, size_t>& pinned() {
    static auto* m = new std::map<uintptr_t, size_t>();
    return *m;
}

} // namespace

namespace tjemu {

const Allocation* find_range(uintptr_t p, unsigned long long bytes, uintptr_t* start) {
    auto& m = allocations();
    auto it = m.upper_bound(p);
    if (it == m.begin()) {
        return nullptr;
    }
    --it;
    uintptr_t s = it->first;
    const Allocation& a = it->second;
    if (p < s || p - s > a.bytes || bytes > a.bytes - (p - s)) {
        return nullptr;
    }
    if (start != nullptr) {
        *start = s;
    }
    return &a;
}

bool is_pinned(const void* p, size_t bytes) {
    auto& m = pinned();
    auto it = m.upper_bound((uintptr_t) p);
    if (it == m.begin()) {
        return false;
    }
    --it;
    uintptr_t off = (uintptr_t) p - it->first;
    return off <= it->second && bytes <= it->second - off;
}

} // namespace tjemu

// ---- emu.h's tjemu_is_device_range -------------------------------------------------------------
extern "C" TJEMU_EXPORT int tjemu_is_device_range(const void* ptr, unsigned long long bytes) {
    std::lock_guard<std::mutex> g(mu());
    return find_range((uintptr_t) ptr, bytes, nullptr) != nullptr ? 1 : 0;
}

// ---- device memory -----------------------------------------------------------------------------
TJAPI cuMemGetInfo_v2(size_t* free, size_t* total) {
    REQUIRE_CTX("cuMemGetInfo");
    if (free == nullptr || total == nullptr) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    std::lock_guard<std::mutex> g(mu());
    *total = g_cfg.memoryBytes;
    *free = g_cfg.memoryBytes - ctx->device->used;
    return CUDA_SUCCESS;
}

// Host memory standing in for device memory: [guard page][data pages][guard page], the
// allocation's (256-byte aligned) start placed so that its 256-byte rounded end meets the second
// guard; fresh memory reads as NaN (0x7fc00000 words) up to kPoisonLimit, zero beyond (poisoning
// a huge block would touch, and commit, all of its pages).
TJAPI cuMemAlloc_v2(CUdeviceptr* dptr, size_t bytes) {
    REQUIRE_CTX("cuMemAlloc");
    if (dptr == nullptr || bytes == 0) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    const size_t page = 4096;
    if (bytes > (1ULL << 48)) {
        return CUDA_ERROR_OUT_OF_MEMORY;
    }
    size_t rounded = (bytes + 255) & ~size_t(255);
    size_t dataPages = (rounded + page - 1) / page;
    size_t accounted = dataPages * page;
    {
        std::lock_guard<std::mutex> g(mu());
        if (ctx->sticky != CUDA_SUCCESS) {
            return ctx->sticky;
        }
        if (accounted > g_cfg.memoryBytes - ctx->device->used) {
            return CUDA_ERROR_OUT_OF_MEMORY;
        }
        ctx->device->used += accounted; // reserved before mapping, so two threads cannot both fit
    }
    // Large blocks: data pages start on a 2 MiB boundary, so that huge pages back all of them (fewer
    // page faults when filled, fewer TLB misses when a grid-stride loop jumps through them).
    const size_t huge = 2u << 20;
    const bool large = dataPages * page >= 2 * huge;
    size_t mapBytes = (dataPages + 2) * page;
    void* m = mmap(nullptr, mapBytes + (large ? huge : 0), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (m == MAP_FAILED) {
        std::lock_guard<std::mutex> g(mu());
        ctx->device->used -= accounted;
        return CUDA_ERROR_OUT_OF_MEMORY;
    }
    char* base = static_cast<char*>(m);
    if (large) {
        char* data = reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(base) + page + huge - 1) & ~(uintptr_t) (huge - 1));
        char* head = base;
        base = data - page;
        if (base > head) {
            munmap(head, (size_t) (base - head));
        }
        char* tail = base + mapBytes;
        char* end = head + mapBytes + huge;
        if (end > tail) {
            munmap(tail, (size_t) (end - tail));
        }
    }
    if (mprotect(base + page, dataPages * page, PROT_READ | PROT_WRITE) != 0) {
        munmap(base, mapBytes); // what is left of the mapping (trimmed above for a large block)
        std::lock_guard<std::mutex> g(mu());
        ctx->device->used -= accounted;
        return CUDA_ERROR_OUT_OF_MEMORY;
    }
    if (large) {
        madvise(base + page, dataPages * page, MADV_HUGEPAGE);
    }
    char* p = base + page + dataPages * page - rounded;
    size_t poison = std::min(rounded, kPoisonLimit) / 4;
    uint32_t* w = reinterpret_cast<uint32_t*>(p);
    for (size_t i = 0; i < poison; i++) {
        w[i] = 0x7fc00000u;
    }
    {
        std::lock_guard<std::mutex> g(mu());
        allocations()[(uintptr_t) p] = Allocation{base, mapBytes, bytes, accounted, ctx->device};
    }
    *dptr = (CUdeviceptr) (uintptr_t) p;
    return CUDA_SUCCESS;
}

// Waits for the context's queued work (as cudaFree does), then unmaps: later accesses fault.
TJAPI cuMemFree_v2(CUdeviceptr dptr) {
    REQUIRE_CTX("cuMemFree");
    if (dptr == 0) {
        return CUDA_SUCCESS;
    }
    std::unique_lock<std::mutex> lock(mu());
    wait_streams(lock, all_streams(ctx));
    auto it = allocations().find((uintptr_t) dptr);
    if (it == allocations().end()) {
        tjemu_log("cuMemFree: 0x%llx is not the start of a live allocation", dptr);
        return CUDA_ERROR_INVALID_VALUE;
    }
    Allocation a = it->second;
    if (a.device != ctx->device && a.device->primary != nullptr) {
        // Unified addressing: the pointer names its device; wait for that context's work too.
        wait_streams(lock, all_streams(a.device->primary));
        it = allocations().find((uintptr_t) dptr);
        if (it == allocations().end()) {
            return CUDA_ERROR_INVALID_VALUE; // freed meanwhile by another thread
        }
    }
    allocations().erase(it);
    a.device->used -= a.accounted;
    lock.unlock();
    munmap(a.map, a.mapBytes);
    return ctx->sticky;
}

// ---- page-locked host memory -------------------------------------------------------------------
// Page-locked host memory is ordinary (page-aligned) host memory here.
TJAPI cuMemHostAlloc(void** pp, size_t bytes, unsigned int flags) {
    REQUIRE_CTX("cuMemHostAlloc");
    (void) flags;
    if (pp == nullptr || bytes == 0) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    void* p = nullptr;
    if (posix_memalign(&p, 4096, bytes) != 0) {
        return CUDA_ERROR_OUT_OF_MEMORY;
    }
    std::lock_guard<std::mutex> g(mu());
    pinned()[(uintptr_t) p] = bytes;
    *pp = p;
    return CUDA_SUCCESS;
}

TJAPI cuMemAllocHost_v2(void** pp, size_t bytes) {
    return cuMemHostAlloc(pp, bytes, 0);
}

TJAPI cuMemFreeHost(void* p) {
    REQUIRE_CTX("cuMemFreeHost");
    std::unique_lock<std::mutex> lock(mu());
    wait_streams(lock, all_streams(ctx)); // queued copies may still use it
    if (pinned().erase((uintptr_t) p) == 0) {
        tjemu_log("cuMemFreeHost: %p was not allocated by cuMemAllocHost/cuMemHostAlloc", p);
        return CUDA_ERROR_INVALID_VALUE;
    }
    free(p);
    return CUDA_SUCCESS;
}

