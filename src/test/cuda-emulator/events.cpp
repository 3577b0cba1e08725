// The emulated driver's events and host functions: tasks in their stream's order like any other.
#include "driver.h"

#include <chrono>
#include <set>

using namespace tjemu;

struct CUevent_st {
    Stream* stream = nullptr; // where it was last recorded
    unsigned long long ticket = 0;
    std::chrono::steady_clock::time_point when{};
    bool destroyed = false;
};

namespace {
std::set<CUevent>& live_events() {
    static auto* s = new std::set<CUevent>();
    return *s;
}

// Marks the point in its stream where all earlier work is done: the event's time.
struct EventTask : Task {
    CUevent event;
    int run() override {
        std::lock_guard<std::mutex> g(mu());
        event->when = std::chrono::steady_clock::now();
        return CUDA_SUCCESS;
    }
};

// Makes the stream's later work wait for an event (its dependency is set at enqueue).
struct NopTask : Task {
    int run() override { return CUDA_SUCCESS; }
};

struct HostFnTask : Task {
    void (*fn)(void*);
    void* data;
    int run() override {
        fn(data);
        return CUDA_SUCCESS;
    }
};

bool event_done(CUevent e) {
    return e->stream == nullptr || e->stream->completed >= e->ticket;
}

} // namespace

// ---- events ------------------------------------------------------------------------------------
TJAPI cuEventCreate(CUevent* ph, unsigned int flags) {
    REQUIRE_CTX("cuEventCreate");
    (void) flags; // default, blocking sync, disable timing, interprocess: all alike here
    if (ph == nullptr) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    std::lock_guard<std::mutex> g(mu());
    CUevent e = new CUevent_st();
    live_events().insert(e);
    *ph = e;
    return CUDA_SUCCESS;
}

TJAPI cuEventDestroy_v2(CUevent e) {
    REQUIRE_CTX("cuEventDestroy");
    std::lock_guard<std::mutex> g(mu());
    if (live_events().erase(e) == 0) {
        return CUDA_ERROR_INVALID_HANDLE;
    }
    e->destroyed = true; // kept: a queued EventTask may still write to it
    return CUDA_SUCCESS;
}

TJAPI cuEventRecord(CUevent e, CUstream h) {
    REQUIRE_CTX("cuEventRecord");
    std::lock_guard<std::mutex> g(mu());
    if (live_events().count(e) == 0) {
        return CUDA_ERROR_INVALID_HANDLE;
    }
    if (ctx->sticky != CUDA_SUCCESS) {
        return ctx->sticky;
    }
    Stream* s = nullptr;
    if (int rc = resolve_stream(h, ctx, &s)) {
        return rc;
    }
    EventTask* t = new EventTask();
    t->event = e;
    t->delayed = false;
    enqueue(s, t);
    e->stream = s;
    e->ticket = t->ticket;
    return CUDA_SUCCESS;
}

TJAPI cuEventRecordWithFlags(CUevent e, CUstream h, unsigned int flags) {
    (void) flags;
    return cuEventRecord(e, h);
}

TJAPI cuEventQuery(CUevent e) {
    REQUIRE_CTX("cuEventQuery");
    std::lock_guard<std::mutex> g(mu());
    if (live_events().count(e) == 0) {
        return CUDA_ERROR_INVALID_HANDLE;
    }
    if (ctx->sticky != CUDA_SUCCESS) {
        return ctx->sticky;
    }
    return event_done(e) ? CUDA_SUCCESS : CUDA_ERROR_NOT_READY;
}

TJAPI cuEventSynchronize(CUevent e) {
    REQUIRE_CTX("cuEventSynchronize");
    std::unique_lock<std::mutex> lock(mu());
    if (live_events().count(e) == 0) {
        return CUDA_ERROR_INVALID_HANDLE;
    }
    while (!event_done(e)) {
        cv().wait(lock);
    }
    return ctx->sticky;
}

TJAPI cuEventElapsedTime(float* ms, CUevent start, CUevent end) {
    REQUIRE_CTX("cuEventElapsedTime");
    if (ms == nullptr) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    std::lock_guard<std::mutex> g(mu());
    if (live_events().count(start) == 0 || live_events().count(end) == 0) {
        return CUDA_ERROR_INVALID_HANDLE;
    }
    if (start->stream == nullptr || end->stream == nullptr) {
        return CUDA_ERROR_INVALID_HANDLE; // never recorded
    }
    if (!event_done(start) || !event_done(end)) {
        return CUDA_ERROR_NOT_READY;
    }
    *ms = std::chrono::duration<float, std::milli>(end->when - start->when).count();
    return CUDA_SUCCESS;
}

TJAPI cuStreamWaitEvent(CUstream h, CUevent e, unsigned int flags) {
    REQUIRE_CTX("cuStreamWaitEvent");
    (void) flags;
    std::lock_guard<std::mutex> g(mu());
    if (live_events().count(e) == 0) {
        return CUDA_ERROR_INVALID_HANDLE;
    }
    Stream* s = nullptr;
    if (int rc = resolve_stream(h, ctx, &s)) {
        return rc;
    }
    if (e->stream == nullptr) {
        return CUDA_SUCCESS; // an event never recorded is complete
    }
    NopTask* t = new NopTask();
    t->delayed = false;
    t->deps.emplace_back(e->stream, e->ticket);
    enqueue(s, t);
    return CUDA_SUCCESS;
}

// ---- host functions ----------------------------------------------------------------------------
TJAPI cuLaunchHostFunc(CUstream h, void (*fn)(void*), void* userData) {
    REQUIRE_CTX("cuLaunchHostFunc");
    if (fn == nullptr) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    HostFnTask* t = new HostFnTask();
    t->fn = fn;
    t->data = userData;
    return submit("cuLaunchHostFunc", ctx, h, t, false);
}

