// Self-test of the CUDA driver emulator, built and run by build.sh against the freshly built
// libcuda.so.1. Each check prints one line; any failure makes the exit status non-zero.
//   selftest            the main checks (sets its own TENSORJ_EMU_* before cuInit)
//   selftest ordering   stream-ordering checks, run by the main checks in a child process with
//                       TENSORJ_EMU_STREAM_DELAY_US set
// Files: selftest.h, the shared helpers; selftest_ordering.cpp, the stream-ordering checks; this
// one, the self-test's own kernels, the references, the driver and kernel checks, and main.
#include "selftest.h"

#include <chrono>
#include <thread>

// ---- kernels compiled only into the self-test ----------------------------------------------------
// Reverses 256 floats through shared memory: needs the barrier to work.
extern "C" __global__ void tjemu_test_reverse(const float* in, float* out) {
    __shared__ float buf[256];
    buf[threadIdx.x] = in[threadIdx.x];
    __syncthreads();
    out[threadIdx.x] = buf[blockDim.x - 1 - threadIdx.x];
}
// Half the block returns before the barrier the other half waits at.
extern "C" __global__ void tjemu_test_divergent(float* out) {
    if (threadIdx.x < 16) {
        __syncthreads();
    }
    out[threadIdx.x] = 1.0f;
}
// Threads wait at two different barriers.
extern "C" __global__ void tjemu_test_two_barriers(float* out) {
    if (threadIdx.x % 2 == 0) {
        __syncthreads();
    } else {
        __syncthreads();
    }
    out[threadIdx.x] = 1.0f;
}
static const tjemu::Twin test_twins[] = {
    tjemu::make_twin("tjemu_test_reverse", &tjemu_test_reverse),
    tjemu::make_twin("tjemu_test_divergent", &tjemu_test_divergent),
    tjemu::make_twin("tjemu_test_two_barriers", &tjemu_test_two_barriers),
};
static const int test_twins_registered = tjemu_register_twins(test_twins, 3, "selftest.cpp");

static const char* kTestPtx = R"(
.version 7.5
.target sm_75
.address_size 64
.visible .entry tjemu_test_reverse(.param .u64 a, .param .u64 b)
{
    .shared .align 4 .b8 buf[1024];
    ret;
}
.visible .entry tjemu_test_divergent(.param .u64 a) { ret; }
.visible .entry tjemu_test_two_barriers(.param .u64 a) { ret; }
)";

// ---- references (BinaryOp.apply's semantics, written independently of ops.cuh) -------------------
static float ref_unary(int op, float x) {
    if (op == 0) {
        return -x;
    }
    if (std::isnan(x)) {
        return x;
    }
    return x > 0 ? x : 0.0f;
}

static float ref_binary(int op, float a, float b) {
    switch (op) {
        case 0: return a + b;
        case 1: return a - b;
        case 2: return a * b;
        case 3: return a / b;
        case 4: // C's pow, as PyTorch: pow(1, y) = 1 for every y and pow(-1, +-inf) = 1, spelled out
            if (a == 1.0f || (a == -1.0f && std::isinf(b))) return 1.0f;
            if (b == 2.0f) return a * a;
            return (float) std::pow((double) a, (double) b);
        case 5: return b - a;
        case 6: return b / a;
        default: return std::isnan(a) || a > 0 ? b : 0.0f; // PyTorch's threshold_backward: a <= 0 ? 0 : b
    }
}

static bool same(float a, float b) {
    return (std::isnan(a) && std::isnan(b)) || bits(a) == bits(b);
}

static bool all_same(const std::vector<float>& want, const std::vector<float>& got, const char* what) {
    for (size_t i = 0; i < want.size(); i++) {
        if (!same(want[i], got[i])) {
            fprintf(stdout, "FAIL %s: element %zu: want %.9g got %.9g\n", what, i, want[i], got[i]);
            return false;
        }
    }
    return true;
}

static bool all_close(const std::vector<double>& want, const std::vector<float>& got, double rel, const char* what) {
    for (size_t i = 0; i < want.size(); i++) {
        if (!(std::fabs(want[i] - got[i]) <= rel * std::max(1.0, std::fabs(want[i])))) {
            fprintf(stdout, "FAIL %s: element %zu: want %.9g got %.9g\n", what, i, want[i], got[i]);
            return false;
        }
    }
    return true;
}

