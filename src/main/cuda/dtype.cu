// Element-type kernels: conversion between the scalar types (ScalarType: F32 float, I64 long long,
// BOOL one byte holding 0 or 1) and the int64 fill (float fills are 32-bit memsets, bool fills
// 8-bit ones). The conversions give the bits the CPU backend's Java gives (CpuCast).
#include "ops.cuh"

// Java's (long) f: toward zero, NaN -> 0, saturating at the int64 range (±inf included). The PTX
// conversion (cvt.rzi.s64.f32) saturates the same way, but C++ (the emulator's twin) leaves
// out-of-range values undefined: the explicit bounds make both the same.
__device__ __forceinline__ long long tj_f32_to_i64(float x) {
    if (x != x) {
        return 0;
    }
    if (x >= 9223372036854775808.0f) { // 2^63, exactly a float
        return 0x7fffffffffffffffLL;
    }
    if (x <= -9223372036854775808.0f) {
        return -0x7fffffffffffffffLL - 1;
    }
    return (long long) x;
}

// out[i] = (to) x[i] for from != to (equal types are a device-to-device copy on the host side).
// x and out are separate storages: Tensor.to(DType) always writes a new one.
extern "C" __global__ void tj_cast(int from, int to, const void* x, void* out, long long n) {
    const float* xf = (const float*) x;
    const long long* xl = (const long long*) x;
    const unsigned char* xb = (const unsigned char*) x;
    float* of = (float*) out;
    long long* ol = (long long*) out;
    unsigned char* ob = (unsigned char*) out;
    switch (from * 3 + to) {
        case TJ_F32 * 3 + TJ_I64:
            TJ_FOR(i, n) { ol[i] = tj_f32_to_i64(xf[i]); }
            break;
        case TJ_F32 * 3 + TJ_BOOL:
            TJ_FOR(i, n) { ob[i] = xf[i] != 0.0f ? 1 : 0; } // NaN != 0: true, as in Java
            break;
        case TJ_I64 * 3 + TJ_F32:
            TJ_FOR(i, n) { of[i] = (float) xl[i]; } // round to nearest even, as Java's (float) long
            break;
        case TJ_I64 * 3 + TJ_BOOL:
            TJ_FOR(i, n) { ob[i] = xl[i] != 0 ? 1 : 0; }
            break;
        case TJ_BOOL * 3 + TJ_F32:
            TJ_FOR(i, n) { of[i] = xb[i] != 0 ? 1.0f : 0.0f; }
            break;
        case TJ_BOOL * 3 + TJ_I64:
            TJ_FOR(i, n) { ol[i] = xb[i] != 0 ? 1 : 0; }
            break;
        default:
            break; // equal types: never launched
    }
}

extern "C" __global__ void tj_fill_i64(long long* out, long long value, long long n) {
    TJ_FOR(i, n) {
        out[i] = value;
    }
}
