// The CUDA dialect the kernels in src/main/cuda/*.cu use, as host C++ (g++ -std=c++17), so the
// emulator runs the very same source as the PTX. Included first by each generated twin TU:
//   #include "kernel_rt.h"
//   #include ".../src/main/cuda/NAME.cu"
//   static const tjemu::Twin tjemu_twins[] = { tjemu::make_twin("tj_x", &tj_x), ... };
//
// The threads of a block run as fibers on one OS thread (exec.cpp): threadIdx & co. are
// per-OS-thread variables that the fiber scheduler sets before it resumes a thread, __shared__ is
// a thread-local static (one copy per worker thread, shared by the fibers of the running block),
// and __syncthreads() is a fiber barrier. Test infrastructure only.
#pragma once

#include <math.h>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <tuple>
#include <type_traits>
#include <utility>

// ---- qualifiers --------------------------------------------------------------------------------
#define __global__
#define __host__
#define __device__ static
#define __forceinline__ inline __attribute__((always_inline))
// __noinline__ is not defined: libstdc++ uses it as an attribute name.
#define __launch_bounds__(...)
#define __shared__ static thread_local
// __restrict__ is a g++ keyword already.

// ---- built-in variables ------------------------------------------------------------------------
struct uint3 {
    unsigned int x, y, z;
};
struct dim3 {
    unsigned int x, y, z;
};
#define TJEMU_EXPORT __attribute__((visibility("default")))
extern __thread uint3 threadIdx TJEMU_EXPORT;
extern __thread uint3 blockIdx TJEMU_EXPORT;
extern __thread dim3 blockDim TJEMU_EXPORT;
extern __thread dim3 gridDim TJEMU_EXPORT;
static const int warpSize = 32;

// The barrier; the call site (file, line) lets the scheduler tell threads waiting at different
// barriers apart.
extern "C" TJEMU_EXPORT void tjemu_syncthreads(const char* file, int line);
#define __syncthreads() tjemu_syncthreads(__FILE__, __LINE__)

// ---- device functions --------------------------------------------------------------------------
using std::isfinite;
using std::isinf;
using std::isnan;
using std::signbit;

static inline float __int_as_float(int i) {
    float f;
    std::memcpy(&f, &i, sizeof f);
    return f;
}
static inline int __float_as_int(float f) {
    int i;
    std::memcpy(&i, &f, sizeof i);
    return i;
}
static inline float __uint_as_float(unsigned int i) {
    float f;
    std::memcpy(&f, &i, sizeof f);
    return f;
}
static inline unsigned int __float_as_uint(float f) {
    unsigned int i;
    std::memcpy(&i, &f, sizeof i);
    return i;
}
static inline double __longlong_as_double(long long i) {
    double d;
    std::memcpy(&d, &i, sizeof d);
    return d;
}
static inline long long __double_as_longlong(double d) {
    long long i;
    std::memcpy(&i, &d, sizeof i);
    return i;
}
template <typename T>
static inline T __ldg(const T* p) {
    return *p;
}

// CUDA's integer and floating min/max overloads (same-type arguments; CUDA's mixed-signedness
// overloads are left out until a kernel needs one).
#define TJEMU_MINMAX(T)                                  \
    static inline T min(T a, T b) { return a < b ? a : b; } \
    static inline T max(T a, T b) { return a > b ? a : b; }
TJEMU_MINMAX(int)
TJEMU_MINMAX(unsigned int)
TJEMU_MINMAX(long)
TJEMU_MINMAX(unsigned long)
TJEMU_MINMAX(long long)
TJEMU_MINMAX(unsigned long long)
#undef TJEMU_MINMAX
static inline float min(float a, float b) { return fminf(a, b); }
static inline float max(float a, float b) { return fmaxf(a, b); }
static inline double min(double a, double b) { return fmin(a, b); }
static inline double max(double a, double b) { return fmax(a, b); }
static inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }

// ---- atomics ------------------------------------------------------------------------------------
// atomicAdd on float (tj_scatter_add) as a plain read-add-write: exact here, not a race. A launch
// runs its blocks one after another, and a block's threads are cooperative fibers on one OS thread
// that switch only inside __syncthreads(), never between this read and this write; the launches of
// a stream run one after another too. So every add sees the sum of all earlier ones, as the
// hardware's atomic gives; only the order of the adds is fixed here (thread order within a block),
// where a GPU's is not.
static inline float atomicAdd(float* address, float value) {
    float old = *address;
    *address = old + value;
    return old;
}