static void test_elementwise() {
    for (long long n : {1LL, 1000LL, 100003LL}) {
        std::vector<float> a = random_floats((size_t) n, 1), b = random_floats((size_t) n, 2);
        if (n > 10) {
            b[8] = 0.0f; // a / 0
        }
        Dev da(a), db(b), dout((size_t) n);
        char what[128];
        for (int op = 0; op < 2; op++) {
            OK(launch("tj_unary", grid_for(n), 256, 1, {&op, &da.p, &dout.p, &n}));
            std::vector<float> want(n);
            for (long long i = 0; i < n; i++) want[i] = ref_unary(op, a[i]);
            snprintf(what, sizeof what, "tj_unary op %d n %lld", op, n);
            CHECK(all_same(want, dout.get(), what), "%s", what);
        }
        for (int op = 0; op < 8; op++) {
            std::vector<float> want(n);
            float s = op == 4 ? 0.5f : 1.75f;
            OK(launch("tj_binary_scalar", grid_for(n), 256, 1, {&op, &da.p, &s, &dout.p, &n}));
            for (long long i = 0; i < n; i++) want[i] = ref_binary(op, a[i], s);
            snprintf(what, sizeof what, "tj_binary_scalar op %d n %lld", op, n);
            CHECK(all_same(want, dout.get(), what), "%s", what);

            OK(launch("tj_binary_contig", grid_for(n), 256, 1, {&op, &da.p, &db.p, &dout.p, &n}));
            for (long long i = 0; i < n; i++) want[i] = ref_binary(op, a[i], b[i]);
            snprintf(what, sizeof what, "tj_binary_contig op %d n %lld", op, n);
            CHECK(all_same(want, dout.get(), what), "%s", what);

            for (int aIsOne = 0; aIsOne < 2; aIsOne++) {
                OK(launch("tj_binary_one", grid_for(n), 256, 1, {&op, &da.p, &db.p, &dout.p, &n, &aIsOne}));
                for (long long i = 0; i < n; i++) want[i] = aIsOne ? ref_binary(op, a[0], b[i]) : ref_binary(op, a[i], b[0]);
                snprintf(what, sizeof what, "tj_binary_one op %d n %lld aIsOne %d", op, n, aIsOne);
                CHECK(all_same(want, dout.get(), what), "%s", what);
            }
        }
    }
    // Row broadcast: [rows, cols] against [cols].
    for (int op : {0, 3, 7}) {
        const unsigned int rows = 37, cols = 129, n = rows * cols;
        std::vector<float> a = random_floats(n, 3), r = random_floats(cols, 4);
        Dev da(a), dr(r), dout(n);
        for (int aIsRow = 0; aIsRow < 2; aIsRow++) {
            std::vector<float> want(n);
            for (unsigned int i = 0; i < n; i++) {
                want[i] = aIsRow ? ref_binary(op, r[i % cols], a[i]) : ref_binary(op, a[i], r[i % cols]);
            }
            const CUdeviceptr& x = aIsRow ? dr.p : da.p;
            const CUdeviceptr& y = aIsRow ? da.p : dr.p;
            OK(launch("tj_binary_row_i32", grid_for(n), 256, 1,
                      {&op, (void*) &x, (void*) &y, &dout.p, (void*) &n, (void*) &cols, &aIsRow}));
            CHECK(all_same(want, dout.get(), "tj_binary_row_i32"), "tj_binary_row_i32 op %d aIsRow %d", op, aIsRow);
            unsigned long long n64 = n, cols64 = cols;
            OK(launch("tj_binary_row_i64", grid_for(n), 256, 1,
                      {&op, (void*) &x, (void*) &y, &dout.p, &n64, &cols64, &aIsRow}));
            CHECK(all_same(want, dout.get(), "tj_binary_row_i64"), "tj_binary_row_i64 op %d aIsRow %d", op, aIsRow);
        }
    }
    // General broadcast: out[5,7,9] = a[5,1,9] op b[7,1] (strides 0 broadcast).
    {
        struct Bcast {
            long long rank, shape[8], aStrides[8], bStrides[8];
        } p{};
        static_assert(sizeof(Bcast) == 200, "25 longs");
        p.rank = 3;
        long long shape[3] = {5, 7, 9}, as[3] = {9, 0, 1}, bs[3] = {0, 1, 0};
        for (int d = 0; d < 3; d++) {
            p.shape[d] = shape[d];
            p.aStrides[d] = as[d];
            p.bStrides[d] = bs[d];
        }
        const unsigned int n = 5 * 7 * 9;
        std::vector<float> a = random_floats(45, 5), b = random_floats(7, 6);
        Dev da(a), db(b), dout(n);
        int op = 2;
        std::vector<float> want(n);
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 7; j++)
                for (int k = 0; k < 9; k++) want[(i * 7 + j) * 9 + k] = ref_binary(op, a[i * 9 + k], b[j]);
        OK(launch("tj_binary_nd_i32", grid_for(n), 256, 1, {&op, &da.p, &db.p, &dout.p, (void*) &n, &p}));
        CHECK(all_same(want, dout.get(), "tj_binary_nd_i32"), "tj_binary_nd_i32");
        unsigned long long n64 = n;
        OK(launch("tj_binary_nd_i64", grid_for(n), 256, 1, {&op, &da.p, &db.p, &dout.p, &n64, &p}));
        CHECK(all_same(want, dout.get(), "tj_binary_nd_i64"), "tj_binary_nd_i64");
    }
}

