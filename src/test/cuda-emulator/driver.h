// The emulated CUDA driver (libcuda.so.1) for tensorj's tests: the driver API functions tensorj
// and its emulated cuBLAS use, on the CPU. See README.md next to this file. Test infrastructure.
//
// This header: the driver's internals shared by its sources (state.cpp, devices.cpp, memory.cpp,
// copies.cpp, streams.cpp, events.cpp, ptx.cpp, modules.cpp): the state behind the one lock, the
// checks every API function starts with, and what one source provides to the others. Each
// section names the source that defines it.
//
// Every implemented API function is defined with TJAPI; build.sh takes the list of implemented
// names from the compiled objects (nm) and generates a logging CUDA_ERROR_NOT_SUPPORTED stub for
// every other cu* function that JCuda's libJCudaDriver imports.
#pragma once

#include "internal.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#define TJAPI extern "C" TJEMU_EXPORT CUresult

namespace tjemu {

// ---- state.cpp: configuration ------------------------------------------------------------------
struct Config {
    int devices = 1;
    int ccMajor = 9;
    int ccMinor = 0;
    int sms = 4;
    unsigned long long memoryBytes = 4ULL << 30;
    unsigned int streamDelayUs = 0;
};

constexpr int kDriverVersion = 12060;       // CUDA 12.6: JCuda 12.6.0's level

// The TENSORJ_EMU_* environment variables (README.md), read at cuInit.
Config read_config();

// ---- state.cpp: state --------------------------------------------------------------------------
// One lock for all driver state and one condition variable for every change a waiter could be
// waiting for (task completions, new tasks). Nothing here is ever destroyed: detached worker
// threads may still run while the process exits.
std::mutex& mu();
std::condition_variable& cv();

extern bool g_initialized;
extern Config g_cfg;

struct Stream;

struct Task {
    Stream* stream = nullptr;
    unsigned long long ticket = 0;
    bool delayed = true; // TENSORJ_EMU_STREAM_DELAY_US applies (not to the host's synchronous copies)
    std::vector<std::pair<Stream*, unsigned long long>> deps; // run after these streams' tickets
    virtual ~Task() {}
    virtual int run() = 0;
};

struct Device;

} // namespace tjemu

struct CUctx_st {
    tjemu::Device* device;
    tjemu::Stream* legacy;
    std::vector<tjemu::Stream*> streams; // live created streams
    int sticky = CUDA_SUCCESS;           // the first asynchronous failure; every later call reports it
    int refs = 0;
};

struct CUstream_st {};

namespace tjemu {

struct Stream : CUstream_st {
    CUctx_st* ctx;
    bool legacy;
    bool nonBlocking;
    bool destroyed = false;
    bool workerStarted = false;
    std::deque<Task*> queue;
    unsigned long long submitted = 0;
    unsigned long long completed = 0;
};

struct Allocation {
    char* map;        // the whole mapping: guard page, data pages, guard page
    size_t mapBytes;
    size_t bytes;     // as requested
    size_t accounted; // what the device's free memory went down by
    Device* device;
};

struct Device {
    int ordinal;
    CUctx_st* primary = nullptr;
    unsigned long long used = 0;
};

extern thread_local CUctx_st* tl_current;

// ---- state.cpp: common checks ------------------------------------------------------------------
#define REQUIRE_INIT()                              \
    do {                                            \
        if (!tjemu::g_initialized) {                \
            return CUDA_ERROR_NOT_INITIALIZED;      \
        }                                           \
    } while (0)

// Most API calls need the calling thread's current context. (A sticky error is returned by the
// functions that check ctx->sticky themselves, not by this macro.)
#define REQUIRE_CTX(name)                                                                   \
    REQUIRE_INIT();                                                                         \
    CUctx_st* ctx = tjemu::tl_current;                                                      \
    if (ctx == nullptr) {                                                                   \
        tjemu::no_context(name);                                                            \
        return CUDA_ERROR_INVALID_CONTEXT;                                                  \
    }

void no_context(const char* fn);

// ---- memory.cpp --------------------------------------------------------------------------------
// The live allocation containing [p, p + bytes), or null (lock held). An empty range may sit at
// the allocation's end.
const Allocation* find_range(uintptr_t p, unsigned long long bytes, uintptr_t* start);

// Whether [p, p + bytes) lies in one page-locked allocation (lock held).
bool is_pinned(const void* p, size_t bytes);

// ---- streams.cpp -------------------------------------------------------------------------------
// Caller holds the lock. Legacy-stream semantics: legacy work waits for the blocking streams'
// earlier work, blocking streams' work waits for earlier legacy work; non-blocking streams wait
// for nothing but themselves.
void enqueue(Stream* s, Task* t);

// Waits (lock held) until every stream in `streams` has finished what was queued on it now.
void wait_streams(std::unique_lock<std::mutex>& lock, const std::vector<Stream*>& streams);

std::vector<Stream*> all_streams(CUctx_st* c);

// Resolves a stream handle (lock held): NULL and CU_STREAM_LEGACY are the current context's
// legacy stream.
int resolve_stream(CUstream h, CUctx_st* c, Stream** out);

Stream* new_stream(CUctx_st* c, bool legacy, bool nonBlocking);

// Queues t on stream h of the current context; with sync (the synchronous copies), on the legacy
// stream, and waits for it; with waitDone, on stream h, and waits for it (asynchronous copies from
// or to pageable host memory, which the real driver completes or stages before it returns).
CUresult submit(const char* fn, CUctx_st* ctx, CUstream h, Task* t, bool sync, bool waitDone = false);

// ---- ptx.cpp -----------------------------------------------------------------------------------
struct PtxEntry {
    std::string name;
    std::vector<unsigned long long> paramSizes;
    unsigned long long shared = 0;
};

struct PtxModule {
    int isa = 0;    // major * 10 + minor
    int target = 0; // sm_XY as XY
    std::string targetName;
    std::vector<PtxEntry> entries;
};

// Parses what the checks need: .version, .target, the entries' .param lists and static .shared
// declarations (module-scope .shared counts for every entry). Returns "" or an error message.
std::string parse_ptx(const char* text, PtxModule* m);

} // namespace tjemu
