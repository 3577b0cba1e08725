package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.backend.Philox;
import dev.tensorj.junit.DevicesSource;
import dev.tensorj.junit.Placement;
import dev.tensorj.junit.RequiresCuda;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * The global generator and the draws on every device: values against {@link Philox}'s definition
 * (so cpu and cuda give the same bits), statistics of large samples with bounds a broken generator
 * fails (the seeds are fixed: a run passes or fails the same way every time), reseeding, offsets,
 * randint, randperm.
 */
class RandomTest {
    private static final int N = 1 << 20;

    /** Uniform word i, normal i and randint i of the stream (seed, offset 0), as a fresh manualSeed gives. */
    private static float uniformRef(long seed, long offset, int i) {
        return Philox.uniform(Philox.word(seed, offset, i));
    }

    private static float normalRef(long seed, int i) {
        int pair = i & ~1;
        return Philox.normal(Philox.word(seed, 0, pair), Philox.word(seed, 0, pair + 1), (i & 1) == 1);
    }

    @ParameterizedTest
    @DevicesSource
    void drawsFollowThePhiloxDefinitionBitForBit(Device device) {
        int n = 1001; // not a multiple of 4: the last block is partial
        Tensor.manualSeed(42);
        Tensor u = Tensor.rand(device, 7, 11, 13);
        assertEquals(device, u.device());
        assertEquals(DType.FLOAT32, u.dtype());
        float[] got = u.toFloatArray();
        for (int i = 0; i < n; i++) {
            assertEquals(uniformRef(42, 0, i), got[i], "rand[" + i + "]");
        }
        Tensor.manualSeed(42);
        float[] z = Tensor.randn(device, n).toFloatArray();
        for (int i = 0; i < n; i++) {
            // bit for bit with the emulator; a GPU's double log/sin/cos may move a rare sample by an ulp
            assertEquals(normalRef(42, i), z[i], Math.ulp(normalRef(42, i)), "randn[" + i + "]");
        }
        Tensor.manualSeed(42);
        Tensor r = Tensor.randint(device, -1_000_000_007L, 3_000_000_019L, 3, 5);
        assertEquals(DType.INT64, r.dtype());
        assertArrayEquals(new int[] {3, 5}, r.shape());
        long[] ri = r.toLongArray();
        for (int i = 0; i < ri.length; i++) {
            long ref = Philox.randint(Philox.word(42, 0, 2 * i), Philox.word(42, 0, 2 * i + 1), -1_000_000_007L,
                    3_000_000_019L);
            assertEquals(ref, ri[i], "randint[" + i + "]");
        }
    }

    @ParameterizedTest
    @DevicesSource
    void theDropoutMaskFollowsThePhiloxDefinition(Device device) {
        Tensor.manualSeed(43);
        float[] m = Functional.dropout(Tensor.ones(device, 3, 101), 0.3).toFloatArray();
        float keep = (float) (1 - 0.3);
        float scale = (float) (1 / (1 - 0.3));
        for (int i = 0; i < m.length; i++) {
            assertEquals(uniformRef(43, 0, i) < keep ? scale : 0f, m[i], "mask[" + i + "]");
        }
    }

    @Test
    @RequiresCuda
    void aSeedGivesTheSameTensorsOnCpuAndCuda() {
        Device cuda = Device.cuda(0);
        for (long seed : new long[] {0, 7, -1, 0x1234_5678_9abc_def0L}) {
            float[][] cpu = draws(Device.CPU, seed);
            float[][] gpu = draws(cuda, seed);
            for (int k = 0; k < cpu.length; k++) {
                if (k == 1 && !CudaTestTally.emulatedRun()) {
                    assertArrayEquals(cpu[k], gpu[k], 1e-6f, "randn, seed " + seed + " (a GPU's libdevice: last ulp)");
                } else {
                    assertArrayEquals(cpu[k], gpu[k], "draw " + k + ", seed " + seed);
                }
            }
            Tensor.manualSeed(seed);
            long[] a = Tensor.randint(Device.CPU, Long.MIN_VALUE, Long.MAX_VALUE, 999).toLongArray();
            Tensor.manualSeed(seed);
            assertArrayEquals(a, Tensor.randint(cuda, Long.MIN_VALUE, Long.MAX_VALUE, 999).toLongArray(), "full range");
        }
    }

