// The emulated driver's configuration, the lock and the state every source shares, the
// missing-context check and the log (declared in driver.h).
#include "driver.h"

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

namespace tjemu {

// ---- configuration -----------------------------------------------------------------------------
namespace {

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

} // namespace

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

thread_local CUctx_st* tl_current = nullptr;

// ---- common checks -----------------------------------------------------------------------------
void no_context(const char* fn) {
    static std::set<std::string>* seen = new std::set<std::string>();
    std::lock_guard<std::mutex> g(mu());
    if (seen->insert(fn).second) {
        tjemu_log("%s on a thread with no current context (CUDA_ERROR_INVALID_CONTEXT; "
                  "cuCtxSetCurrent is per thread; logged once per function)", fn);
    }
}

} // namespace tjemu

// ---- the log (emu.h) and the generated stubs' function -----------------------------------------
extern "C" TJEMU_EXPORT void tjemu_log(const char* fmt, ...) {
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fprintf(stderr, "tensorj CUDA emulator: %s\n", buf);
    fflush(stderr);
}

// The generated stubs' one function: logs each name once.
extern "C" TJEMU_EXPORT CUresult tjemu_not_emulated(const char* name, int* logged) {
    if (__atomic_exchange_n(logged, 1, __ATOMIC_RELAXED) == 0) {
        tjemu_log("%s is not emulated (CUDA_ERROR_NOT_SUPPORTED)", name);
    }
    return CUDA_ERROR_NOT_SUPPORTED;
}
