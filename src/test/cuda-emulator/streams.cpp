// The emulated driver's streams: their worker threads, the legacy default stream's ordering,
// queueing tasks (submit, tjemu_submit) and the stream API.
#include "driver.h"

#include <unistd.h>

#include <set>
#include <thread>

using namespace tjemu;

// ---- workers and ordering ----------------------------------------------------------------------
namespace {

std::set<Stream*>& live_streams() {
    static auto* s = new std::set<Stream*>();
    return *s;
}

bool deps_done(const Task* t) {
    for (const auto& d : t->deps) {
        if (d.first->completed < d.second) {
            return false;
        }
    }
    return true;
}

void worker_loop(Stream* s) {
    std::unique_lock<std::mutex> lock(mu());
    for (;;) {
        while (s->queue.empty()) {
            if (s->destroyed) {
                return;
            }
            cv().wait(lock);
        }
        Task* t = s->queue.front();
        while (!deps_done(t)) {
            cv().wait(lock);
        }
        bool skip = s->ctx->sticky != CUDA_SUCCESS;
        lock.unlock();
        if (g_cfg.streamDelayUs > 0 && t->delayed) {
            usleep(g_cfg.streamDelayUs);
        }
        int rc = skip ? CUDA_SUCCESS : t->run();
        delete t;
        lock.lock();
        if (rc != CUDA_SUCCESS && s->ctx->sticky == CUDA_SUCCESS) {
            s->ctx->sticky = rc;
        }
        s->queue.pop_front();
        s->completed++;
        cv().notify_all();
    }
}

// The legacy stream and every blocking stream: what a synchronous (legacy-stream) copy waits for.
std::vector<Stream*> legacy_and_blocking(CUctx_st* c) {
    std::vector<Stream*> v{c->legacy};
    for (Stream* s : c->streams) {
        if (!s->nonBlocking) {
            v.push_back(s);
        }
    }
    return v;
}

struct FnTask : Task {
    int (*fn)(void*);
    void* arg;
    int run() override {
        return fn(arg);
    }
};

} // namespace

namespace tjemu {

void enqueue(Stream* s, Task* t) {
    CUctx_st* c = s->ctx;
    if (s->legacy) {
        for (Stream* o : c->streams) {
            if (!o->nonBlocking && o->submitted > o->completed) {
                t->deps.emplace_back(o, o->submitted);
            }
        }
    } else if (!s->nonBlocking && c->legacy->submitted > c->legacy->completed) {
        t->deps.emplace_back(c->legacy, c->legacy->submitted);
    }
    t->stream = s;
    t->ticket = ++s->submitted;
    s->queue.push_back(t);
    if (!s->workerStarted) {
        s->workerStarted = true;
        std::thread(worker_loop, s).detach();
    }
    cv().notify_all();
}

void wait_streams(std::unique_lock<std::mutex>& lock, const std::vector<Stream*>& streams) {
    std::vector<std::pair<Stream*, unsigned long long>> targets;
    for (Stream* s : streams) {
        targets.emplace_back(s, s->submitted);
    }
    for (;;) {
        bool done = true;
        for (const auto& t : targets) {
            done = done && t.first->completed >= t.second;
        }
        if (done) {
            return;
        }
        cv().wait(lock);
    }
}

std::vector<Stream*> all_streams(CUctx_st* c) {
    std::vector<Stream*> v{c->legacy};
    v.insert(v.end(), c->streams.begin(), c->streams.end());
    return v;
}

int resolve_stream(CUstream h, CUctx_st* c, Stream** out) {
    if (h == nullptr || h == TJEMU_CU_STREAM_LEGACY) {
        *out = c->legacy;
        return CUDA_SUCCESS;
    }
    if (h == TJEMU_CU_STREAM_PER_THREAD) {
        tjemu_log("CU_STREAM_PER_THREAD is not emulated");
        return CUDA_ERROR_NOT_SUPPORTED;
    }
    Stream* s = static_cast<Stream*>(h);
    if (live_streams().count(s) == 0) {
        tjemu_log("stream %p does not exist (destroyed, or never created)", (void*) h);
        return CUDA_ERROR_INVALID_HANDLE;
    }
    if (s->ctx != c) {
        tjemu_log("stream %p belongs to another context than the calling thread's current one", (void*) h);
        return CUDA_ERROR_INVALID_HANDLE;
    }
    *out = s;
    return CUDA_SUCCESS;
}

Stream* new_stream(CUctx_st* c, bool legacy, bool nonBlocking) {
    Stream* s = new Stream();
    s->ctx = c;
    s->legacy = legacy;
    s->nonBlocking = nonBlocking;
    return s;
}

CUresult submit(const char* fn, CUctx_st* ctx, CUstream h, Task* t, bool sync, bool waitDone) {
    std::unique_lock<std::mutex> lock(mu());
    if (ctx->sticky != CUDA_SUCCESS) {
        delete t;
        return ctx->sticky;
    }
    if (sync) {
        // A legacy-stream task that the caller waits for: it runs after the blocking streams'
        // earlier work, and their later work waits for it.
        Stream* legacy = ctx->legacy;
        t->delayed = false;
        enqueue(legacy, t);
        unsigned long long ticket = legacy->submitted;
        while (legacy->completed < ticket) {
            cv().wait(lock);
        }
        return ctx->sticky;
    }
    Stream* s = nullptr;
    int rc = resolve_stream(h, ctx, &s);
    if (rc != CUDA_SUCCESS) {
        tjemu_log("%s: bad stream", fn);
        delete t;
        return rc;
    }
    if (waitDone) {
        t->delayed = false;
    }
    enqueue(s, t);
    if (waitDone) {
        unsigned long long ticket = t->ticket; // t is not run (nor deleted) before we unlock
        while (s->completed < ticket) {
            cv().wait(lock);
        }
        return ctx->sticky;
    }
    return CUDA_SUCCESS;
}

} // namespace tjemu