    /** rand, randn, randint (as float), a dropout mask and uniform_-style affine draws, in one sequence. */
    private static float[][] draws(Device device, long seed) {
        Tensor.manualSeed(seed);
        float[] u = Tensor.rand(device, 333).toFloatArray();
        float[] z = Tensor.randn(device, 2, 3, 37).toFloatArray();
        long[] r = Tensor.randint(device, -3, 1000, 77).toLongArray();
        float[] m = Functional.dropout(Tensor.ones(device, 513), 0.3).toFloatArray();
        float[] like = Tensor.randLike(Tensor.zeros(device, 5, 5)).toFloatArray();
        float[] ri = new float[r.length];
        for (int i = 0; i < r.length; i++) {
            ri[i] = r[i];
        }
        return new float[][] {u, z, ri, m, like};
    }

    @ParameterizedTest
    @DevicesSource
    void uniformSamplesAreUniform(Device device) {
        Tensor.manualSeed(2024);
        float[] u = Tensor.rand(device, N).toFloatArray();
        double mean = 0;
        double var = 0;
        double lag = 0;
        int[] buckets = new int[100];
        for (int i = 0; i < N; i++) {
            assertTrue(u[i] >= 0 && u[i] < 1, "rand[" + i + "] = " + u[i] + " outside [0, 1)");
            mean += u[i];
            buckets[(int) (u[i] * 100)]++;
        }
        mean /= N;
        for (int i = 0; i < N; i++) {
            var += (u[i] - mean) * (u[i] - mean);
            if (i > 0) {
                lag += (u[i] - mean) * (u[i - 1] - mean);
            }
        }
        double corr = lag / var;
        var /= N;
        // bounds at 5 standard errors (and chi-square at about 6): a fixed seed never flakes
        assertEquals(0.5, mean, 5 * Math.sqrt(1.0 / 12 / N), "mean");
        assertEquals(1.0 / 12, var, 5 * Math.sqrt(1.0 / 180 / N), "variance"); // Var of (u - 1/2)² is 1/180
        assertEquals(0, corr, 5 / Math.sqrt(N), "lag-1 correlation");
        double chi2 = 0;
        double expected = N / 100.0;
        for (int c : buckets) {
            chi2 += (c - expected) * (c - expected) / expected;
        }
        // chi-square with 99 degrees of freedom: mean 99, sd √198 ≈ 14; too even is as broken as too uneven
        assertTrue(chi2 > 99 - 6 * Math.sqrt(198) && chi2 < 99 + 6 * Math.sqrt(198), "chi-square " + chi2);
        // 24 random bits: about N·(1 - N/2^25) distinct values (a 16-bit generator has at most 65536)
        float[] sorted = u.clone();
        Arrays.sort(sorted);
        long distinct = 1;
        for (int i = 1; i < N; i++) {
            distinct += sorted[i] != sorted[i - 1] ? 1 : 0;
        }
        assertTrue(distinct > 0.95 * N, distinct + " distinct values of " + N);
    }

    @ParameterizedTest
    @DevicesSource
    void normalSamplesHaveTheNormalMoments(Device device) {
        Tensor.manualSeed(2025);
        float[] z = Tensor.randn(device, N).toFloatArray();
        double m1 = 0;
        double m2 = 0;
        double m3 = 0;
        double m4 = 0;
        double pair = 0;
        int within1 = 0;
        int within2 = 0;
        for (int i = 0; i < N; i++) {
            double v = z[i];
            assertTrue(Math.abs(v) <= 6.67, "randn[" + i + "] = " + v + " beyond Box–Muller's largest radius");
            m1 += v;
            m2 += v * v;
            m3 += v * v * v;
            m4 += v * v * v * v;
            within1 += Math.abs(v) < 1 ? 1 : 0;
            within2 += Math.abs(v) < 2 ? 1 : 0;
            if ((i & 1) == 1) {
                pair += v * z[i - 1]; // the cosine and sine of one pair are uncorrelated
            }
        }
        assertEquals(0, m1 / N, 5 / Math.sqrt(N), "mean");
        assertEquals(1, m2 / N, 5 * Math.sqrt(2.0 / N), "variance");
        assertEquals(0, m3 / N, 5 * Math.sqrt(15.0 / N), "third moment");
        assertEquals(3, m4 / N, 5 * Math.sqrt(96.0 / N), "fourth moment (kurtosis 3)");
        assertEquals(0.682689, within1 / (double) N, 5 * Math.sqrt(0.2166 / N), "P(|z| < 1)");
        assertEquals(0.954500, within2 / (double) N, 5 * Math.sqrt(0.0434 / N), "P(|z| < 2)");
        assertEquals(0, pair / (N / 2.0), 5 / Math.sqrt(N / 2.0), "pair correlation");
    }

