// Declarations shared by the emulated driver's own sources (driver.h and the API sources,
// exec.cpp) and its self-test. Minimal stand-ins for cuda.h's types and constants (values checked
// against CUDA 13's cuda.h): the emulator must build without CUDA headers.
#pragma once

#include "emu.h"
#include "kernel_rt.h"

#include <cstddef>

// ---- driver API types --------------------------------------------------------------------------
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
typedef struct CUctx_st* CUcontext;
typedef struct CUmod_st* CUmodule;
typedef struct CUfunc_st* CUfunction;
typedef struct CUevent_st* CUevent;
typedef int CUjit_option;
typedef struct CUuuid_st {
    char bytes[16];
} CUuuid;

enum {
    CUDA_SUCCESS = 0,
    CUDA_ERROR_INVALID_VALUE = 1,
    CUDA_ERROR_OUT_OF_MEMORY = 2,
    CUDA_ERROR_NOT_INITIALIZED = 3,
    CUDA_ERROR_NO_DEVICE = 100,
    CUDA_ERROR_INVALID_DEVICE = 101,
    CUDA_ERROR_INVALID_IMAGE = 200,
    CUDA_ERROR_INVALID_CONTEXT = 201,
    CUDA_ERROR_NO_BINARY_FOR_GPU = 209,
    CUDA_ERROR_INVALID_PTX = 218,
    CUDA_ERROR_UNSUPPORTED_PTX_VERSION = 222,
    CUDA_ERROR_INVALID_HANDLE = 400,
    CUDA_ERROR_NOT_FOUND = 500,
    CUDA_ERROR_NOT_READY = 600,
    CUDA_ERROR_ILLEGAL_ADDRESS = 700,
    CUDA_ERROR_LAUNCH_FAILED = 719,
    CUDA_ERROR_NOT_SUPPORTED = 801,
};

#define TJEMU_CU_STREAM_NON_BLOCKING 0x1u
#define TJEMU_CU_STREAM_LEGACY ((CUstream) 0x1)
#define TJEMU_CU_STREAM_PER_THREAD ((CUstream) 0x2)

enum {
    CU_JIT_INFO_LOG_BUFFER = 3,
    CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES = 4,
    CU_JIT_ERROR_LOG_BUFFER = 5,
    CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6,
};

// Hardware limits the emulated device reports and cuLaunchKernel enforces.
#define TJEMU_MAX_THREADS_PER_BLOCK 1024u
#define TJEMU_MAX_BLOCK_X 1024u
#define TJEMU_MAX_BLOCK_Y 1024u
#define TJEMU_MAX_BLOCK_Z 64u
#define TJEMU_MAX_GRID_X 2147483647u
#define TJEMU_MAX_GRID_Y 65535u
#define TJEMU_MAX_GRID_Z 65535u
#define TJEMU_MAX_SHARED_PER_BLOCK (48u * 1024u)

// ---- exec.cpp: running a kernel on the calling (worker) thread ---------------------------------
namespace tjemu {
struct Launch {
    const Twin* twin;
    void* packed;
    unsigned int grid[3];
    unsigned int block[3];
};
// Runs every block of the launch, each block's threads as fibers. Returns CUDA_SUCCESS, or
// CUDA_ERROR_LAUNCH_FAILED after logging a barrier that not every thread of a block reached.
int run_launch(const Launch& l);
} // namespace tjemu
