package dev.tensorj.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tensorj.Device;
import dev.tensorj.Tensor;
import dev.tensorj.junit.RequiresCuda;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The driver's current context is per thread: every entry point of the backend must make the
 * device's context current itself, also when it is the first CUDA call a thread makes (a reader
 * thread, a cleaner thread). Each test starts a fresh thread whose first call is that entry point.
 */
@RequiresCuda
class CudaThreadEntryTest {
    private static final Device CUDA = Device.cuda(0);


    /** Runs {@code body} on a new thread, whose first CUDA call it makes, and returns its result or rethrows. */
    static <T> T onFreshThread(Supplier<T> body) throws InterruptedException {
        AtomicReference<T> out = new AtomicReference<>();
        AtomicReference<Throwable> error = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                out.set(body.get());
            } catch (Throwable e) {
                error.set(e);
            }
        }, "fresh-cuda-thread");
        t.start();
        t.join();
        if (error.get() != null) {
            throw new AssertionError("on a fresh thread: " + error.get(), error.get());
        }
        return out.get();
    }

    @Test
    void aFreshThreadCanFirstReadATensor() throws InterruptedException {
        Tensor x = Tensor.of(new float[] {1.5f, -2f, 3.25f}).to(CUDA);
        assertArrayEquals(new float[] {1.5f, -2f, 3.25f}, onFreshThread(x::toFloatArray));
    }

    @Test
    void aFreshThreadCanFirstFillCopyOrReduce() throws InterruptedException {
        assertArrayEquals(new float[] {0.75f, 0.75f}, onFreshThread(() -> Tensor.full(CUDA, 0.75f, 2)).toFloatArray());
        Tensor x = Tensor.of(new float[] {1.5f, -2f, 3.25f}).to(CUDA);
        assertEquals(2.75f, onFreshThread(x::sum).item());
        assertArrayEquals(new float[] {1.5f, 0f, 3.25f}, onFreshThread(x::relu).toFloatArray());
        Tensor m = Tensor.of(new float[] {1f, 2f, 3f, 4f, 5f, 6f}, 2, 3).to(CUDA);
        assertArrayEquals(new float[] {1f, 4f, 2f, 5f, 3f, 6f}, onFreshThread(m::t).toFloatArray());
        assertArrayEquals(new float[] {14f, 32f, 32f, 77f}, onFreshThread(() -> m.matmul(m.t())).toFloatArray());
        assertArrayEquals(new float[] {1.5f, -2f, 3.25f}, onFreshThread(() -> x.to(Device.CPU)).toFloatArray());
    }
}
