package dev.tensorj.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tensorj.DType;
import dev.tensorj.Device;
import dev.tensorj.Functional;
import dev.tensorj.Tensor;
import dev.tensorj.junit.RequiresCuda;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of kernel the CUDA backend launches gives the same bits on a thread whose first CUDA
 * call it is as on the thread that made its operands. The driver's current context is per thread,
 * so each backend entry point has to make the device's context current itself; one that relied on
 * an earlier call of the same thread would fail, or run in no context, on a user's data-loading or
 * worker thread. {@link CudaThreadEntryTest} covers the first read, fill, copy and product; this
 * covers the rest of the kernels, one entry point per case.
 */
@RequiresCuda
class CudaOpsOnAFreshThreadTest {
    private static final Device CUDA = Device.cuda(0);

    /** The operands, made on the test's thread: a [3, 4] matrix, a row, a batch, indices, a mask. */
    private static final class Operands {
        final Tensor x = Tensor.of(new float[] {0.5f, -1.25f, 2f, 0.75f, -0.5f, 1.5f, -2.25f, 3f, 1f, 0.25f, -0.75f, 2.5f}, 3, 4)
                .to(CUDA);
        final Tensor row = Tensor.of(new float[] {1.5f, -0.5f, 0.25f, 2f}, 4).to(CUDA);
        final Tensor batch = Tensor.of(new float[] {1f, 2f, -1f, 0.5f, 3f, -2f, 0.25f, 1.5f}, 2, 2, 2).to(CUDA);
        final Tensor rows = Tensor.of(new long[] {2, 0, 2}, 3).to(CUDA);
        final Tensor columns = Tensor.of(new long[] {3, 0, 1, 1, 2, 0}, 3, 2).to(CUDA);
        final Tensor classes = Tensor.of(new long[] {1, 3, 0}, 3).to(CUDA);
    }

    private interface Op {
        Tensor run(Operands o);
    }

    private static Named<Op> op(String name, Op op) {
        return Named.of(name, op);
    }

    static Stream<Named<Op>> ops() {
        return Stream.of(
                op("unary (exp)", o -> o.x.exp()),
                op("activation (gelu)", o -> Functional.gelu(o.x)),
                op("binary, broadcast row", o -> o.x.mul(o.row)),
                op("scalar", o -> o.x.mul(2.5f)),
                op("sum along a dim", o -> o.x.sum(new int[] {1}, false)),
                op("sum of all", o -> o.x.sum()),
                op("max along a dim", o -> o.x.max(1, false).values()),
                op("argmax, cast", o -> o.x.argmax(1, false).to(DType.FLOAT32)),
                op("comparison, cast", o -> o.x.lt(o.row).to(DType.FLOAT32)),
                op("where", o -> Functional.where(o.x.lt(o.row), o.x, o.row)),
                op("strided copy (transpose)", o -> o.x.t().mul(1f)),
                op("batched product", o -> o.batch.matmul(o.batch)),
                op("softmax", o -> o.x.softmax(1)),
                op("log-softmax", o -> o.x.logSoftmax(1)),
                op("cross-entropy", o -> Functional.crossEntropy(o.x, o.classes)),
                op("layer norm", o -> Functional.layerNorm(o.x, new int[] {4}, o.row, o.row, 1e-5)),
                op("index select", o -> o.x.indexSelect(0, o.rows)),
                op("gather", o -> o.x.gather(1, o.columns)),
                op("scatter-add", o -> o.x.scatterAdd(1, o.columns, o.x.gather(1, o.columns))),
                op("random draw", o -> {
                    Tensor.manualSeed(23);
                    return Tensor.rand(CUDA, 3, 4);
                }),
                op("backward through a small model", o -> {
                    Tensor w = o.row.detach().requiresGrad(true);
                    Functional.crossEntropy(Functional.layerNorm(o.x.mul(w), new int[] {4}), o.classes).backward();
                    return w.grad();
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ops")
    void givesTheSameBitsOnAThreadWhoseFirstCudaCallItIs(Op op) throws InterruptedException {
        Operands o = new Operands();
        float[] here = op.run(o).toFloatArray();
        Tensor there = CudaThreadEntryTest.onFreshThread(() -> op.run(o));
        assertArrayEquals(here, there.toFloatArray());
    }
}