// Not a check: how long typical launches take (printed to the log).
static void time_launches() {
    long long n = 1 << 20;
    Dev a(random_floats((size_t) n, 20)), b(random_floats((size_t) n, 21)), out((size_t) n);
    int op = 2;
    auto t0 = std::chrono::steady_clock::now();
    const int reps = 10;
    for (int i = 0; i < reps; i++) {
        OK(launch("tj_binary_contig", grid_for(n), 256, 1, {&op, &a.p, &b.p, &out.p, &n}));
    }
    OK(cuCtxSynchronize());
    auto t1 = std::chrono::steady_clock::now();
    long long outer = 1, len = n;
    int chunks = 1;
    CUdeviceptr none = 0;
    for (int i = 0; i < reps; i++) {
        OK(launch("tj_sum_rows", 1, 256, 1, {&a.p, &out.p, &none, &outer, &len, &chunks}));
    }
    OK(cuCtxSynchronize());
    auto t2 = std::chrono::steady_clock::now();
    int rows = 1024, cols = 1024;
    for (int i = 0; i < reps; i++) {
        OK(launch("tj_transpose", 128, 32, 8, {&a.p, &out.p, &rows, &cols}));
    }
    OK(cuCtxSynchronize());
    auto t3 = std::chrono::steady_clock::now();
    auto ms = [&](auto x, auto y) { return std::chrono::duration<double, std::milli>(y - x).count() / reps; };
    printf("timing: per launch over 2^20 floats: tj_binary_contig %.2f ms (128 blocks x 256 threads), "
           "tj_sum_rows %.2f ms (1 block, 8 barriers), tj_transpose 1024x1024 %.2f ms\n",
           ms(t0, t1), ms(t1, t2), ms(t2, t3));
    // Allocation with NaN poisoning.
    auto t4 = std::chrono::steady_clock::now();
    CUdeviceptr p = 0;
    OK(cuMemAlloc_v2(&p, 200u << 20));
    auto t5 = std::chrono::steady_clock::now();
    OK(cuMemFree_v2(p));
    printf("timing: cuMemAlloc of 200 MiB (NaN-filled) %.1f ms\n",
           std::chrono::duration<double, std::milli>(t5 - t4).count());
}

