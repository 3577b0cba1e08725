// What the self-test's sources share (selftest.cpp, selftest_ordering.cpp): the driver functions
// it calls, the CHECK macros and their counters, device buffers, and loading and launching the
// shipped kernels. One executable; see selftest.cpp.
#pragma once
#include <dirent.h>
#include <algorithm>
#include <vector>

#include "internal.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

extern "C" {
CUresult cuInit(unsigned int);
CUresult cuDeviceGetCount(int*);
CUresult cuDeviceGet(CUdevice*, int);
CUresult cuDeviceGetAttribute(int*, int, CUdevice);
CUresult cuDeviceGetName(char*, int, CUdevice);
CUresult cuDevicePrimaryCtxRetain(CUcontext*, CUdevice);
CUresult cuCtxSetCurrent(CUcontext);
CUresult cuCtxSynchronize();
CUresult cuStreamCreate(CUstream*, unsigned int);
CUresult cuStreamSynchronize(CUstream);
CUresult cuStreamDestroy_v2(CUstream);
CUresult cuMemAlloc_v2(CUdeviceptr*, size_t);
CUresult cuMemFree_v2(CUdeviceptr);
CUresult cuMemGetInfo_v2(size_t*, size_t*);
CUresult cuMemcpyHtoD_v2(CUdeviceptr, const void*, size_t);
CUresult cuMemcpyDtoH_v2(void*, CUdeviceptr, size_t);
CUresult cuMemsetD32Async(CUdeviceptr, unsigned int, size_t, CUstream);
CUresult cuModuleLoadData(CUmodule*, const void*);
CUresult cuModuleLoadDataEx(CUmodule*, const void*, unsigned int, CUjit_option*, void**);
CUresult cuModuleGetFunction(CUfunction*, CUmodule, const char*);
CUresult cuLaunchKernel(CUfunction, unsigned int, unsigned int, unsigned int, unsigned int, unsigned int,
                        unsigned int, unsigned int, CUstream, void**, void**);
CUresult cuGraphCreate(void*, unsigned int); // a stub
CUresult cuEventCreate(CUevent*, unsigned int);
CUresult cuEventRecord(CUevent, CUstream);
CUresult cuEventSynchronize(CUevent);
CUresult cuEventQuery(CUevent);
CUresult cuEventElapsedTime(float*, CUevent, CUevent);
CUresult cuEventDestroy_v2(CUevent);
CUresult cuStreamWaitEvent(CUstream, CUevent, unsigned int);
CUresult cuMemAllocHost_v2(void**, size_t);
CUresult cuMemFreeHost(void*);
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr, const void*, size_t, CUstream);
CUresult cuStreamQuery(CUstream);
}

// ---- helpers -----------------------------------------------------------------------------------
inline int g_failures = 0;
inline int g_checks = 0;

#define CHECK(cond, ...)                                   \
    do {                                                   \
        g_checks++;                                        \
        if (!(cond)) {                                     \
            g_failures++;                                  \
            fprintf(stdout, "FAIL %s:%d: ", __FILE__, __LINE__); \
            fprintf(stdout, __VA_ARGS__);                  \
            fprintf(stdout, "\n");                         \
        }                                                  \
    } while (0)
#define CHECK_RC(call, want)                                                                  \
    do {                                                                                      \
        int rc_ = (call);                                                                     \
        CHECK(rc_ == (want), "%s returned %d, want %d", #call, rc_, (int) (want));            \
    } while (0)
#define OK(call) CHECK_RC(call, CUDA_SUCCESS)

inline std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Runs f with stderr captured; returns what it wrote.
inline std::string capture_stderr(const std::function<void()>& f) {
    char path[] = "/tmp/tjemu-selftest-XXXXXX";
    int fd = mkstemp(path);
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    f();
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(fd);
    std::string s = read_file(path);
    unlink(path);
    fputs(s.c_str(), stderr); // still visible in the log
    return s;
}

// True when f, run in a child process, dies of SIGSEGV.
inline bool segfaults(const std::function<void()>& f) {
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGSEGV, SIG_DFL);
        f();
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
}

