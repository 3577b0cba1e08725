// The emulated CUDA driver (libcuda.so.1) for tensorj's tests: the driver API functions tensorj
// and its emulated cuBLAS use, on the CPU. See README.md next to this file. Test infrastructure.
//
// Every implemented API function is defined with TJAPI; build.sh takes the list of implemented
// names from the compiled object (nm) and generates a logging CUDA_ERROR_NOT_SUPPORTED stub for
// every other cu* function that JCuda's libJCudaDriver imports.
#include "internal.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#define TJAPI extern "C" TJEMU_EXPORT CUresult

namespace {

// ---- configuration -----------------------------------------------------------------------------
struct Config {
    int devices = 1;
    int ccMajor = 9;
    int ccMinor = 0;
    int sms = 4;
    unsigned long long memoryBytes = 4ULL << 30;
    unsigned int streamDelayUs = 0;
};

constexpr int kDriverVersion = 12060;       // CUDA 12.6: JCuda 12.6.0's level
constexpr int kMaxPtxIsa = 85;              // PTX ISA 8.5, what a 12.6 driver accepts
// NaN-fill at most this much of a fresh allocation: filling touches (commits) every page, measured
// at 0.5-1.5 ms per MiB on a 2-core VM with huge pages; a whole 8 GiB block would take seconds and
// commit 8 GiB of RAM. Beyond this the block reads as zeros.
constexpr size_t kPoisonLimit = 256u << 20;

const char* env(const char* name) {
    const char* v = getenv(name);
    return v != nullptr && *v != '\0' ? v : nullptr;
}

unsigned long long env_ull(const char* name, unsigned long long dflt) {
    const char* v = env(name);
    if (v == nullptr) {
        return dflt;
    }
    char* end = nullptr;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0') {
        tjemu_log("ignoring %s=%s (not a number); using %llu", name, v, dflt);
        return dflt;
    }
    return x;
}

Config read_config() {
    Config c;
    c.devices = (int) env_ull("TENSORJ_EMU_DEVICES", 1);
    c.sms = (int) env_ull("TENSORJ_EMU_SMS", 4);
    c.memoryBytes = env_ull("TENSORJ_EMU_MEMORY_BYTES", 4ULL << 30);
    c.streamDelayUs = (unsigned int) env_ull("TENSORJ_EMU_STREAM_DELAY_US", 0);
    if (const char* cc = env("TENSORJ_EMU_CC")) {
        int major = 0, minor = 0;
        if (sscanf(cc, "%d.%d", &major, &minor) == 2 && major > 0 && minor >= 0 && minor < 10) {
            c.ccMajor = major;
            c.ccMinor = minor;
        } else {
            tjemu_log("ignoring TENSORJ_EMU_CC=%s (want MAJOR.MINOR, e.g. 8.6); using 9.0", cc);
        }
    }
    if (c.sms < 1) {
        c.sms = 1;
    }
    return c;
}

// ---- state -------------------------------------------------------------------------------------
// One lock for all driver state and one condition variable for every change a waiter could be
// waiting for (task completions, new tasks). Nothing here is ever destroyed: detached worker
// threads may still run while the process exits.
std::mutex& mu() {
    static std::mutex* m = new std::mutex();
    return *m;
}
std::condition_variable& cv() {
    static std::condition_variable* c = new std::condition_variable();
    return *c;
}

bool g_initialized = false;
Config g_cfg;

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

} // namespace

struct CUctx_st {
    Device* device;
    Stream* legacy;
    std::vector<Stream*> streams; // live created streams
    int sticky = CUDA_SUCCESS;    // the first asynchronous failure; every later call reports it
    int refs = 0;
};

struct CUstream_st {};

