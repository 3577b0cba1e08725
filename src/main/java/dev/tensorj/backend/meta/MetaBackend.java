package dev.tensorj.backend.meta;

import dev.tensorj.backend.Backend;
import dev.tensorj.backend.BinaryOp;
import dev.tensorj.backend.BroadcastPlan;
import dev.tensorj.backend.CompareOp;
import dev.tensorj.backend.IndexPlan;
import dev.tensorj.backend.RandomKind;
import dev.tensorj.backend.ScalarType;
import dev.tensorj.backend.Storage;
import dev.tensorj.backend.UnaryOp;

/**
 * The {@code meta} device: storage with a size and no data. Every kernel is a no-op, so ops
 * compute output shapes (and run every placement check) without touching memory; reading values
 * throws. Lets a machine without a GPU exercise every placement rule.
 */
public final class MetaBackend implements Backend {
    public static final MetaBackend INSTANCE = new MetaBackend();

    private MetaBackend() {}

    private static final class MetaStorage extends Storage {
        MetaStorage(ScalarType type, long numel) {
            super(type, numel);
        }

        @Override
        protected void free() {}
    }

    @Override
    public Storage allocate(ScalarType type, long numel) {
        return new MetaStorage(type, numel);
    }

    @Override
    public Storage fromHost(float[] data) {
        return new MetaStorage(ScalarType.F32, data.length);
    }

    @Override
    public Storage fromHost(long[] data) {
        return new MetaStorage(ScalarType.I64, data.length);
    }

    @Override
    public Storage fromHost(boolean[] data) {
        return new MetaStorage(ScalarType.BOOL, data.length);
    }

    @Override
    public void toHost(Storage src, float[] dst) {
        throw noData();
    }

    @Override
    public void toHost(Storage src, long[] dst) {
        throw noData();
    }

    @Override
    public void toHost(Storage src, boolean[] dst) {
        throw noData();
    }

    /** Unreachable through the API: the engine refuses to read a meta tensor before it gets here. */
    private static IllegalStateException noData() {
        return new IllegalStateException("meta storages have no data to read (the engine checks for meta first)");
    }

    @Override
    public void copy(Storage src, Storage dst) {}

    @Override
    public void fill(Storage out, float value) {
        out.requireType("fill", ScalarType.F32); // no data, but the same contract as the devices with data
    }

    @Override
    public void fill(Storage out, long value) {
        out.requireType("fill", ScalarType.I64);
    }

    @Override
    public void fill(Storage out, boolean value) {
        out.requireType("fill", ScalarType.BOOL);
    }

    @Override
    public void cast(Storage x, Storage out) {}

    @Override
    public void unary(UnaryOp op, Storage x, Storage out) {}

    @Override
    public void binary(BinaryOp op, Storage a, Storage b, Storage out, BroadcastPlan plan) {}

    @Override
    public void compare(CompareOp op, Storage a, Storage b, Storage out, BroadcastPlan plan) {}

    @Override
    public void where(Storage cond, Storage a, Storage b, Storage out, BroadcastPlan plan) {}

    @Override
    public void binaryScalar(BinaryOp op, Storage a, float scalar, Storage out) {}

    @Override
    public void axpy(float alpha, Storage x, Storage y, Storage out) {}

    @Override
    public void matmul(Storage a, Storage b, Storage c, int m, int n, int k, boolean transA, boolean transB) {}

    @Override
    public void matmulBatched(Storage a, Storage b, Storage c, int batch, int m, int n, int k,
                              boolean transA, boolean transB, long strideA, long strideB, long strideC) {}

    @Override
    public void sumAxis(Storage x, long outer, long len, long inner, Storage out) {}

    @Override
    public void extremeAxis(boolean max, Storage x, long outer, long len, long inner, Storage values,
            Storage indices) {}

    @Override
    public void gather(Storage x, Storage index, Storage out, IndexPlan plan) {}

    @Override
    public void scatterAdd(Storage src, Storage index, Storage out, IndexPlan plan) {}

    @Override
    public void softmax(boolean log, Storage x, long outer, long len, long inner, Storage out) {}

    @Override
    public void softmaxBackward(boolean log, Storage y, Storage g, long outer, long len, long inner, Storage gx) {}

    @Override
    public void crossEntropy(Storage x, Storage target, Storage weight, long n, long c, long ignoreIndex,
            float smoothing, Storage loss, Storage stats) {}

    @Override
    public void crossEntropyBackward(Storage x, Storage target, Storage weight, Storage stats, Storage g,
            boolean gPerRow, long n, long c, long ignoreIndex, float smoothing, Storage gx) {}

    @Override
    public void transpose(Storage x, int rows, int cols, Storage out) {}

    @Override
    public void stridedCopy(Storage src, long srcOffset, Storage dst, long dstOffset, BroadcastPlan plan) {}

    @Override
    public void random(RandomKind kind, long seed, long offset, Storage out, float a, float b) {}

    @Override
    public void randint(long seed, long offset, Storage out, long low, long high) {}

    @Override
    public void synchronize() {
        // Kernels here run synchronously on the calling thread.
    }

    @Override
    public void layerNorm(Storage x, Storage weight, Storage bias, long rows, long len, float eps, Storage out,
            Storage stats) {}

    @Override
    public void layerNormBackward(Storage x, Storage weight, Storage stats, Storage g, long rows, long len,
            Storage gx, Storage gWeight, Storage gBias) {}
}
