// The emulated driver's modules and launches: the CPU twins' registry, module loading with the
// PTX checks, function lookup and kernel launches.
#include "driver.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <unordered_map>

using namespace tjemu;

namespace {

constexpr int kMaxPtxIsa = 85;              // PTX ISA 8.5, what a 12.6 driver accepts

std::unordered_map<std::string, const tjemu::Twin*>& twins() {
    static auto* m = new std::unordered_map<std::string, const tjemu::Twin*>();
    return *m;
}

int cc_of(const Device* d) {
    (void) d;
    return g_cfg.ccMajor * 10 + g_cfg.ccMinor;
}

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

// ---- module loading and the PTX checks ---------------------------------------------------------
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

} // namespace

// ---- kernel_rt.h's tjemu_register_twins --------------------------------------------------------
extern "C" TJEMU_EXPORT int tjemu_register_twins(const tjemu::Twin* t, int n, const char* source) {
    std::lock_guard<std::mutex> g(mu());
    for (int i = 0; i < n; i++) {
        if (!twins().emplace(t[i].name, &t[i]).second) {
            tjemu_log("kernel %s from %s is defined twice; keeping the first", t[i].name, source);
        }
    }
    return n;
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

