package dev.tensorj.backend.cpu;

import dev.tensorj.backend.Philox;
import dev.tensorj.backend.RandomKind;

/**
 * The CPU's draws from the Philox stream, block by block as the CUDA kernels ({@code random.cu})
 * take them: one block of four words gives four floats (two normal pairs) or two int64s.
 */
final class CpuRandom {
    private CpuRandom() {}

    static void random(RandomKind kind, long seed, long offset, float[] out, float a, float b) {
        int[] w = new int[4];
        float range = b - a;
        for (long blk = 0, blocks = (out.length + 3L) / 4; blk < blocks; blk++) {
            Philox.streamBlock(seed, offset, blk, w);
            int base = (int) (blk * 4);
            int count = Math.min(4, out.length - base);
            for (int lane = 0; lane < count; lane++) {
                float v;
                switch (kind) {
                    case UNIFORM:
                        v = Philox.uniform(w[lane]) * range + a;
                        break;
                    case NORMAL: {
                        int pair = lane & ~1; // lanes (0, 1) and (2, 3): cos for the even, sin for the odd
                        v = Philox.normal(w[pair], w[pair + 1], (lane & 1) == 1) * b + a;
                        break;
                    }
                    case BERNOULLI:
                        v = Philox.uniform(w[lane]) < a ? b : 0f;
                        break;
                    default:
                        throw new AssertionError(kind);
                }
                out[base + lane] = v;
            }
        }
    }

    static void randint(long seed, long offset, long[] out, long low, long high) {
        int[] w = new int[4];
        for (long blk = 0, blocks = (out.length + 1L) / 2; blk < blocks; blk++) {
            Philox.streamBlock(seed, offset, blk, w);
            int base = (int) (blk * 2);
            out[base] = Philox.randint(w[0], w[1], low, high);
            if (base + 1 < out.length) {
                out[base + 1] = Philox.randint(w[2], w[3], low, high);
            }
        }
    }
}