    @ParameterizedTest
    @DevicesSource
    void reseedingReproducesAndEachDrawMovesTheOffset(Device device) {
        Tensor.manualSeed(11);
        float[] a = Tensor.rand(device, 5).toFloatArray();
        float[] b = Tensor.rand(device, 6).toFloatArray();
        Tensor.manualSeed(11);
        assertArrayEquals(a, Tensor.rand(device, 5).toFloatArray(), "manualSeed restarts the stream");
        assertArrayEquals(b, Tensor.rand(device, 6).toFloatArray());
        // 5 words rounded up to 8: the second draw reads the stream from offset 8
        for (int i = 0; i < 6; i++) {
            assertEquals(uniformRef(11, 8, i), b[i], "b[" + i + "]");
        }
        assertFalse(Arrays.equals(Arrays.copyOf(a, 5), Arrays.copyOf(b, 5)), "different offsets, different values");
        Tensor.manualSeed(12);
        assertFalse(Arrays.equals(a, Tensor.rand(device, 5).toFloatArray()), "another seed, another stream");
        // randint consumes two words a sample: 3 samples take 6 words, rounded to 8
        Tensor.manualSeed(11);
        Tensor.randint(device, 0, 10, 3);
        assertArrayEquals(b, Arrays.copyOf(Tensor.rand(device, 7).toFloatArray(), 6));
    }

    @ParameterizedTest
    @DevicesSource
    void theSequenceOfDrawsDoesNotDependOnTheirDevices(Device device) {
        Tensor.manualSeed(99);
        float[] a1 = Tensor.rand(Device.CPU, 9).toFloatArray();
        float[] a2 = Tensor.randn(device, 9).toFloatArray();
        Tensor.manualSeed(99);
        float[] b1 = Tensor.rand(device, 9).toFloatArray();
        float[] b2 = Tensor.randn(Device.CPU, 9).toFloatArray();
        assertArrayEquals(a1, b1);
        assertArrayEquals(a2, b2, 1e-6f);
        // a meta draw moves the offset as any other
        Tensor.manualSeed(99);
        Tensor meta = Tensor.rand(Device.META, 9);
        assertEquals(Device.META, meta.device());
        assertArrayEquals(a2, Tensor.randn(device, 9).toFloatArray(), 1e-6f);
    }

    @ParameterizedTest
    @DevicesSource
    void randintStaysInItsBoundsAndCoversThem(Device device) {
        Tensor.manualSeed(3);
        long[] r = Tensor.randint(device, -3, 4, 70_000).toLongArray();
        int[] counts = new int[7];
        for (long v : r) {
            assertTrue(v >= -3 && v < 4, v + " outside [-3, 4)");
            counts[(int) v + 3]++;
        }
        double chi2 = 0;
        for (int c : counts) {
            chi2 += (c - 10_000.0) * (c - 10_000.0) / 10_000.0;
        }
        assertTrue(chi2 < 6 + 6 * Math.sqrt(12), "chi-square " + chi2 + " over 7 values");
        for (long v : Tensor.randint(device, 5, 6, 20).toLongArray()) {
            assertEquals(5, v, "a range of one value");
        }
        long[] wide = Tensor.randint(device, Long.MIN_VALUE, Long.MAX_VALUE, 1000).toLongArray();
        assertTrue(Arrays.stream(wide).anyMatch(v -> v < 0) && Arrays.stream(wide).anyMatch(v -> v > 0));
        assertTrue(Arrays.stream(wide).allMatch(v -> v != Long.MAX_VALUE), "high is exclusive");
        assertArrayEquals(new int[] {2, 0, 3}, Tensor.randint(device, 0, 2, 2, 0, 3).shape());
        assertArrayEquals(new int[] {}, Tensor.randint(device, 0, 2).shape(), "no shape: a scalar");
    }

