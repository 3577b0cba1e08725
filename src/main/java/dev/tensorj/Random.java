package dev.tensorj;

import dev.tensorj.backend.Philox;
import dev.tensorj.backend.RandomKind;

/**
 * The global generator behind rand, randn, randint, randperm, dropout and layer initialisation: a
 * seed and an offset into the Philox4x32-10 stream of that seed ({@link Philox}), as PyTorch's CUDA
 * generator. Each draw takes the current {@code (seed, offset)} and moves the offset past the words
 * it consumes (rounded up to a block of four), so a draw's values depend only on the seed and the
 * draws before it, never on the devices involved: the samples are drawn on the target device
 * (a kernel on cuda) and a seed gives the same tensor on cpu and cuda. Meta tensors draw nothing
 * but move the offset as well, so that a program's later draws do not depend on where its earlier
 * ones went.
 */
final class Random {
    /** A fixed default seed, so runs are reproducible unless seeded otherwise (PyTorch's choice too). */
    private static final long DEFAULT_SEED = 67280421310721L;
    private static long seed = DEFAULT_SEED;
    private static long offset;

    private Random() {}

    /** Where one draw reads in the Philox stream. */
    private record Draw(long seed, long offset) {}

    static synchronized void seed(long s) {
        seed = s;
        offset = 0;
    }

    /** The generator's {@code {seed, offset}}, a new array. */
    static synchronized long[] state() {
        return new long[] {seed, offset};
    }

    /** Sets the generator's seed and offset, both checked by the caller. */
    static synchronized void setState(long s, long o) {
        seed = s;
        offset = o;
    }

    /** Reserves {@code words} 32-bit words of the stream for one draw. */
    private static synchronized Draw take(long words) {
        Draw d = new Draw(seed, offset);
        offset += (words + 3) & ~3L;
        return d;
    }

    /** Uniform samples in [a, b) ({@code u·(b - a) + a} in float; see {@link RandomKind#UNIFORM}). */
    static Tensor uniform(String op, Device device, int[] shape, float a, float b) {
        return draw(op, RandomKind.UNIFORM, device, shape, a, b);
    }

    /** Normal samples of mean {@code mean} and standard deviation {@code std}. */
    static Tensor normal(String op, Device device, int[] shape, float mean, float std) {
        return draw(op, RandomKind.NORMAL, device, shape, mean, std);
    }

    /** {@code value} with probability {@code keep}, else 0: dropout's scaled keep-mask. */
    static Tensor bernoulli(String op, Device device, int[] shape, float keep, float value) {
        return draw(op, RandomKind.BERNOULLI, device, shape, keep, value);
    }

    private static Tensor draw(String op, RandomKind kind, Device device, int[] shape, float a, float b) {
        Dispatch.nonNull(op, "device", device);
        Dispatch.nonNull(op, "shape", shape);
        Shapes.numel(op, shape); // validate before touching the device or the generator
        DeviceBackend be = Backends.forOp(device);
        Tensor t = Tensor.empty(op, be, DType.FLOAT32, shape);
        Draw d = take(t.numel() * Philox.WORDS_PER_FLOAT);
        be.random(op, kind, d.seed(), d.offset(), t.storage(), a, b);
        return t;
    }

    /** int64 samples uniform in [low, high), as {@code torch.randint}. */
    static Tensor randint(Device device, long low, long high, int[] shape) {
        Dispatch.nonNull("randint", "device", device);
        Dispatch.nonNull("randint", "shape", shape);
        if (high <= low) {
            throw new IllegalArgumentException("randint: random_ expects 'from' to be less than 'to', but got from="
                    + low + " >= to=" + high);
        }
        Shapes.numel("randint", shape);
        DeviceBackend be = Backends.forOp(device);
        Tensor t = Tensor.empty("randint", be, DType.INT64, shape);
        Draw d = take(t.numel() * Philox.WORDS_PER_INT64);
        be.randint(d.seed(), d.offset(), t.storage(), low, high);
        return t;
    }

    /**
     * A random permutation of {@code 0 .. n-1} (int64), as {@code torch.randperm}: Fisher–Yates on
     * the host from the global generator (swap {@code i} with {@code j} uniform in {@code [0, i]},
     * {@code i} from {@code n-1} down, {@code j} from word pair {@code n-1-i} of the stream as
     * {@link Philox#randint}), then copied to {@code device}: so the same permutation on every device.
     */
    static Tensor randperm(Device device, int n) {
        Dispatch.nonNull("randperm", "device", device);
        if (n < 0) {
            throw new IllegalArgumentException("randperm: n must be non-negative, got " + n);
        }
        int[] shape = {n};
        DeviceBackend be = Backends.forOp(device);
        Draw d = take(Math.max(0, n - 1L) * Philox.WORDS_PER_INT64);
        if (device.isMeta()) {
            return Tensor.empty("randperm", be, DType.INT64, shape);
        }
        long[] p = new long[HostArrayLimitException.check("randperm", n, shape, "a host-drawn randperm")];
        for (int i = 0; i < p.length; i++) {
            p[i] = i;
        }
        int[] w = new int[4];
        for (int i = p.length - 1, k = 0; i > 0; i--, k++) {
            if (k % 2 == 0) {
                Philox.streamBlock(d.seed(), d.offset(), k / 2, w);
            }
            int lane = 2 * (k % 2);
            int j = (int) Philox.randint(w[lane], w[lane + 1], 0, i + 1L);
            long t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return Tensor.wrap(device, be.fromHost(p), shape);
    }
}
