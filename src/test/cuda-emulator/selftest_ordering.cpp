// The self-test's stream-ordering checks: `selftest ordering`, run by main (selftest.cpp) in a
// child process with TENSORJ_EMU_STREAM_DELAY_US set.
#include "selftest.h"

// ---- stream ordering (child process, TENSORJ_EMU_STREAM_DELAY_US set) ----------------------------
int ordering_main() {
    OK(cuInit(0));
    CUdevice dev = 0;
    CUcontext ctx = nullptr;
    OK(cuDeviceGet(&dev, 0));
    OK(cuDevicePrimaryCtxRetain(&ctx, dev));
    OK(cuCtxSetCurrent(ctx));
    load_shipped_modules();
    CUstream blocking = nullptr, nonBlocking = nullptr;
    OK(cuStreamCreate(&blocking, 0));
    OK(cuStreamCreate(&nonBlocking, TJEMU_CU_STREAM_NON_BLOCKING));
    long long n = 4096;
    int neg = 0;
    std::vector<float> oldA(n, 1.0f), newA(n, 2.0f);
    Dev a(oldA), b(n), c(n);
    auto all = [](const std::vector<float>& v, float x) {
        for (float f : v) {
            if (!(f == x)) return false;
        }
        return true;
    };
    // (1) kernel on a blocking stream reads A; the synchronous copy into A waits for it.
    OK(launch("tj_unary", grid_for(n), 256, 1, {&neg, &a.p, &b.p, &n}, blocking));
    a.put(newA);
    OK(cuStreamSynchronize(blocking));
    CHECK(all(b.get(), -1.0f), "blocking stream: the kernel read A before the synchronous copy replaced it");
    // (2) the same on a non-blocking stream: the copy does not wait (the emulator shows the race).
    a.put(oldA);
    OK(launch("tj_unary", grid_for(n), 256, 1, {&neg, &a.p, &b.p, &n}, nonBlocking));
    a.put(newA);
    OK(cuStreamSynchronize(nonBlocking));
    CHECK(all(b.get(), -2.0f), "non-blocking stream: the synchronous copy overtook the delayed kernel");
    // (3) legacy-stream work (an async memset) then a blocking stream's kernel: the kernel waits.
    a.put(oldA);
    OK(cuMemsetD32Async(a.p, bits(3.0f), (size_t) n, nullptr));
    OK(launch("tj_unary", grid_for(n), 256, 1, {&neg, &a.p, &c.p, &n}, blocking));
    OK(cuStreamSynchronize(blocking));
    CHECK(all(c.get(), -3.0f), "a blocking stream waits for earlier legacy-stream work");
    // (4) a blocking stream's kernel then legacy-stream work: the legacy work waits.
    a.put(oldA);
    OK(launch("tj_unary", grid_for(n), 256, 1, {&neg, &a.p, &c.p, &n}, blocking));
    OK(cuMemsetD32Async(a.p, bits(4.0f), (size_t) n, nullptr));
    OK(cuCtxSynchronize());
    CHECK(all(c.get(), -1.0f), "legacy-stream work waits for earlier blocking-stream work");
    // (5) in order on one stream.
    a.put(oldA);
    for (int i = 0; i < 20; i++) {
        OK(launch("tj_unary", grid_for(n), 256, 1, {&neg, &a.p, &a.p, &n}, blocking));
    }
    OK(cuStreamSynchronize(blocking));
    CHECK(all(a.get(), 1.0f), "20 in-place negations in order");
    // (6) events: a non-blocking stream made to wait for a blocking stream's delayed kernel.
    {
        CUevent ev = nullptr, start = nullptr;
        OK(cuEventCreate(&ev, 0));
        OK(cuEventCreate(&start, 0));
        a.put(oldA);
        OK(cuEventRecord(start, blocking));
        OK(launch("tj_unary", grid_for(n), 256, 1, {&neg, &a.p, &b.p, &n}, blocking));
        OK(cuEventRecord(ev, blocking));
        OK(cuStreamWaitEvent(nonBlocking, ev, 0));
        OK(launch("tj_unary", grid_for(n), 256, 1, {&neg, &b.p, &c.p, &n}, nonBlocking));
        OK(cuStreamSynchronize(nonBlocking));
        CHECK(all(c.get(), 1.0f), "cuStreamWaitEvent: the non-blocking stream waited for the event");
        OK(cuEventSynchronize(ev));
        OK(cuEventQuery(ev));
        float ms = -1;
        OK(cuEventElapsedTime(&ms, start, ev));
        CHECK(ms >= 2.0f, "elapsed %.3f ms over a kernel delayed by 3 ms", ms);
        OK(cuEventDestroy_v2(ev));
        OK(cuEventDestroy_v2(start));
        CHECK_RC(cuEventQuery(ev), CUDA_ERROR_INVALID_HANDLE);
        // Asynchronous copies: from page-locked memory queued (still running after return), from
        // pageable memory waited for (done at return).
        void* h = nullptr;
        OK(cuMemAllocHost_v2(&h, n * 4));
        OK(launch("tj_unary", grid_for(n), 256, 1, {&neg, &a.p, &b.p, &n}, blocking));
        OK(cuMemcpyHtoDAsync_v2(c.p, h, n * 4, blocking));
        CHECK_RC(cuStreamQuery(blocking), CUDA_ERROR_NOT_READY);
        OK(cuStreamSynchronize(blocking));
        std::vector<float> pageableBuf(n, 5.0f);
        OK(launch("tj_unary", grid_for(n), 256, 1, {&neg, &a.p, &b.p, &n}, blocking));
        OK(cuMemcpyHtoDAsync_v2(c.p, pageableBuf.data(), n * 4, blocking));
        OK(cuStreamQuery(blocking));
        CHECK(all(c.get(), 5.0f), "pageable asynchronous copy done at return");
        OK(cuMemFreeHost(h));
        CHECK_RC(cuMemFreeHost(h), CUDA_ERROR_INVALID_VALUE);
    }
    OK(cuStreamDestroy_v2(blocking));
    OK(cuStreamDestroy_v2(nonBlocking));
    CHECK_RC(cuStreamSynchronize(blocking), CUDA_ERROR_INVALID_HANDLE);
    printf("ordering: %d checks, %d failures\n", g_checks, g_failures);
    return g_failures == 0 ? 0 : 1;
}