    @ParameterizedTest
    @DevicesSource
    void randintRejectsAnEmptyRangeBeforeAnyWork(Device device) {
        Tensor.manualSeed(4);
        Counters.Snapshot work = Placement.of(() -> {
            for (long[] bounds : new long[][] {{5, 5}, {5, 4}, {Long.MAX_VALUE, Long.MIN_VALUE}}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> Tensor.randint(device, bounds[0], bounds[1], 3));
                assertTrue(e.getMessage().startsWith("randint: ") && e.getMessage().contains("from=" + bounds[0])
                        && e.getMessage().contains("to=" + bounds[1]), e.getMessage());
            }
            assertThrows(IllegalArgumentException.class, () -> Tensor.randint(device, 0, 2, -1));
        }).on(device);
        assertEquals(0, work.ops() + work.allocations(), "work before the check: " + work);
        float first = Tensor.rand(device, 1).item();
        assertEquals(uniformRef(4, 0, 0), first, "a rejected call consumes nothing");
    }

    @ParameterizedTest
    @DevicesSource
    void randpermIsAPermutationTheSameOnEveryDevice(Device device) {
        for (int n : new int[] {0, 1, 2, 5, 1000}) {
            Tensor.manualSeed(n);
            Tensor p = Tensor.randperm(device, n);
            assertEquals(device, p.device());
            assertEquals(DType.INT64, p.dtype());
            assertArrayEquals(new int[] {n}, p.shape());
            long[] v = p.toLongArray();
            Tensor.manualSeed(n);
            assertArrayEquals(Tensor.randperm(n).toLongArray(), v, "the cpu's permutation");
            long[] sorted = v.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < n; i++) {
                assertEquals(i, sorted[i], "randperm(" + n + ") is not a permutation: " + Arrays.toString(v));
            }
        }
        Tensor.manualSeed(1);
        long[] p = Tensor.randperm(device, 1000).toLongArray();
        int fixed = 0;
        for (int i = 0; i < p.length; i++) {
            fixed += p[i] == i ? 1 : 0;
        }
        assertTrue(fixed < 8, fixed + " fixed points (about 1 expected)");
        assertFalse(Arrays.equals(p, Tensor.randperm(device, 1000).toLongArray()), "the generator advances");
        // every position of a 4-permutation takes every value about equally often
        int[][] counts = new int[4][4];
        for (int t = 0; t < 4000; t++) {
            long[] q = Tensor.randperm(Device.CPU, 4).toLongArray();
            for (int i = 0; i < 4; i++) {
                counts[i][(int) q[i]]++;
            }
        }
        for (int[] row : counts) {
            for (int c : row) {
                assertEquals(1000, c, 5 * Math.sqrt(4000 * 0.25 * 0.75), Arrays.deepToString(counts));
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.randperm(device, -1));
        assertTrue(e.getMessage().startsWith("randperm: ") && e.getMessage().contains("-1"), e.getMessage());
    }

    @Test
    void metaDrawsGiveShapesAndDTypesOnly() {
        assertArrayEquals(new int[] {2, 3}, Tensor.rand(Device.META, 2, 3).shape());
        assertArrayEquals(new int[] {4}, Tensor.randn(Device.META, 4).shape());
        Tensor r = Tensor.randint(Device.META, 0, 5, 3, 2);
        assertEquals(DType.INT64, r.dtype());
        assertArrayEquals(new int[] {3, 2}, r.shape());
        Tensor p = Tensor.randperm(Device.META, 6);
        assertEquals(DType.INT64, p.dtype());
        assertArrayEquals(new int[] {6}, p.shape());
        Tensor like = Tensor.randnLike(Tensor.zeros(Device.META, 2, 2));
        assertEquals(Device.META, like.device());
        assertThrows(MetaTensorReadException.class, r::toLongArray);
    }
}