// ---- primitives the emulator does not have yet -------------------------------------------------
// Using one of these fails the emulator's build with a message naming it: implement it here (and
// in exec.cpp where it needs the scheduler: warp-level operations need the 32 fibers of a warp to
// run in lock step), do not work around it in the kernel.
template <typename... A>
struct tjemu_always_false : std::false_type {};
#define TJEMU_NOT_EMULATED(name)                                                                       \
    template <typename... A>                                                                           \
    static inline int name(A...) {                                                                     \
        static_assert(tjemu_always_false<A...>::value,                                                 \
                      "tensorj CUDA emulator: " #name " is not emulated (src/test/cuda-emulator/kernel_rt.h)"); \
        return 0;                                                                                      \
    }
TJEMU_NOT_EMULATED(__shfl_sync)
TJEMU_NOT_EMULATED(__shfl_up_sync)
TJEMU_NOT_EMULATED(__shfl_down_sync)
TJEMU_NOT_EMULATED(__shfl_xor_sync)
TJEMU_NOT_EMULATED(__ballot_sync)
TJEMU_NOT_EMULATED(__any_sync)
TJEMU_NOT_EMULATED(__all_sync)
TJEMU_NOT_EMULATED(__uni_sync)
TJEMU_NOT_EMULATED(__match_any_sync)
TJEMU_NOT_EMULATED(__match_all_sync)
TJEMU_NOT_EMULATED(__activemask)
TJEMU_NOT_EMULATED(__syncwarp)
TJEMU_NOT_EMULATED(__reduce_add_sync)
TJEMU_NOT_EMULATED(__reduce_min_sync)
TJEMU_NOT_EMULATED(__reduce_max_sync)
TJEMU_NOT_EMULATED(__syncthreads_count)
TJEMU_NOT_EMULATED(__syncthreads_and)
TJEMU_NOT_EMULATED(__syncthreads_or)
TJEMU_NOT_EMULATED(__threadfence)
TJEMU_NOT_EMULATED(__threadfence_block)
TJEMU_NOT_EMULATED(__threadfence_system)
TJEMU_NOT_EMULATED(atomicSub)
TJEMU_NOT_EMULATED(atomicExch)
TJEMU_NOT_EMULATED(atomicMin)
TJEMU_NOT_EMULATED(atomicMax)
TJEMU_NOT_EMULATED(atomicInc)
TJEMU_NOT_EMULATED(atomicDec)
TJEMU_NOT_EMULATED(atomicCAS)
TJEMU_NOT_EMULATED(atomicAnd)
TJEMU_NOT_EMULATED(atomicOr)
TJEMU_NOT_EMULATED(atomicXor)
TJEMU_NOT_EMULATED(clock)
TJEMU_NOT_EMULATED(clock64)
#undef TJEMU_NOT_EMULATED

// ---- the twin table ----------------------------------------------------------------------------
namespace tjemu {

constexpr int kMaxParams = 32;

// One kernel's CPU twin: its name, parameter sizes (checked against the PTX's .param sizes) and
// type-erased functions to copy the arguments out of cuLaunchKernel's kernelParams and run it.
struct Twin {
    const char* name;
    int nparams;
    unsigned int sizes[kMaxParams];
    bool isPointer[kMaxParams];
    void* (*pack)(const void* fn, void** params); // copies the arguments (at launch)
    void (*run)(const void* packed);              // one thread's call (per fiber)
    void (*destroy)(void* packed);
    const void* fn;
};

template <typename... A>
struct Packed {
    void (*fn)(A...);
    std::tuple<std::decay_t<A>...> args;
};

template <typename T>
static inline T load_param(void* p) {
    static_assert(std::is_trivially_copyable<T>::value, "kernel parameters must be trivially copyable");
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

template <typename... A, std::size_t... I>
static void* pack_impl(const void* fn, void** params, std::index_sequence<I...>) {
    using Fn = void (*)(A...);
    return new Packed<A...>{reinterpret_cast<Fn>(const_cast<void*>(fn)),
                            std::tuple<std::decay_t<A>...>(load_param<std::decay_t<A>>(params[I])...)};
}

template <typename... A>
static void* pack(const void* fn, void** params) {
    return pack_impl<A...>(fn, params, std::index_sequence_for<A...>{});
}

template <typename... A>
static void run(const void* packed) {
    const Packed<A...>* p = static_cast<const Packed<A...>*>(packed);
    std::apply(p->fn, p->args);
}

template <typename... A>
static void destroy(void* packed) {
    delete static_cast<Packed<A...>*>(packed);
}

template <typename... A>
static Twin make_twin(const char* name, void (*fn)(A...)) {
    static_assert(sizeof...(A) <= kMaxParams, "too many kernel parameters");
    Twin t{};
    t.name = name;
    t.nparams = (int) sizeof...(A);
    unsigned int sizes[] = {(unsigned int) sizeof(std::decay_t<A>)..., 0u};
    bool ptrs[] = {std::is_pointer<std::decay_t<A>>::value..., false};
    for (int i = 0; i < t.nparams; i++) {
        t.sizes[i] = sizes[i];
        t.isPointer[i] = ptrs[i];
    }
    t.pack = &pack<A...>;
    t.run = &run<A...>;
    t.destroy = &destroy<A...>;
    t.fn = reinterpret_cast<const void*>(fn);
    return t;
}

} // namespace tjemu

// Registers twins with the driver (a twin table's static initialiser; the self-test's kernels too).
extern "C" TJEMU_EXPORT int tjemu_register_twins(const tjemu::Twin* twins, int n, const char* source);