// ---- emu.h's tjemu_submit ----------------------------------------------------------------------
extern "C" TJEMU_EXPORT CUresult tjemu_submit(CUstream stream, int (*fn)(void*), void* arg) {
    REQUIRE_CTX("tjemu_submit");
    FnTask* t = new FnTask();
    t->fn = fn;
    t->arg = arg;
    std::unique_lock<std::mutex> lock(mu());
    Stream* s = nullptr;
    int rc = resolve_stream(stream, ctx, &s);
    if (rc != CUDA_SUCCESS) {
        delete t;
        return rc == CUDA_ERROR_NOT_SUPPORTED ? rc : CUDA_ERROR_INVALID_HANDLE;
    }
    enqueue(s, t);
    return CUDA_SUCCESS;
}

// ---- the stream API ----------------------------------------------------------------------------
TJAPI cuStreamCreate(CUstream* ph, unsigned int flags) {
    REQUIRE_CTX("cuStreamCreate");
    if (ph == nullptr || (flags & ~TJEMU_CU_STREAM_NON_BLOCKING) != 0) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    std::lock_guard<std::mutex> g(mu());
    Stream* s = new_stream(ctx, false, (flags & TJEMU_CU_STREAM_NON_BLOCKING) != 0);
    ctx->streams.push_back(s);
    live_streams().insert(s);
    *ph = s;
    return CUDA_SUCCESS;
}

TJAPI cuStreamCreateWithPriority(CUstream* ph, unsigned int flags, int priority) {
    (void) priority; // one priority on the CPU
    return cuStreamCreate(ph, flags);
}

// Returns at once; the stream's queued work still runs, then its worker exits. The Stream object
// is kept (other tasks may depend on its tickets).
TJAPI cuStreamDestroy_v2(CUstream h) {
    REQUIRE_CTX("cuStreamDestroy");
    std::lock_guard<std::mutex> g(mu());
    if (h == nullptr || h == TJEMU_CU_STREAM_LEGACY || h == TJEMU_CU_STREAM_PER_THREAD) {
        return CUDA_ERROR_INVALID_HANDLE;
    }
    Stream* s = static_cast<Stream*>(h);
    if (live_streams().erase(s) == 0) {
        return CUDA_ERROR_INVALID_HANDLE;
    }
    auto& v = s->ctx->streams;
    for (size_t i = 0; i < v.size(); i++) {
        if (v[i] == s) {
            v.erase(v.begin() + (long) i);
            break;
        }
    }
    s->destroyed = true;
    cv().notify_all();
    return CUDA_SUCCESS;
}

TJAPI cuStreamSynchronize(CUstream h) {
    REQUIRE_CTX("cuStreamSynchronize");
    std::unique_lock<std::mutex> lock(mu());
    Stream* s = nullptr;
    if (int rc = resolve_stream(h, ctx, &s)) {
        return rc;
    }
    // The legacy stream's work waits for the blocking streams' earlier work: wait for that too.
    wait_streams(lock, s->legacy ? legacy_and_blocking(ctx) : std::vector<Stream*>{s});
    return ctx->sticky;
}

TJAPI cuStreamQuery(CUstream h) {
    REQUIRE_CTX("cuStreamQuery");
    std::lock_guard<std::mutex> g(mu());
    Stream* s = nullptr;
    if (int rc = resolve_stream(h, ctx, &s)) {
        return rc;
    }
    if (ctx->sticky != CUDA_SUCCESS) {
        return ctx->sticky;
    }
    return s->completed == s->submitted ? CUDA_SUCCESS : CUDA_ERROR_NOT_READY;
}