namespace {

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

// A pointer, like every global here: no destructor may run at exit while other threads still call in.
std::vector<Device*>& g_devices = *new std::vector<Device*>();
std::map<uintptr_t, Allocation>& allocations() {
    static auto* m = new std::map<uintptr_t, Allocation>();
    return *m;
}
std::set<Stream*>& live_streams() {
    static auto* s = new std::set<Stream*>();
    return *s;
}

// Page-locked host memory (cuMemAllocHost, cuMemHostAlloc): start -> bytes.
std::map<uintptr_t, size_t>& pinned() {
    static auto* m = new std::map<uintptr_t, size_t>();
    return *m;
}

// Whether [p, p + bytes) lies in one page-locked allocation (lock held).
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

thread_local CUctx_st* tl_current = nullptr;

int cc_of(const Device* d) {
    (void) d;
    return g_cfg.ccMajor * 10 + g_cfg.ccMinor;
}

// ---- streams -----------------------------------------------------------------------------------
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

// Caller holds the lock. Legacy-stream semantics: legacy work waits for the blocking streams'
// earlier work, blocking streams' work waits for earlier legacy work; non-blocking streams wait
// for nothing but themselves.
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

// Waits (lock held) until every stream in `streams` has finished what was queued on it now.
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

std::vector<Stream*> all_streams(CUctx_st* c) {
    std::vector<Stream*> v{c->legacy};
    v.insert(v.end(), c->streams.begin(), c->streams.end());
    return v;
}

// Resolves a stream handle (lock held): NULL and CU_STREAM_LEGACY are the current context's
// legacy stream.
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

// ---- common checks -----------------------------------------------------------------------------
#define REQUIRE_INIT()                              \
    do {                                            \
        if (!g_initialized) {                       \
            return CUDA_ERROR_NOT_INITIALIZED;      \
        }                                           \
    } while (0)

// Most API calls need the calling thread's current context; once a context has a sticky error,
// every such call returns it, as the real driver does.
#define REQUIRE_CTX(name)                                                                   \
    REQUIRE_INIT();                                                                         \
    CUctx_st* ctx = tl_current;                                                             \
    if (ctx == nullptr) {                                                                   \
        no_context(name);                                                                   \
        return CUDA_ERROR_INVALID_CONTEXT;                                                  \
    }

void no_context(const char* fn) {
    static std::set<std::string>* seen = new std::set<std::string>();
    std::lock_guard<std::mutex> g(mu());
    if (seen->insert(fn).second) {
        tjemu_log("%s on a thread with no current context (CUDA_ERROR_INVALID_CONTEXT; "
                  "cuCtxSetCurrent is per thread; logged once per function)", fn);
    }
}

int check_device(CUdevice dev) {
    return dev >= 0 && dev < (int) g_devices.size() ? CUDA_SUCCESS : CUDA_ERROR_INVALID_DEVICE;
}

// The live allocation containing [p, p + bytes), or null (lock held). An empty range may sit at
// the allocation's end.
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

int check_device_range(const char* fn, const char* what, CUdeviceptr p, size_t bytes) {
    if (find_range((uintptr_t) p, bytes, nullptr) == nullptr) {
        tjemu_log("%s: %s [0x%llx, +%zu bytes) is not inside one live device allocation", fn, what, p, bytes);
        return CUDA_ERROR_INVALID_VALUE;
    }
    return CUDA_SUCCESS;
}

// ---- asynchronous tasks ------------------------------------------------------------------------
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

struct FnTask : Task {
    int (*fn)(void*);
    void* arg;
    int run() override {
        return fn(arg);
    }
};

struct FailTask : Task {
    int rc;
    int run() override {
        return rc;
    }
};

struct KernelTask : Task {
    tjemu::Launch launch;
    int run() override {
        return tjemu::run_launch(launch);
    }
    ~KernelTask() override {
        launch.twin->destroy(launch.packed);
    }
};

// Queues t on stream h of the current context; with sync (the synchronous copies), on the legacy
// stream, and waits for it; with waitDone, on stream h, and waits for it (asynchronous copies from
// or to pageable host memory, which the real driver completes or stages before it returns).
CUresult submit(const char* fn, CUctx_st* ctx, CUstream h, Task* t, bool sync, bool waitDone = false) {
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

// ---- twins and modules -------------------------------------------------------------------------
std::unordered_map<std::string, const tjemu::Twin*>& twins() {
    static auto* m = new std::unordered_map<std::string, const tjemu::Twin*>();
    return *m;
}

} // namespace

struct CUmod_st {
    CUctx_st* ctx;
    std::map<std::string, CUfunc_st*> functions;
};

struct CUfunc_st {
    CUmod_st* module;
    const tjemu::Twin* twin;
    std::string name;
    unsigned int staticShared;
};

namespace {

// ---- PTX checks --------------------------------------------------------------------------------
std::string strip_comments(const char* text) {
    std::string out;
    for (const char* p = text; *p != '\0';) {
        if (p[0] == '/' && p[1] == '/') {
            while (*p != '\0' && *p != '\n') {
                p++;
            }
        } else if (p[0] == '/' && p[1] == '*') {
            p += 2;
            while (*p != '\0' && !(p[0] == '*' && p[1] == '/')) {
                p++;
            }
            if (*p != '\0') {
                p += 2;
            }
            out += ' ';
        } else {
            out += *p++;
        }
    }
    return out;
}

bool is_ident(char c) {
    return isalnum((unsigned char) c) || c == '_' || c == '$' || c == '.' || c == '%';
}

// Tokens: identifiers/directives/numbers, and single punctuation characters.
std::vector<std::string> tokenize(const std::string& s) {
    std::vector<std::string> t;
    for (size_t i = 0; i < s.size();) {
        char c = s[i];
        if (isspace((unsigned char) c)) {
            i++;
        } else if (is_ident(c)) {
            size_t j = i;
            while (j < s.size() && is_ident(s[j])) {
                j++;
            }
            t.push_back(s.substr(i, j - i));
            i = j;
        } else {
            t.push_back(std::string(1, c));
            i++;
        }
    }
    return t;
}

// Bytes of a PTX fundamental type (.u32 = 4 ...), 0 if it is not one.
unsigned int ptx_type_size(const std::string& t) {
    static const std::map<std::string, unsigned int>& sizes = *new std::map<std::string, unsigned int>{
        {".b8", 1}, {".u8", 1}, {".s8", 1}, {".b16", 2}, {".u16", 2}, {".s16", 2}, {".f16", 2},
        {".bf16", 2}, {".b32", 4}, {".u32", 4}, {".s32", 4}, {".f32", 4}, {".f16x2", 4}, {".bf16x2", 4},
        {".b64", 8}, {".u64", 8}, {".s64", 8}, {".f64", 8}, {".b128", 16}, {".pred", 1}};
    auto it = sizes.find(t);
    return it == sizes.end() ? 0 : it->second;
}

// A variable declaration's bytes: tokens from the type on, e.g. `.align 8 .b8 name [ 200 ]`.
// Returns false when it cannot tell.
bool decl_bytes(const std::vector<std::string>& tok, size_t from, size_t to, unsigned long long* bytes) {
    unsigned int elem = 0;
    unsigned long long count = 1;
    for (size_t i = from; i < to; i++) {
        const std::string& t = tok[i];
        if (t == ".align") {
            i++; // its number
        } else if (elem == 0 && ptx_type_size(t) != 0) {
            elem = ptx_type_size(t);
        } else if (t == ".v2" || t == ".v4" || t == ".v8") {
            count *= (unsigned long long) atoi(t.c_str() + 2);
        } else if (t == "[" && i + 2 < to && tok[i + 2] == "]") {
            count *= strtoull(tok[i + 1].c_str(), nullptr, 0);
            i += 2;
        } else if (t == "[" && i + 1 < to && tok[i + 1] == "]") {
            count *= 0; // extern dynamic shared memory: sized at launch
            i += 1;
        }
    }
    if (elem == 0) {
        return false;
    }
    *bytes = elem * count;
    return true;
}

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
std::string parse_ptx(const char* text, PtxModule* m) {
    std::vector<std::string> tok = tokenize(strip_comments(text));
    unsigned long long moduleShared = 0;
    int depth = 0;
    PtxEntry* cur = nullptr;
    for (size_t i = 0; i < tok.size(); i++) {
        const std::string& t = tok[i];
        if (t == "{") {
            depth++;
        } else if (t == "}") {
            depth--;
            if (depth == 0) {
                cur = nullptr;
            }
        } else if (depth == 0 && t == ".version" && i + 1 < tok.size()) {
            int major = 0, minor = 0;
            if (sscanf(tok[i + 1].c_str(), "%d.%d", &major, &minor) != 2) {
                return "cannot read the .version directive";
            }
            m->isa = major * 10 + minor;
        } else if (depth == 0 && t == ".target" && i + 1 < tok.size()) {
            m->targetName = tok[i + 1];
            if (sscanf(tok[i + 1].c_str(), "sm_%d", &m->target) != 1) {
                return "cannot read the .target directive '" + tok[i + 1] + "'";
            }
        } else if (depth == 0 && t == ".entry" && i + 1 < tok.size()) {
            m->entries.push_back(PtxEntry{tok[i + 1], {}, 0});
            cur = &m->entries.back();
            size_t j = i + 2;
            if (j < tok.size() && tok[j] == "(") {
                size_t start = j + 1;
                for (j = start; j < tok.size() && tok[j] != ")"; j++) {
                    if (tok[j] == ",") {
                        continue;
                    }
                    if (tok[j] == ".param") {
                        size_t end = j + 1;
                        while (end < tok.size() && tok[end] != "," && tok[end] != ")") {
                            end++;
                        }
                        unsigned long long b = 0;
                        if (!decl_bytes(tok, j + 1, end, &b)) {
                            return "cannot read a .param of entry " + cur->name;
                        }
                        cur->paramSizes.push_back(b);
                        j = end - 1;
                    }
                }
                i = j;
            } else {
                i = j - 1;
            }
        } else if (t == ".shared" && (depth == 0 || cur != nullptr)) {
            // A declaration (`.shared .align 4 .b8 name[N];`), not an instruction's state space
            // (`ld.shared.f32` is one token, so it never matches).
            size_t end = i + 1;
            while (end < tok.size() && tok[end] != ";") {
                end++;
            }
            unsigned long long b = 0;
            if (decl_bytes(tok, i + 1, end, &b)) {
                if (depth == 0) {
                    moduleShared += b;
                } else {
                    cur->shared += b;
                }
            }
            i = end;
        }
    }
    for (PtxEntry& e : m->entries) {
        e.shared += moduleShared;
    }
    if (m->isa == 0) {
        return "no .version directive";
    }
    if (m->target == 0) {
        return "no .target directive";
    }
    return "";
}

struct JitLog {
    char* error = nullptr;
    size_t errorSize = 0;
    int errorSizeIndex = -1;
    char* info = nullptr;
    size_t infoSize = 0;
    int infoSizeIndex = -1;
};

void write_log(char* buf, size_t size, int sizeIndex, void** values, const std::string& msg) {
    if (buf == nullptr || size == 0) {
        return;
    }
    size_t n = std::min(size - 1, msg.size());
    memcpy(buf, msg.data(), n);
    buf[n] = '\0';
    if (sizeIndex >= 0) {
        values[sizeIndex] = reinterpret_cast<void*>((uintptr_t) (n + 1));
    }
}

CUresult load_module(CUmodule* out, const void* image, unsigned int numOptions, CUjit_option* options,
                     void** optionValues) {
    REQUIRE_CTX("cuModuleLoadData");
    if (out == nullptr || image == nullptr || (numOptions > 0 && (options == nullptr || optionValues == nullptr))) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    JitLog log;
    for (unsigned int i = 0; i < numOptions; i++) {
        switch (options[i]) {
            case CU_JIT_ERROR_LOG_BUFFER: log.error = static_cast<char*>(optionValues[i]); break;
            case CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES:
                log.errorSize = (size_t) (uintptr_t) optionValues[i];
                log.errorSizeIndex = (int) i;
                break;
            case CU_JIT_INFO_LOG_BUFFER: log.info = static_cast<char*>(optionValues[i]); break;
            case CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES:
                log.infoSize = (size_t) (uintptr_t) optionValues[i];
                log.infoSizeIndex = (int) i;
                break;
            default: break; // optimisation levels, wall time etc.: nothing to do on the CPU
        }
    }
    auto fail = [&](int rc, const std::string& msg) {
        std::string line = "tensorj CUDA emulator: " + msg;
        tjemu_log("%s", msg.c_str());
        write_log(log.error, log.errorSize, log.errorSizeIndex, optionValues, line);
        write_log(log.info, log.infoSize, log.infoSizeIndex, optionValues, "");
        return rc;
    };
    const unsigned char* b = static_cast<const unsigned char*>(image);
    if (b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F') {
        return fail(CUDA_ERROR_INVALID_IMAGE, "cuModuleLoadData: a cubin (ELF) image; only PTX text is emulated");
    }
    if (b[0] == 0x50 && b[1] == 0xed && b[2] == 0x55 && b[3] == 0xba) {
        return fail(CUDA_ERROR_INVALID_IMAGE, "cuModuleLoadData: a fatbin image; only PTX text is emulated");
    }
    PtxModule ptx;
    std::string err = parse_ptx(static_cast<const char*>(image), &ptx);
    if (!err.empty()) {
        return fail(CUDA_ERROR_INVALID_PTX, "PTX rejected: " + err);
    }
    char buf[512];
    if (ptx.isa > kMaxPtxIsa) {
        snprintf(buf, sizeof buf, "PTX rejected: .version %d.%d is newer than the PTX ISA %d.%d that driver %d.%d accepts",
                 ptx.isa / 10, ptx.isa % 10, kMaxPtxIsa / 10, kMaxPtxIsa % 10, kDriverVersion / 1000,
                 kDriverVersion % 1000 / 10);
        return fail(CUDA_ERROR_UNSUPPORTED_PTX_VERSION, buf);
    }
    int cc = cc_of(ctx->device);
    if (ptx.target > cc) {
        snprintf(buf, sizeof buf, "PTX rejected: .target %s is newer than the device's compute capability %d.%d",
                 ptx.targetName.c_str(), cc / 10, cc % 10);
        return fail(CUDA_ERROR_NO_BINARY_FOR_GPU, buf);
    }
    CUmod_st* mod = new CUmod_st();
    mod->ctx = ctx;
    std::string errors;
    for (const PtxEntry& e : ptx.entries) {
        const tjemu::Twin* twin = nullptr;
        {
            std::lock_guard<std::mutex> g(mu());
            auto it = twins().find(e.name);
            twin = it == twins().end() ? nullptr : it->second;
        }
        if (twin == nullptr) {
            errors += (errors.empty() ? "" : "; ") + ("entry " + e.name +
                       " has no CPU twin (the emulator is out of date: rebuild it from src/main/cuda)");
            continue;
        }
        if ((int) e.paramSizes.size() != twin->nparams) {
            snprintf(buf, sizeof buf, "entry %s has %zu parameters in the PTX, its CPU twin from the .cu source %d "
                     "(stale PTX or stale twin: rerun src/main/cuda/build-kernels.sh)",
                     e.name.c_str(), e.paramSizes.size(), twin->nparams);
            errors += (errors.empty() ? "" : "; ") + std::string(buf);
            continue;
        }
        for (int p = 0; p < twin->nparams; p++) {
            if (e.paramSizes[p] != twin->sizes[p]) {
                snprintf(buf, sizeof buf, "entry %s parameter %d is %llu bytes in the PTX, %u bytes in the CPU twin "
                         "from the .cu source (stale PTX or stale twin: rerun src/main/cuda/build-kernels.sh)",
                         e.name.c_str(), p, e.paramSizes[p], twin->sizes[p]);
                errors += (errors.empty() ? "" : "; ") + std::string(buf);
            }
        }
        if (e.shared > TJEMU_MAX_SHARED_PER_BLOCK) {
            snprintf(buf, sizeof buf, "entry %s declares %llu bytes of static shared memory, more than the %u per block",
                     e.name.c_str(), e.shared, TJEMU_MAX_SHARED_PER_BLOCK);
            errors += (errors.empty() ? "" : "; ") + std::string(buf);
        }
        CUfunc_st* f = new CUfunc_st();
        f->module = mod;
        f->twin = twin;
        f->name = e.name;
        f->staticShared = (unsigned int) e.shared;
        mod->functions[e.name] = f;
    }
    if (!errors.empty()) {
        for (auto& kv : mod->functions) {
            delete kv.second;
        }
        delete mod;
        return fail(CUDA_ERROR_INVALID_PTX, "PTX rejected: " + errors);
    }
    snprintf(buf, sizeof buf, "tensorj CUDA emulator: %zu entries bound to their CPU twins (PTX ISA %d.%d, %s)",
             ptx.entries.size(), ptx.isa / 10, ptx.isa % 10, ptx.targetName.c_str());
    write_log(log.info, log.infoSize, log.infoSizeIndex, optionValues, buf);
    write_log(log.error, log.errorSize, log.errorSizeIndex, optionValues, "");
    *out = mod;
    return CUDA_SUCCESS;
}

const char* error_name(int e) {
    switch (e) {
        case CUDA_SUCCESS: return "CUDA_SUCCESS";
        case CUDA_ERROR_INVALID_VALUE: return "CUDA_ERROR_INVALID_VALUE";
        case CUDA_ERROR_OUT_OF_MEMORY: return "CUDA_ERROR_OUT_OF_MEMORY";
        case CUDA_ERROR_NOT_INITIALIZED: return "CUDA_ERROR_NOT_INITIALIZED";
        case CUDA_ERROR_NO_DEVICE: return "CUDA_ERROR_NO_DEVICE";
        case CUDA_ERROR_INVALID_DEVICE: return "CUDA_ERROR_INVALID_DEVICE";
        case CUDA_ERROR_INVALID_IMAGE: return "CUDA_ERROR_INVALID_IMAGE";
        case CUDA_ERROR_INVALID_CONTEXT: return "CUDA_ERROR_INVALID_CONTEXT";
        case CUDA_ERROR_NO_BINARY_FOR_GPU: return "CUDA_ERROR_NO_BINARY_FOR_GPU";
        case CUDA_ERROR_INVALID_PTX: return "CUDA_ERROR_INVALID_PTX";
        case CUDA_ERROR_UNSUPPORTED_PTX_VERSION: return "CUDA_ERROR_UNSUPPORTED_PTX_VERSION";
        case CUDA_ERROR_INVALID_HANDLE: return "CUDA_ERROR_INVALID_HANDLE";
        case CUDA_ERROR_NOT_FOUND: return "CUDA_ERROR_NOT_FOUND";
        case CUDA_ERROR_NOT_READY: return "CUDA_ERROR_NOT_READY";
        case CUDA_ERROR_ILLEGAL_ADDRESS: return "CUDA_ERROR_ILLEGAL_ADDRESS";
        case CUDA_ERROR_LAUNCH_FAILED: return "CUDA_ERROR_LAUNCH_FAILED";
        case CUDA_ERROR_NOT_SUPPORTED: return "CUDA_ERROR_NOT_SUPPORTED";
        default: return nullptr;
    }
}

const char* error_string(int e) {
    switch (e) {
        case CUDA_SUCCESS: return "no error";
        case CUDA_ERROR_INVALID_VALUE: return "invalid argument";
        case CUDA_ERROR_OUT_OF_MEMORY: return "out of memory";
        case CUDA_ERROR_NOT_INITIALIZED: return "initialization error";
        case CUDA_ERROR_NO_DEVICE: return "no CUDA-capable device is detected";
        case CUDA_ERROR_INVALID_DEVICE: return "invalid device ordinal";
        case CUDA_ERROR_INVALID_IMAGE: return "device kernel image is invalid";
        case CUDA_ERROR_INVALID_CONTEXT: return "invalid device context";
        case CUDA_ERROR_NO_BINARY_FOR_GPU: return "no kernel image is available for execution on the device";
        case CUDA_ERROR_INVALID_PTX: return "a PTX JIT compilation failed";
        case CUDA_ERROR_UNSUPPORTED_PTX_VERSION: return "the provided PTX was compiled with an unsupported toolchain.";
        case CUDA_ERROR_INVALID_HANDLE: return "invalid resource handle";
        case CUDA_ERROR_NOT_FOUND: return "named symbol not found";
        case CUDA_ERROR_NOT_READY: return "device not ready";
        case CUDA_ERROR_ILLEGAL_ADDRESS: return "an illegal memory access was encountered";
        case CUDA_ERROR_LAUNCH_FAILED: return "unspecified launch failure";
        case CUDA_ERROR_NOT_SUPPORTED: return "operation not supported";
        default: return nullptr;
    }
}

} // namespace

// ---- services for the rest of the emulator (emu.h, kernel_rt.h) --------------------------------
extern "C" TJEMU_EXPORT void tjemu_log(const char* fmt, ...) {
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fprintf(stderr, "tensorj CUDA emulator: %s\n", buf);
    fflush(stderr);
}

extern "C" TJEMU_EXPORT int tjemu_register_twins(const tjemu::Twin* t, int n, const char* source) {
    std::lock_guard<std::mutex> g(mu());
    for (int i = 0; i < n; i++) {
        if (!twins().emplace(t[i].name, &t[i]).second) {
            tjemu_log("kernel %s from %s is defined twice; keeping the first", t[i].name, source);
        }
    }
    return n;
}

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

extern "C" TJEMU_EXPORT int tjemu_is_device_range(const void* ptr, unsigned long long bytes) {
    std::lock_guard<std::mutex> g(mu());
    return find_range((uintptr_t) ptr, bytes, nullptr) != nullptr ? 1 : 0;
}

// ---- initialisation and devices ----------------------------------------------------------------
TJAPI cuInit(unsigned int flags) {
    if (flags != 0) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    std::lock_guard<std::mutex> g(mu());
    if (!g_initialized) {
        g_cfg = read_config();
        for (int i = 0; i < g_cfg.devices; i++) {
            Device* d = new Device();
            d->ordinal = i;
            g_devices.push_back(d);
        }
        g_initialized = true;
    }
    return g_devices.empty() ? CUDA_ERROR_NO_DEVICE : CUDA_SUCCESS;
}

TJAPI cuDriverGetVersion(int* version) {
    if (version == nullptr) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    *version = kDriverVersion;
    return CUDA_SUCCESS;
}

TJAPI cuDeviceGetCount(int* count) {
    REQUIRE_INIT();
    if (count == nullptr) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    *count = (int) g_devices.size();
    return CUDA_SUCCESS;
}

TJAPI cuDeviceGet(CUdevice* dev, int ordinal) {
    REQUIRE_INIT();
    if (dev == nullptr) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    if (check_device(ordinal) != CUDA_SUCCESS) {
        return CUDA_ERROR_INVALID_DEVICE;
    }
    *dev = ordinal;
    return CUDA_SUCCESS;
}

TJAPI cuDeviceGetName(char* name, int len, CUdevice dev) {
    REQUIRE_INIT();
    if (name == nullptr || len <= 0) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    if (check_device(dev) != CUDA_SUCCESS) {
        return CUDA_ERROR_INVALID_DEVICE;
    }
    snprintf(name, (size_t) len, "tensorj CUDA emulator (CPU, sm_%d%d)", g_cfg.ccMajor, g_cfg.ccMinor);
    return CUDA_SUCCESS;
}

TJAPI cuDeviceTotalMem_v2(size_t* bytes, CUdevice dev) {
    REQUIRE_INIT();
    if (bytes == nullptr) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    if (check_device(dev) != CUDA_SUCCESS) {
        return CUDA_ERROR_INVALID_DEVICE;
    }
    *bytes = g_cfg.memoryBytes;
    return CUDA_SUCCESS;
}

TJAPI cuDeviceGetUuid(CUuuid* uuid, CUdevice dev) {
    REQUIRE_INIT();
    if (uuid == nullptr) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    if (check_device(dev) != CUDA_SUCCESS) {
        return CUDA_ERROR_INVALID_DEVICE;
    }
    memset(uuid->bytes, 0, sizeof uuid->bytes);
    memcpy(uuid->bytes, "tensorj-emu", 11);
    uuid->bytes[15] = (char) dev;
    return CUDA_SUCCESS;
}

TJAPI cuDeviceGetAttribute(int* value, int attrib, CUdevice dev) {
    REQUIRE_INIT();
    if (value == nullptr) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    if (check_device(dev) != CUDA_SUCCESS) {
        return CUDA_ERROR_INVALID_DEVICE;
    }
    int v;
    switch (attrib) {
        case 1: v = (int) TJEMU_MAX_THREADS_PER_BLOCK; break;   // MAX_THREADS_PER_BLOCK
        case 2: v = (int) TJEMU_MAX_BLOCK_X; break;             // MAX_BLOCK_DIM_X
        case 3: v = (int) TJEMU_MAX_BLOCK_Y; break;             // MAX_BLOCK_DIM_Y
        case 4: v = (int) TJEMU_MAX_BLOCK_Z; break;             // MAX_BLOCK_DIM_Z
        case 5: v = (int) TJEMU_MAX_GRID_X; break;              // MAX_GRID_DIM_X
        case 6: v = (int) TJEMU_MAX_GRID_Y; break;              // MAX_GRID_DIM_Y
        case 7: v = (int) TJEMU_MAX_GRID_Z; break;              // MAX_GRID_DIM_Z
        case 8: v = (int) TJEMU_MAX_SHARED_PER_BLOCK; break;    // MAX_SHARED_MEMORY_PER_BLOCK
        case 9: v = 65536; break;                               // TOTAL_CONSTANT_MEMORY
        case 10: v = 32; break;                                 // WARP_SIZE
        case 12: v = 65536; break;                              // MAX_REGISTERS_PER_BLOCK
        case 13: v = 1000000; break;                            // CLOCK_RATE (kHz)
        case 16: v = g_cfg.sms; break;                          // MULTIPROCESSOR_COUNT
        case 17: v = 0; break;                                  // KERNEL_EXEC_TIMEOUT
        case 18: v = 0; break;                                  // INTEGRATED
        case 20: v = 0; break;                                  // COMPUTE_MODE (default)
        case 31: v = 1; break;                                  // CONCURRENT_KERNELS
        case 39: v = 2048; break;                               // MAX_THREADS_PER_MULTIPROCESSOR
        case 41: v = 1; break;                                  // UNIFIED_ADDRESSING
        case 75: v = g_cfg.ccMajor; break;                      // COMPUTE_CAPABILITY_MAJOR
        case 76: v = g_cfg.ccMinor; break;                      // COMPUTE_CAPABILITY_MINOR
        case 81: v = 100 * 1024; break;                         // MAX_SHARED_MEMORY_PER_MULTIPROCESSOR
        case 82: v = 65536; break;                              // MAX_REGISTERS_PER_MULTIPROCESSOR
        case 97: v = (int) TJEMU_MAX_SHARED_PER_BLOCK; break;   // MAX_SHARED_MEMORY_PER_BLOCK_OPTIN (no opt-in)
        case 106: v = 32; break;                                // MAX_BLOCKS_PER_MULTIPROCESSOR
        default:
            tjemu_log("cuDeviceGetAttribute: attribute %d is not emulated", attrib);
            return CUDA_ERROR_INVALID_VALUE;
    }
    *value = v;
    return CUDA_SUCCESS;
}

// ---- contexts ----------------------------------------------------------------------------------
TJAPI cuDevicePrimaryCtxRetain(CUcontext* pctx, CUdevice dev) {
    REQUIRE_INIT();
    if (pctx == nullptr) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    if (check_device(dev) != CUDA_SUCCESS) {
        return CUDA_ERROR_INVALID_DEVICE;
    }
    std::lock_guard<std::mutex> g(mu());
    Device* d = g_devices[dev];
    if (d->primary == nullptr) {
        CUctx_st* c = new CUctx_st();
        c->device = d;
        c->legacy = new_stream(c, true, false);
        d->primary = c;
    }
    d->primary->refs++;
    *pctx = d->primary;
    return CUDA_SUCCESS;
}

// The primary context stays alive (with its memory) when its count drops to zero.
TJAPI cuDevicePrimaryCtxRelease_v2(CUdevice dev) {
    REQUIRE_INIT();
    if (check_device(dev) != CUDA_SUCCESS) {
        return CUDA_ERROR_INVALID_DEVICE;
    }
    std::lock_guard<std::mutex> g(mu());
    Device* d = g_devices[dev];
    if (d->primary == nullptr || d->primary->refs == 0) {
        return CUDA_ERROR_INVALID_CONTEXT;
    }
    d->primary->refs--;
    return CUDA_SUCCESS;
}

TJAPI cuCtxSetCurrent(CUcontext c) {
    REQUIRE_INIT();
    if (c != nullptr) {
        std::lock_guard<std::mutex> g(mu());
        bool known = false;
        for (Device* d : g_devices) {
            known = known || d->primary == c;
        }
        if (!known) {
            return CUDA_ERROR_INVALID_CONTEXT;
        }
    }
    tl_current = c;
    return CUDA_SUCCESS;
}

TJAPI cuCtxGetCurrent(CUcontext* pctx) {
    REQUIRE_INIT();
    if (pctx == nullptr) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    *pctx = tl_current;
    return CUDA_SUCCESS;
}

TJAPI cuCtxGetDevice(CUdevice* dev) {
    REQUIRE_CTX("cuCtxGetDevice");
    if (dev == nullptr) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    *dev = ctx->device->ordinal;
    return CUDA_SUCCESS;
}

TJAPI cuCtxSynchronize() {
    REQUIRE_CTX("cuCtxSynchronize");
    std::unique_lock<std::mutex> lock(mu());
    wait_streams(lock, all_streams(ctx));
    return ctx->sticky;
}

// ---- memory ------------------------------------------------------------------------------------
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
        munmap(m, mapBytes);
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

TJAPI cuMemcpyDtoD_v2(CUdeviceptr dst, CUdeviceptr src, size_t bytes) {
    REQUIRE_CTX("cuMemcpyDtoD");
    if (bytes == 0) {
        return CUDA_SUCCESS;
    }
    {
        std::lock_guard<std::mutex> g(mu());
        if (int rc = check_device_range("cuMemcpyDtoD", "source", src, bytes)) {
            return rc;
        }
        if (int rc = check_device_range("cuMemcpyDtoD", "destination", dst, bytes)) {
            return rc;
        }
    }
    CopyTask* t = new CopyTask();
    t->dst = (void*) (uintptr_t) dst;
    t->src = (const void*) (uintptr_t) src;
    t->bytes = bytes;
    // Device-to-device copies are asynchronous with respect to the host even in the synchronous
    // API; queued on the legacy stream.
    return submit("cuMemcpyDtoD", ctx, nullptr, t, false);
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
    if (bytes == 0) {
        return CUDA_SUCCESS;
    }
    {
        std::lock_guard<std::mutex> g(mu());
        if (int rc = check_device_range("cuMemcpyDtoDAsync", "source", src, bytes)) {
            return rc;
        }
        if (int rc = check_device_range("cuMemcpyDtoDAsync", "destination", dst, bytes)) {
            return rc;
        }
    }
    CopyTask* t = new CopyTask();
    t->dst = (void*) (uintptr_t) dst;
    t->src = (const void*) (uintptr_t) src;
    t->bytes = bytes;
    return submit("cuMemcpyDtoDAsync", ctx, stream, t, false);
}

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

// ---- streams -----------------------------------------------------------------------------------
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

// ---- events, host functions, page-locked host memory --------------------------------------------
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

// ---- modules and launches ----------------------------------------------------------------------
TJAPI cuModuleLoadData(CUmodule* module, const void* image) {
    return load_module(module, image, 0, nullptr, nullptr);
}

TJAPI cuModuleLoadDataEx(CUmodule* module, const void* image, unsigned int numOptions, CUjit_option* options,
                         void** optionValues) {
    return load_module(module, image, numOptions, options, optionValues);
}

TJAPI cuModuleGetFunction(CUfunction* f, CUmodule m, const char* name) {
    REQUIRE_INIT();
    if (f == nullptr || m == nullptr || name == nullptr) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    auto it = m->functions.find(name);
    if (it == m->functions.end()) {
        tjemu_log("cuModuleGetFunction: the module has no entry %s", name);
        return CUDA_ERROR_NOT_FOUND;
    }
    *f = it->second;
    return CUDA_SUCCESS;
}

TJAPI cuLaunchKernel(CUfunction f, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx,
                     unsigned int by, unsigned int bz, unsigned int sharedMemBytes, CUstream stream,
                     void** kernelParams, void** extra) {
    REQUIRE_CTX("cuLaunchKernel");
    if (f == nullptr) {
        return CUDA_ERROR_INVALID_HANDLE;
    }
    const char* name = f->name.c_str();
    if (f->module->ctx != ctx) {
        tjemu_log("cuLaunchKernel %s: its module was loaded in another context than the current one", name);
        return CUDA_ERROR_INVALID_HANDLE;
    }
    if (gx == 0 || gy == 0 || gz == 0 || bx == 0 || by == 0 || bz == 0 || bx > TJEMU_MAX_BLOCK_X ||
        by > TJEMU_MAX_BLOCK_Y || bz > TJEMU_MAX_BLOCK_Z ||
        (unsigned long long) bx * by * bz > TJEMU_MAX_THREADS_PER_BLOCK || gx > TJEMU_MAX_GRID_X ||
        gy > TJEMU_MAX_GRID_Y || gz > TJEMU_MAX_GRID_Z) {
        tjemu_log("cuLaunchKernel %s: invalid launch configuration grid (%u,%u,%u) block (%u,%u,%u)", name, gx, gy,
                  gz, bx, by, bz);
        return CUDA_ERROR_INVALID_VALUE;
    }
    if ((unsigned long long) sharedMemBytes + f->staticShared > TJEMU_MAX_SHARED_PER_BLOCK) {
        tjemu_log("cuLaunchKernel %s: %u bytes of dynamic + %u of static shared memory exceed %u", name,
                  sharedMemBytes, f->staticShared, TJEMU_MAX_SHARED_PER_BLOCK);
        return CUDA_ERROR_INVALID_VALUE;
    }
    if (extra != nullptr) {
        tjemu_log("cuLaunchKernel %s: the `extra` argument is not emulated (pass kernelParams)", name);
        return kernelParams != nullptr ? CUDA_ERROR_INVALID_VALUE : CUDA_ERROR_NOT_SUPPORTED;
    }
    const tjemu::Twin* tw = f->twin;
    if (tw->nparams > 0 && kernelParams == nullptr) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    // Pointer arguments must point into live device memory (or be null): a kernel reading host or
    // freed memory faults on a GPU (sticky CUDA_ERROR_ILLEGAL_ADDRESS); here it would crash the JVM.
    int badParam = -1;
    unsigned long long badValue = 0;
    {
        std::lock_guard<std::mutex> g(mu());
        for (int i = 0; i < tw->nparams && badParam < 0; i++) {
            if (tw->isPointer[i]) {
                unsigned long long v;
                memcpy(&v, kernelParams[i], sizeof v);
                const Allocation* in = v != 0 ? find_range((uintptr_t) v, 0, nullptr) : nullptr;
                // Another device's memory faults too: tensorj enables no peer access.
                if (v != 0 && (in == nullptr || in->device != ctx->device)) {
                    badParam = i;
                    badValue = v;
                }
            }
        }
    }
    Task* t;
    if (badParam >= 0) {
        tjemu_log("cuLaunchKernel %s: parameter %d (0x%llx) points into no live allocation of this device; the kernel "
                  "does not run and the context gets CUDA_ERROR_ILLEGAL_ADDRESS, as a GPU would fault", name,
                  badParam, badValue);
        FailTask* ft = new FailTask();
        ft->rc = CUDA_ERROR_ILLEGAL_ADDRESS;
        t = ft;
    } else {
        KernelTask* kt = new KernelTask();
        kt->launch.twin = tw;
        kt->launch.packed = tw->pack(tw->fn, kernelParams);
        kt->launch.grid[0] = gx;
        kt->launch.grid[1] = gy;
        kt->launch.grid[2] = gz;
        kt->launch.block[0] = bx;
        kt->launch.block[1] = by;
        kt->launch.block[2] = bz;
        t = kt;
    }
    return submit("cuLaunchKernel", ctx, stream, t, false);
}

// ---- errors ------------------------------------------------------------------------------------
TJAPI cuGetErrorName(CUresult error, const char** pStr) {
    if (pStr == nullptr) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    *pStr = error_name(error);
    return *pStr != nullptr ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

TJAPI cuGetErrorString(CUresult error, const char** pStr) {
    if (pStr == nullptr) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    *pStr = error_string(error);
    return *pStr != nullptr ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

// The generated stubs' one function: logs each name once.
extern "C" TJEMU_EXPORT CUresult tjemu_not_emulated(const char* name, int* logged) {
    if (__atomic_exchange_n(logged, 1, __ATOMIC_RELAXED) == 0) {
        tjemu_log("%s is not emulated (CUDA_ERROR_NOT_SUPPORTED)", name);
    }
    return CUDA_ERROR_NOT_SUPPORTED;
}
