package dev.tensorj.backend.cpu;

import static dev.tensorj.backend.cpu.KernelData.assertBits;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tensorj.backend.Philox;
import dev.tensorj.backend.RandomKind;
import org.junit.jupiter.api.Test;

/**
 * The CPU's draws take the Philox stream word by word as the CUDA kernels do (element i of a float
 * tensor from word i, a normal pair from words 2j and 2j + 1, an int64 from two words), at every
 * length modulo the block of four words, and from an offset into the stream.
 */
class CpuRandomKernelTest {
    private static final long SEED = 0x1234_5678_9ABCL;

    @Test
    void floatDrawsTakeOneWordEachAndNormalsAPair() {
        for (long offset : new long[] {0, 8, 4096}) {
            for (int n : new int[] {1, 2, 3, 4, 5, 7, 13}) {
                float[] u = new float[n];
                float[] z = new float[n];
                float[] bern = new float[n];
                CpuRandom.random(RandomKind.UNIFORM, SEED, offset, u, -2f, 3f);
                CpuRandom.random(RandomKind.NORMAL, SEED, offset, z, 1.5f, 0.25f);
                CpuRandom.random(RandomKind.BERNOULLI, SEED, offset, bern, 0.4f, 2.5f);
                for (int i = 0; i < n; i++) {
                    String what = " " + i + " of " + n + " from offset " + offset;
                    int w = Philox.word(SEED, offset, i);
                    assertBits(Philox.uniform(w) * 5f + -2f, u[i], "uniform" + what);
                    int pair = i & ~1;
                    float normal = Philox.normal(Philox.word(SEED, offset, pair), Philox.word(SEED, offset, pair + 1),
                            (i & 1) == 1);
                    assertBits(normal * 0.25f + 1.5f, z[i], "normal" + what);
                    assertBits(Philox.uniform(w) < 0.4f ? 2.5f : 0f, bern[i], "bernoulli" + what);
                }
            }
        }
    }

    @Test
    void int64DrawsTakeTwoWordsEach() {
        for (long offset : new long[] {0, 4, 4096}) {
            for (int n : new int[] {1, 2, 3, 5, 6}) {
                long[] out = new long[n];
                CpuRandom.randint(SEED, offset, out, -7, 1L << 40);
                for (int i = 0; i < n; i++) {
                    long expected = Philox.randint(Philox.word(SEED, offset, 2L * i), Philox.word(SEED, offset, 2L * i + 1),
                            -7, 1L << 40);
                    assertEquals(expected, out[i], "randint " + i + " of " + n + " from offset " + offset);
                }
            }
        }
    }
}