inline uint32_t bits(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

struct Dev {
    CUdeviceptr p = 0;
    size_t n = 0;
    explicit Dev(size_t count) : n(count) {
        int rc = cuMemAlloc_v2(&p, count * 4 > 0 ? count * 4 : 4);
        if (rc != 0) {
            fprintf(stdout, "FAIL: cuMemAlloc(%zu floats) = %d\n", count, rc);
            exit(1);
        }
    }
    Dev(const std::vector<float>& v) : Dev(v.size()) { put(v); }
    ~Dev() { cuMemFree_v2(p); }
    void put(const std::vector<float>& v) { cuMemcpyHtoD_v2(p, v.data(), v.size() * 4); }
    std::vector<float> get() {
        std::vector<float> v(n);
        int rc = cuMemcpyDtoH_v2(v.data(), p, n * 4);
        if (rc != 0) {
            fprintf(stdout, "FAIL: cuMemcpyDtoH = %d\n", rc);
            g_failures++;
        }
        return v;
    }
};

inline std::vector<float> random_floats(size_t n, unsigned seed, bool specials = true) {
    std::vector<float> v(n);
    unsigned s = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        v[i] = ((float) (s >> 8) / (float) (1u << 24)) * 8.0f - 4.0f;
    }
    if (specials && n >= 8) {
        v[0] = NAN;
        v[1] = INFINITY;
        v[2] = -INFINITY;
        v[3] = 0.0f;
        v[4] = -0.0f;
        v[5] = 1.0f;
        v[6] = -1.0f;
        v[7] = 2.0f;
    }
    return v;
}

// ---- kernels -----------------------------------------------------------------------------------
inline std::map<std::string, CUfunction> g_fn;

inline CUfunction fn(const char* name) {
    auto it = g_fn.find(name);
    if (it == g_fn.end()) {
        fprintf(stdout, "FAIL: no function %s\n", name);
        exit(1);
    }
    return it->second;
}

// Every module the jar ships (each .ptx in TJEMU_PTX_DIR), so a new kernel file is never left out.
inline std::vector<std::string> shipped_modules() {
    std::vector<std::string> names;
    if (DIR* d = opendir(TJEMU_PTX_DIR)) {
        while (dirent* e = readdir(d)) {
            std::string n = e->d_name;
            if (n.size() > 4 && n.compare(n.size() - 4, 4, ".ptx") == 0) {
                names.push_back(n.substr(0, n.size() - 4));
            }
        }
        closedir(d);
    }
    std::sort(names.begin(), names.end());
    return names;
}

inline void load_shipped_modules() {
    for (const std::string& name : shipped_modules()) {
        const char* m = name.c_str();
        std::string ptx = read_file(std::string(TJEMU_PTX_DIR) + "/" + m + ".ptx");
        CHECK(!ptx.empty(), "read %s.ptx", m);
        char err[1024] = "x", info[1024] = "x";
        CUjit_option opts[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES, CU_JIT_INFO_LOG_BUFFER,
                               CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES};
        void* vals[] = {err, (void*) (uintptr_t) sizeof err, info, (void*) (uintptr_t) sizeof info};
        CUmodule mod = nullptr;
        OK(cuModuleLoadDataEx(&mod, ptx.c_str(), 4, opts, vals));
        CHECK(err[0] == '\0', "empty error log, got '%s'", err);
        // Every .entry of the PTX must be gettable.
        size_t pos = 0;
        while ((pos = ptx.find(".entry ", pos)) != std::string::npos) {
            pos += 7;
            size_t end = ptx.find('(', pos);
            std::string name = ptx.substr(pos, end - pos);
            CUfunction f = nullptr;
            OK(cuModuleGetFunction(&f, mod, name.c_str()));
            g_fn[name] = f;
        }
    }
    // Every kernel of the .cu sources (counted by build.sh) is in the shipped PTX.
    CHECK(g_fn.size() == TJEMU_SHIPPED_KERNELS, "%d shipped kernels, found %zu", TJEMU_SHIPPED_KERNELS, g_fn.size());
}

inline unsigned int grid_for(long long n) {
    long long g = (n + 255) / 256;
    return (unsigned int) std::max(1LL, std::min(g, 4LL * 32));
}

inline int launch(const char* name, unsigned int grid, unsigned int bx, unsigned int by, std::vector<void*> args,
                  CUstream s = nullptr) {
    return cuLaunchKernel(fn(name), grid, 1, 1, bx, by, 1, 0, s, args.data(), nullptr);
}

// selftest_ordering.cpp: the stream-ordering checks (`selftest ordering`).
int ordering_main();