static void test_reduce() {
    // Row sums (inner == 1), with one chunk and with three (partials + tj_sum_finish).
    for (long long len : {1LL, 300LL, 5000LL}) {
        long long outer = 7;
        std::vector<float> x = random_floats((size_t) (outer * len), 7, false);
        std::vector<double> want(outer, 0.0);
        for (long long o = 0; o < outer; o++)
            for (long long l = 0; l < len; l++) want[o] += x[o * len + l];
        Dev dx(x), dout((size_t) outer);
        for (int chunks : {1, 3}) {
            Dev part((size_t) (outer * chunks * 2));
            CUdeviceptr partials = chunks == 1 ? 0 : part.p;
            unsigned int grid = (unsigned int) std::min(outer * chunks, 128LL);
            OK(launch("tj_sum_rows", grid, 256, 1, {&dx.p, &dout.p, &partials, &outer, &len, &chunks}));
            if (chunks > 1) {
                long long inner = 1;
                OK(launch("tj_sum_finish", grid_for(outer), 256, 1, {&partials, &dout.p, &outer, &chunks, &inner}));
            }
            CHECK(all_close(want, dout.get(), 1e-6, "tj_sum_rows"), "tj_sum_rows len %lld chunks %d", len, chunks);
        }
    }
    // Column sums (inner > 1).
    {
        long long outer = 3, len = 50, inner = 17;
        std::vector<float> x = random_floats((size_t) (outer * len * inner), 8, false);
        std::vector<double> want((size_t) (outer * inner), 0.0);
        for (long long o = 0; o < outer; o++)
            for (long long l = 0; l < len; l++)
                for (long long i = 0; i < inner; i++) want[o * inner + i] += x[(o * len + l) * inner + i];
        Dev dx(x), dout((size_t) (outer * inner));
        for (int chunks : {1, 4}) {
            Dev part((size_t) (outer * chunks * inner * 2));
            CUdeviceptr partials = chunks == 1 ? 0 : part.p;
            OK(launch("tj_sum_cols", grid_for(outer * chunks * inner), 256, 1,
                      {&dx.p, &dout.p, &partials, &outer, &len, &inner, &chunks}));
            if (chunks > 1) {
                OK(launch("tj_sum_finish", grid_for(outer * inner), 256, 1, {&partials, &dout.p, &outer, &chunks, &inner}));
            }
            CHECK(all_close(want, dout.get(), 1e-6, "tj_sum_cols"), "tj_sum_cols chunks %d", chunks);
        }
    }
}

static void test_transpose_axpy() {
    for (int rows : {1, 33, 100}) {
        int cols = rows == 1 ? 70 : 65;
        std::vector<float> x = random_floats((size_t) rows * cols, 9);
        Dev dx(x), dout((size_t) rows * cols);
        long long tiles = ((rows + 31) / 32) * ((cols + 31) / 32);
        std::vector<float> want((size_t) rows * cols);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) want[(size_t) c * rows + r] = x[(size_t) r * cols + c];
        // A block per tile, and 2 blocks for all tiles: a block that refills its shared tile before
        // every thread has read it (a missing barrier at the loop's end) shows only in the latter.
        for (long long blocks : {std::min(tiles, 128LL), 2LL}) {
            OK(launch("tj_transpose", (unsigned int) blocks, 32, 8, {&dx.p, &dout.p, &rows, &cols}));
            CHECK(all_same(want, dout.get(), "tj_transpose"), "tj_transpose %dx%d on %lld blocks", rows, cols, blocks);
        }
    }
    {
        // out = y + alpha * x, the product rounded first, here in place (out == y) as add_ runs it.
        long long n = 3001;
        std::vector<float> x = random_floats((size_t) n, 10, false), y = random_floats((size_t) n, 11, false);
        Dev dx(x), dy(y);
        float alpha = -0.1f;
        OK(launch("tj_axpy", grid_for(n), 256, 1, {&alpha, &dx.p, &dy.p, &dy.p, &n}));
        std::vector<float> want((size_t) n);
        for (long long i = 0; i < n; i++) {
            volatile float product = alpha * x[i]; // rounded to float before the sum, as -fmad=false
            want[i] = y[i] + product;
        }
        CHECK(all_same(want, dy.get(), "tj_axpy"), "tj_axpy in place");
    }
}

