package dev.tensorj.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tensorj.Device;
import dev.tensorj.Tensor;
import dev.tensorj.junit.RequiresCuda;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The pool hands a freed block out again at once, while kernels queued before the free may still
 * read or write it (stream-ordered reuse, see BlockPool). These tests check that whatever reuses
 * the block waits for those kernels. They bite in the emulated run whose stream tasks are delayed:
 * there, the queued kernels are certainly still pending when the block is reused.
 */
@RequiresCuda
class CudaStreamOrderTest {
    private static final Device CUDA = Device.cuda(0);
    /** An odd size, so that the block's size class is unlikely to hold anyone else's blocks. */
    private static final int N = 1_000_003;
    private static final int READERS = 12;


    private static float[] random(long seed) {
        Random r = new Random(seed);
        float[] v = new float[N];
        for (int i = 0; i < N; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    /**
     * y = x + x + ... (READERS kernels, each reading x), on the device the tensor lives on. The
     * intermediates stay reachable in {@code keep}: were they collected during the test, the
     * cleaner would put their blocks on the free list after x's, and the next allocation would take
     * one of those (whose readers are done) instead of x's.
     */
    private static Tensor sumOfCopies(Tensor x, List<Tensor> keep) {
        Tensor y = x;
        for (int i = 0; i < READERS; i++) {
            y = y.add(x);
            keep.add(y);
        }
        return y;
    }

    /**
     * A synchronous host-to-device copy into a block that queued kernels still read must wait for
     * them. (It does because tensorj's stream is a blocking one, which the legacy default stream
     * of the synchronous copy waits for; a non-blocking stream would let the copy overwrite x
     * first.)
     */
    @Test
    void aCopyIntoARecycledBlockWaitsForTheKernelsStillReadingIt() {
        float[] xs = random(1);
        float[] expected = sumOfCopies(Tensor.of(xs), new ArrayList<>()).toFloatArray();
        float[] otherData = random(2); // made first, so that the copy follows the close at once
        List<Tensor> keep = new ArrayList<>();
        Tensor x = Tensor.of(xs).to(CUDA);
        Tensor y = sumOfCopies(x, keep);
        x.close(); // its block is back in the pool while the READERS kernels are queued
        long allocs = CudaBackends.memoryStats(0).deviceAllocs();
        Tensor other = Tensor.of(otherData).to(CUDA);
        assertEquals(allocs, CudaBackends.memoryStats(0).deviceAllocs(), "the copy went into a recycled block");
        assertArrayEquals(expected, y.toFloatArray(), "the kernels read x, not the data copied over it later");
        assertArrayEquals(otherData, other.toFloatArray());
        keep.forEach(Tensor::close);
    }

    /** A block freed while a queued kernel reads it, refilled by a fill queued after that kernel. */
    @Test
    void aTensorClosedWhileAKernelReadsItIsRefilledOnlyAfterThatKernel() {
        float[] xs = random(3);
        float[] expected = Tensor.of(xs).relu().toFloatArray();
        Tensor x = Tensor.of(xs).to(CUDA);
        Tensor y = x.relu();
        x.close();
        long allocs = CudaBackends.memoryStats(0).deviceAllocs();
        Tensor z = Tensor.full(CUDA, 7.25f, N);
        assertEquals(allocs, CudaBackends.memoryStats(0).deviceAllocs(), "the fill went into a recycled block");
        assertArrayEquals(expected, y.toFloatArray());
        float[] sevens = new float[N];
        java.util.Arrays.fill(sevens, 7.25f);
        assertArrayEquals(sevens, z.toFloatArray());
    }

    /** A block freed while a queued kernel still writes it: the next owner's data comes after. */
    @Test
    void aTensorClosedWhileAKernelWritesItKeepsItsNextOwnersData() {
        float[] xs = random(4);
        float[] zs = random(5); // made first, so that the copy follows the close at once
        Tensor x = Tensor.of(xs).to(CUDA);
        List<Tensor> keep = new ArrayList<>();
        Tensor y = sumOfCopies(x, keep); // the last kernel writes y's block
        keep.remove(y);
        y.close();
        long allocs = CudaBackends.memoryStats(0).deviceAllocs();
        Tensor z = Tensor.of(zs).to(CUDA); // reuses y's block: the copy must land after that kernel
        assertEquals(allocs, CudaBackends.memoryStats(0).deviceAllocs(), "the copy went into a recycled block");
        Tensor w = x.mul(0.5f);
        assertArrayEquals(zs, z.toFloatArray());
        assertArrayEquals(Tensor.of(xs).mul(0.5f).toFloatArray(), w.toFloatArray());
        keep.forEach(Tensor::close);
    }
}
