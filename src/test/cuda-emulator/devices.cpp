// The emulated driver's initialisation, devices (queries, attributes), primary contexts and error
// names.
#include "driver.h"

#include <cstdio>
#include <cstring>
#include <vector>

using namespace tjemu;

namespace {

// A pointer, like every global here: no destructor may run at exit while other threads still call in.
std::vector<Device*>& g_devices = *new std::vector<Device*>();

int check_device(CUdevice dev) {
    return dev >= 0 && dev < (int) g_devices.size() ? CUDA_SUCCESS : CUDA_ERROR_INVALID_DEVICE;
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
    // The delay is part of the name so that a test run says whether it had it (it is read once).
    if (g_cfg.streamDelayUs != 0) {
        snprintf(name, (size_t) len, "tensorj CUDA emulator (CPU, sm_%d%d, stream tasks delayed %u us)",
                 g_cfg.ccMajor, g_cfg.ccMinor, g_cfg.streamDelayUs);
    } else {
        snprintf(name, (size_t) len, "tensorj CUDA emulator (CPU, sm_%d%d)", g_cfg.ccMajor, g_cfg.ccMinor);
    }
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