static void test_launch_config() {
    Dev d(1024);
    long long n = 1;
    int op = 0;
    auto try_launch = [&](unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz, unsigned shm) {
        void* args[] = {&op, &d.p, &d.p, &n};
        return cuLaunchKernel(fn("tj_unary"), gx, gy, gz, bx, by, bz, shm, nullptr, args, nullptr);
    };
    CHECK_RC(try_launch(1, 1, 1, 1025, 1, 1, 0), CUDA_ERROR_INVALID_VALUE);
    CHECK_RC(try_launch(1, 1, 1, 512, 4, 1, 0), CUDA_ERROR_INVALID_VALUE);
    CHECK_RC(try_launch(1, 1, 1, 1, 1, 65, 0), CUDA_ERROR_INVALID_VALUE);
    CHECK_RC(try_launch(0, 1, 1, 256, 1, 1, 0), CUDA_ERROR_INVALID_VALUE);
    CHECK_RC(try_launch(1, 65536, 1, 256, 1, 1, 0), CUDA_ERROR_INVALID_VALUE);
    CHECK_RC(try_launch(1, 1, 1, 256, 1, 1, 48 * 1024 + 1), CUDA_ERROR_INVALID_VALUE);
    CHECK_RC(try_launch(1, 1, 1, 1024, 1, 1, 48 * 1024), CUDA_SUCCESS);
    // tj_sum_rows has 2 KiB of static shared memory: 47 KiB of dynamic is too much.
    long long one = 1;
    int chunks = 1;
    CUdeviceptr none = 0;
    void* args[] = {&d.p, &d.p, &none, &one, &one, &chunks};
    CHECK_RC(cuLaunchKernel(fn("tj_sum_rows"), 1, 1, 1, 256, 1, 1, 47 * 1024, nullptr, args, nullptr),
             CUDA_ERROR_INVALID_VALUE);
    OK(cuCtxSynchronize());
}

static void test_ptx_checks() {
    std::string ptx = read_file(std::string(TJEMU_PTX_DIR) + "/elementwise.ptx");
    auto load = [&](const std::string& text, std::string* log) {
        char err[2048] = "";
        CUjit_option opts[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
        void* vals[] = {err, (void*) (uintptr_t) sizeof err};
        CUmodule m = nullptr;
        int rc = cuModuleLoadDataEx(&m, text.c_str(), 2, opts, vals);
        *log = err;
        return rc;
    };
    std::string log;
    std::string stale = ptx;
    size_t at = stale.find(".param .u32 tj_unary_param_0");
    CHECK(at != std::string::npos, "elementwise.ptx has tj_unary_param_0");
    stale.replace(at, 11, ".param .u64");
    CHECK_RC(load(stale, &log), CUDA_ERROR_INVALID_PTX);
    CHECK(log.find("tj_unary parameter 0 is 8 bytes in the PTX, 4 bytes") != std::string::npos, "stale log: %s",
          log.c_str());

    std::string newer = ptx;
    newer.replace(newer.find(".version 7.5"), 12, ".version 8.6");
    CHECK_RC(load(newer, &log), CUDA_ERROR_UNSUPPORTED_PTX_VERSION);
    CHECK(log.find(".version 8.6") != std::string::npos, "version log: %s", log.c_str());

    std::string target = ptx;
    target.replace(target.find(".target sm_75"), 13, ".target sm_100");
    CHECK_RC(load(target, &log), CUDA_ERROR_NO_BINARY_FOR_GPU);

    std::string unknown = ptx;
    unknown.replace(unknown.find(".entry tj_unary("), 16, ".entry tj_unary2(");
    CHECK_RC(load(unknown, &log), CUDA_ERROR_INVALID_PTX);
    CHECK(log.find("tj_unary2 has no CPU twin") != std::string::npos, "twin log: %s", log.c_str());

    std::string big = std::string(kTestPtx);
    big.replace(big.find("buf[1024]"), 9, "buf[50000]");
    CHECK_RC(load(big, &log), CUDA_ERROR_INVALID_PTX);
    CHECK(log.find("static shared memory") != std::string::npos, "shared log: %s", log.c_str());

    CUmodule m = nullptr;
    OK(cuModuleLoadData(&m, ptx.c_str()));
    CUfunction f = nullptr;
    CHECK_RC(cuModuleGetFunction(&f, m, "tj_nothing"), CUDA_ERROR_NOT_FOUND);
}

static void test_memory(CUcontext ctx) {
    (void) ctx;
    size_t free0 = 0, total = 0;
    OK(cuMemGetInfo_v2(&free0, &total));
    CHECK(total == (256u << 20) && free0 == total, "free %zu total %zu", free0, total);
    CUdeviceptr p = 0;
    OK(cuMemAlloc_v2(&p, 1000));
    CHECK(p % 256 == 0, "aligned start");
    size_t free1 = 0;
    OK(cuMemGetInfo_v2(&free1, &total));
    CHECK(free1 < free0 && free0 - free1 >= 1000, "free went down");
    const uint32_t* w = reinterpret_cast<const uint32_t*>(p);
    bool nan = true;
    for (int i = 0; i < 250; i++) nan = nan && w[i] == 0x7fc00000u;
    CHECK(nan, "fresh memory is NaN");
    CHECK(tjemu_is_device_range((void*) p, 1000) == 1, "range");
    CHECK(tjemu_is_device_range((void*) (p + 8), 992) == 1, "inner range");
    CHECK(tjemu_is_device_range((void*) p, 1001) == 0, "past the end");
    CHECK(tjemu_is_device_range((void*) (p - 4), 4) == 0, "before the start");
    CHECK(!segfaults([&] { volatile char* c = (char*) p; c[1023] = 1; }), "last byte of the rounded size is writable");
    CHECK(segfaults([&] { volatile char* c = (char*) p; c[1024] = 1; }), "the guard page after the allocation faults");
    CHECK(segfaults([&] { volatile char* c = (char*) (p & ~(CUdeviceptr) 4095); c[-1] = 1; }), "the guard page before the allocation's first page faults");
    OK(cuMemFree_v2(p));
    CHECK(segfaults([&] { volatile char* c = (char*) p; (void) c[0]; }), "freed memory faults");
    CHECK_RC(cuMemFree_v2(p), CUDA_ERROR_INVALID_VALUE);
    size_t free2 = 0;
    OK(cuMemGetInfo_v2(&free2, &total));
    CHECK(free2 == free0, "free restored");
    // A large block (2 MiB-aligned data pages): the same guards.
    {
        CUdeviceptr big = 0;
        const size_t bytes = (5u << 20) + 100, rounded = (bytes + 255) & ~(size_t) 255;
        OK(cuMemAlloc_v2(&big, bytes));
        CHECK(big % 256 == 0, "aligned start");
        CHECK(!segfaults([&] { volatile char* c = (char*) big; c[0] = 1; c[rounded - 1] = 1; }), "large block writable");
        CHECK(segfaults([&] { volatile char* c = (char*) big; c[rounded] = 1; }), "large block: guard page after");
        CHECK(segfaults([&] { volatile char* c = (char*) (big & ~(CUdeviceptr) 4095); c[-1] = 1; }),
              "large block: guard page before");
        const uint32_t* bw = reinterpret_cast<const uint32_t*>(big);
        CHECK(bw[0] == 0x7fc00000u && bw[bytes / 4 - 1] == 0x7fc00000u, "large block is NaN");
        OK(cuMemFree_v2(big));
    }
    // Out of memory by the configured total (256 MiB here), nothing mapped.
    CUdeviceptr q = 0;
    CHECK_RC(cuMemAlloc_v2(&q, 300u << 20), CUDA_ERROR_OUT_OF_MEMORY);
    CHECK_RC(cuMemAlloc_v2(&q, (size_t) 4 << 31), CUDA_ERROR_OUT_OF_MEMORY); // 2^31 floats
    CHECK_RC(cuMemAlloc_v2(&q, ~(size_t) 0), CUDA_ERROR_OUT_OF_MEMORY);
    OK(cuMemAlloc_v2(&q, 200u << 20));
    CHECK_RC(cuMemAlloc_v2(&p, 100u << 20), CUDA_ERROR_OUT_OF_MEMORY);
    OK(cuMemFree_v2(q));
    OK(cuMemAlloc_v2(&p, 100u << 20));
    OK(cuMemFree_v2(p));
    // Range checks of copies.
    Dev d(10);
    float host[11] = {};
    CHECK_RC(cuMemcpyHtoD_v2(d.p, host, 44), CUDA_ERROR_INVALID_VALUE);
    OK(cuMemcpyHtoD_v2(d.p, host, 40));
}

static void test_barriers(CUcontext other) {
    CUmodule m = nullptr;
    OK(cuModuleLoadData(&m, kTestPtx));
    CUfunction rev = nullptr, div = nullptr, two = nullptr;
    OK(cuModuleGetFunction(&rev, m, "tjemu_test_reverse"));
    OK(cuModuleGetFunction(&div, m, "tjemu_test_divergent"));
    OK(cuModuleGetFunction(&two, m, "tjemu_test_two_barriers"));
    {
        std::vector<float> x = random_floats(256, 13);
        Dev in(x), out(256);
        void* args[] = {&in.p, &out.p};
        OK(cuLaunchKernel(rev, 3, 1, 1, 256, 1, 1, 0, nullptr, args, nullptr));
        std::vector<float> want(x.rbegin(), x.rend());
        CHECK(all_same(want, out.get(), "tjemu_test_reverse"), "barrier reverse");
    }

    // The divergent kernels run on another device's context: the sticky error ends a context.
    OK(cuCtxSetCurrent(other));
    CUmodule m2 = nullptr;
    OK(cuModuleLoadData(&m2, kTestPtx));
    OK(cuModuleGetFunction(&div, m2, "tjemu_test_divergent"));
    OK(cuModuleGetFunction(&two, m2, "tjemu_test_two_barriers"));
    CUdeviceptr o = 0;
    OK(cuMemAlloc_v2(&o, 1024));
    void* a1[] = {&o};
    std::string log = capture_stderr([&] {
        OK(cuLaunchKernel(div, 2, 1, 1, 32, 1, 1, 0, nullptr, a1, nullptr));
        CHECK_RC(cuCtxSynchronize(), CUDA_ERROR_LAUNCH_FAILED);
    });
    CHECK(log.find("kernel tjemu_test_divergent, block (0,0,0): __syncthreads() at") != std::string::npos &&
              log.find("reached by 16 of the block's 32 threads") != std::string::npos,
          "divergence log: %s", log.c_str());
    CHECK_RC(cuCtxSynchronize(), CUDA_ERROR_LAUNCH_FAILED); // sticky
    CHECK_RC(cuLaunchKernel(two, 1, 1, 1, 32, 1, 1, 0, nullptr, a1, nullptr), CUDA_ERROR_LAUNCH_FAILED);
}

// Needs a third device with a fresh context.
static void test_two_barriers(CUcontext third) {
    OK(cuCtxSetCurrent(third));
    CUmodule m = nullptr;
    CUfunction two = nullptr;
    OK(cuModuleLoadData(&m, kTestPtx));
    OK(cuModuleGetFunction(&two, m, "tjemu_test_two_barriers"));
    CUdeviceptr o = 0;
    OK(cuMemAlloc_v2(&o, 1024));
    void* a1[] = {&o};
    std::string log = capture_stderr([&] {
        OK(cuLaunchKernel(two, 1, 1, 1, 32, 1, 1, 0, nullptr, a1, nullptr));
        CHECK_RC(cuCtxSynchronize(), CUDA_ERROR_LAUNCH_FAILED);
    });
    CHECK(log.find("threads wait at different __syncthreads() calls") != std::string::npos, "two-barrier log: %s",
          log.c_str());
    // A kernel argument that is not device memory: CUDA_ERROR_ILLEGAL_ADDRESS, the kernel not run.
}

int main(int argc, char** argv) {
    if (argc > 1 && strcmp(argv[1], "ordering") == 0) {
        return ordering_main();
    }
    setenv("TENSORJ_EMU_DEVICES", "3", 1);
    setenv("TENSORJ_EMU_MEMORY_BYTES", "268435456", 1);
    unsetenv("TENSORJ_EMU_STREAM_DELAY_US");
    unsetenv("TENSORJ_EMU_CC");
    unsetenv("TENSORJ_EMU_SMS");

    int count = 0;
    CHECK_RC(cuDeviceGetCount(&count), CUDA_ERROR_NOT_INITIALIZED);
    OK(cuInit(0));
    OK(cuDeviceGetCount(&count));
    CHECK(count == 3, "3 devices, got %d", count);
    int v = 0;
    OK(cuDeviceGetAttribute(&v, 75, 0));
    CHECK(v == 9, "cc major 9, got %d", v);
    OK(cuDeviceGetAttribute(&v, 16, 0));
    CHECK(v == 4, "4 SMs, got %d", v);
    CHECK_RC(cuDeviceGetAttribute(&v, 9999, 0), CUDA_ERROR_INVALID_VALUE);
    char name[256];
    OK(cuDeviceGetName(name, sizeof name, 0));
    CHECK(strstr(name, "emulator") != nullptr, "name %s", name);

    // No current context yet: context-needing calls fail with 201.
    CUdeviceptr p = 0;
    CHECK_RC(cuMemAlloc_v2(&p, 16), CUDA_ERROR_INVALID_CONTEXT);
    CUcontext ctx = nullptr, ctx1 = nullptr, ctx2 = nullptr;
    OK(cuDevicePrimaryCtxRetain(&ctx, 0));
    OK(cuDevicePrimaryCtxRetain(&ctx1, 1));
    OK(cuDevicePrimaryCtxRetain(&ctx2, 2));
    CHECK_RC(cuMemAlloc_v2(&p, 16), CUDA_ERROR_INVALID_CONTEXT);
    OK(cuCtxSetCurrent(ctx));
    OK(cuMemAlloc_v2(&p, 16));
    // The current context is per thread: another thread has none until it sets one.
    std::thread([&] {
        CUdeviceptr q = 0;
        CHECK_RC(cuMemAlloc_v2(&q, 16), CUDA_ERROR_INVALID_CONTEXT);
        CHECK_RC(cuStreamSynchronize(nullptr), CUDA_ERROR_INVALID_CONTEXT);
        OK(cuCtxSetCurrent(ctx));
        OK(cuMemAlloc_v2(&q, 16));
        OK(cuMemFree_v2(q));
    }).join();
    OK(cuMemFree_v2(p));
    CHECK_RC(cuGraphCreate(nullptr, 0), CUDA_ERROR_NOT_SUPPORTED);

    test_memory(ctx);
    load_shipped_modules();
    test_elementwise();
    test_reduce();
    time_launches();
    test_transpose_axpy();
    test_launch_config();
    test_ptx_checks();
    // A pointer argument outside device memory: the launch fails with a sticky 700 (on ctx2 below).
    test_barriers(ctx1);
    test_two_barriers(ctx2);
    {
        float host = 0;
        CUdeviceptr hp = (CUdeviceptr) (uintptr_t) &host;
        long long n = 1;
        int op = 0;
        CUcontext fresh = nullptr;
        OK(cuCtxSetCurrent(ctx));
        Dev d(1);
        std::string log = capture_stderr([&] {
            OK(launch("tj_unary", 1, 32, 1, {&op, &hp, &d.p, &n}));
        });
        CHECK(log.find("parameter 1") != std::string::npos, "bad pointer log: %s", log.c_str());
        CHECK_RC(cuCtxSynchronize(), CUDA_ERROR_ILLEGAL_ADDRESS);
        (void) fresh;
    }
    printf("main: %d checks, %d failures\n", g_checks, g_failures);
    fflush(stdout);

    // Stream ordering, with the delay, in a child process (the delay is read at cuInit). Some
    // checks expect the host to get ahead of a delayed task (a race the emulator must show): 50 ms
    // leaves room for a descheduled host thread on a loaded machine.
    std::string cmd = std::string("TENSORJ_EMU_STREAM_DELAY_US=50000 TENSORJ_EMU_DEVICES=1 '") + argv[0] + "' ordering";
    int rc = system(cmd.c_str());
    CHECK(rc == 0, "the ordering checks failed (status %d)", rc);
    printf("selftest: %s\n", g_failures == 0 ? "passed" : "FAILED");
    return g_failures == 0 ? 0 : 1;
}
