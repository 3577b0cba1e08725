package dev.tensorj.backend.cuda;

import static dev.tensorj.backend.cuda.CudaComparisons.assertClose;
import static dev.tensorj.backend.cuda.CudaComparisons.toHost;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.backend.Backend;
import dev.tensorj.backend.RandomKind;
import dev.tensorj.backend.ScalarType;
import dev.tensorj.backend.Storage;
import dev.tensorj.backend.cpu.CpuBackend;
import dev.tensorj.junit.LeakCheck;
import dev.tensorj.junit.RequiresCuda;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fused kernels on CUDA against the CPU backend on the same random inputs: softmax and
 * log-softmax with their gradients, cross-entropy with and without class weights, label smoothing
 * and ignored rows, layer norm with and without its affine parameters, and the Philox draws. Row
 * lengths run from 1 to past a whole block, so that each row is shared by 1 to 256 threads, and
 * rows are packed several to a block; row sums are in double on both sides, so the results agree
 * within a relative 1e-5.
 */
@RequiresCuda
@LeakCheck(tensors = false) // the backend's storages are not tensors: the pool's bytes are what counts
class CudaFusedKernelsTest {
    private static final double TOL = 1e-5;
    private final Backend cpu = CpuBackend.INSTANCE;
    private Backend gpu;

    @BeforeEach
    void setUp() {
        gpu = CudaBackends.get(0);
    }

    private static float[] randn(long n, long seed, double scale) {
        Random r = new Random(seed);
        float[] x = new float[Math.toIntExact(n)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (scale * r.nextGaussian());
        }
        return x;
    }

    /** {outer, len, inner}: one thread per row (strided or short rows) up to a whole block per row. */
    private static final long[][] ROWS = {
        {1, 1, 1}, {5, 7, 1}, {3, 9, 1}, {300, 17, 1}, {4, 100, 1}, {2, 2049, 1}, {1, 5000, 1},
        {3, 10, 4}, {2, 33, 65}, {600, 3, 1},
    };

    @Test
    void softmaxAndLogSoftmaxWithTheirGradientsMatchTheCpu() {
        for (long[] c : ROWS) {
            long n = c[0] * c[1] * c[2];
            float[] x = randn(n, n, 3);
            float[] g = randn(n, n + 1, 1);
            for (boolean log : new boolean[] {false, true}) {
                float[][] y = new float[2][];
                float[][] gx = new float[2][];
                Backend[] backends = {cpu, gpu};
                for (int b = 0; b < 2; b++) {
                    Backend be = backends[b];
                    Storage ys = be.allocate(ScalarType.F32, n);
                    be.softmax(log, be.fromHost(x), c[0], c[1], c[2], ys);
                    Storage gs = be.allocate(ScalarType.F32, n);
                    be.softmaxBackward(log, ys, be.fromHost(g), c[0], c[1], c[2], gs);
                    y[b] = toHost(be, ys);
                    gx[b] = toHost(be, gs);
                }
                String what = (log ? "log_softmax " : "softmax ") + Arrays.toString(c);
                assertClose(y[0], y[1], TOL, what);
                assertClose(gx[0], gx[1], TOL, what + " backward");
            }
        }
    }

    @Test
    void crossEntropyAndItsGradientMatchTheCpu() {
        long ignore = -100;
        long[][] cases = {{1, 1}, {6, 5}, {33, 10}, {4, 300}, {3, 3000}};
        for (long[] c : cases) {
            int n = (int) c[0];
            int classes = (int) c[1];
            float[] x = randn((long) n * classes, n * 31L + classes, 2);
            long[] target = new long[n];
            Random r = new Random(n);
            for (int i = 0; i < n; i++) {
                target[i] = i % 4 == 3 ? ignore : r.nextInt(classes);
            }
            float[] weight = randn(classes, 5, 1);
            for (int i = 0; i < classes; i++) {
                weight[i] = Math.abs(weight[i]) + 0.1f;
            }
            float[] gRows = randn(n, 6, 1);
            for (boolean weighted : new boolean[] {false, true}) {
                for (float smoothing : new float[] {0f, 0.1f}) {
                    for (boolean perRow : new boolean[] {false, true}) {
                        float[][] out = new float[2][];
                        Backend[] backends = {cpu, gpu};
                        for (int b = 0; b < 2; b++) {
                            Backend be = backends[b];
                            Storage xs = be.fromHost(x);
                            Storage ts = be.fromHost(target);
                            Storage ws = weighted ? be.fromHost(weight) : null;
                            Storage loss = be.allocate(ScalarType.F32, n);
                            Storage stats = be.allocate(ScalarType.F32, 4L * n);
                            be.crossEntropy(xs, ts, ws, n, classes, ignore, smoothing, loss, stats);
                            Storage gx = be.allocate(ScalarType.F32, (long) n * classes);
                            Storage g = be.fromHost(perRow ? gRows : new float[] {0.75f});
                            be.crossEntropyBackward(xs, ts, ws, stats, g, perRow, n, classes, ignore, smoothing, gx);
                            float[] l = toHost(be, loss);
                            float[] st = toHost(be, stats);
                            float[] gr = toHost(be, gx);
                            float[] all = Arrays.copyOf(l, l.length + st.length + gr.length);
                            System.arraycopy(st, 0, all, l.length, st.length);
                            System.arraycopy(gr, 0, all, l.length + st.length, gr.length);
                            out[b] = all;
                        }
                        String what = "cross_entropy " + Arrays.toString(c) + " weighted " + weighted
                                + " smoothing " + smoothing + " per row " + perRow;
                        assertClose(out[0], out[1], TOL, what);
                        for (int i = 3; i < n; i += 4) {
                            assertEquals(0f, out[1][i], what + ": ignored row " + i);
                        }
                    }
                }
            }
        }
    }

    @Test
    void layerNormAndItsGradientsMatchTheCpuWithAndWithoutAffineParameters() {
        long[][] cases = {{1, 1}, {7, 5}, {3, 64}, {300, 9}, {2, 3000}};
        for (long[] c : cases) {
            long rows = c[0];
            long len = c[1];
            float[] x = randn(rows * len, rows + len, 2);
            for (int i = 0; i < x.length; i++) {
                x[i] += 100f; // far from 0: the mean's float rounding and its correction both matter
            }
            float[] w = randn(len, 1, 1);
            float[] bias = randn(len, 2, 1);
            float[] g = randn(rows * len, 3, 1);
            // {weight, bias, gWeight, gBias} present or not
            boolean[][] variants = {{true, true, true, true}, {false, false, false, false}, {true, false, true, false},
                {true, true, false, true}, {true, true, true, false}};
            for (boolean[] v : variants) {
                float[][] out = new float[2][];
                Backend[] backends = {cpu, gpu};
                for (int b = 0; b < 2; b++) {
                    Backend be = backends[b];
                    Storage xs = be.fromHost(x);
                    Storage ws = v[0] ? be.fromHost(w) : null;
                    Storage bs = v[1] ? be.fromHost(bias) : null;
                    Storage ys = be.allocate(ScalarType.F32, rows * len);
                    Storage stats = be.allocate(ScalarType.F32, 3 * rows);
                    be.layerNorm(xs, ws, bs, rows, len, 1e-5f, ys, stats);
                    Storage gx = be.allocate(ScalarType.F32, rows * len);
                    Storage gw = be.fromHost(new float[(int) len]);
                    Storage gb = be.fromHost(new float[(int) len]);
                    be.fill(gw, -7f); // left alone when not asked for
                    be.fill(gb, -7f);
                    be.layerNormBackward(xs, ws, stats, be.fromHost(g), rows, len, gx, v[2] ? gw : null,
                            v[3] ? gb : null);
                    float[][] parts = {toHost(be, ys), toHost(be, stats), toHost(be, gx), toHost(be, gw), toHost(be, gb)};
                    float[] all = new float[0];
                    for (float[] p : parts) {
                        int at = all.length;
                        all = Arrays.copyOf(all, at + p.length);
                        System.arraycopy(p, 0, all, at, p.length);
                    }
                    out[b] = all;
                    if (!v[2]) {
                        assertTrue(Arrays.equals(parts[3], filled((int) len, -7f)), "gWeight untouched");
                    }
                    if (!v[3]) {
                        assertTrue(Arrays.equals(parts[4], filled((int) len, -7f)), "gBias untouched");
                    }
                }
                assertClose(out[0], out[1], TOL, "layer_norm " + Arrays.toString(c) + " " + Arrays.toString(v));
            }
        }
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }

    @Test
    void philoxDrawsAreTheCpusAtEveryLengthAndOffset() {
        for (int n : new int[] {1, 2, 3, 4, 5, 7, 1001, 4096}) {
            for (long offset : new long[] {0, 4, 1L << 40}) {
                for (RandomKind kind : RandomKind.values()) {
                    float[][] out = new float[2][];
                    Backend[] backends = {cpu, gpu};
                    for (int b = 0; b < 2; b++) {
                        Storage s = backends[b].allocate(ScalarType.F32, n);
                        backends[b].random(kind, 42, offset, s, -2f, 3f);
                        out[b] = toHost(backends[b], s);
                    }
                    String what = kind + " n=" + n + " offset " + offset;
                    if (kind == RandomKind.UNIFORM) {
                        assertArrayEquals(out[0], out[1], what);
                    } else {
                        assertClose(out[0], out[1], 1e-6, what); // the normal's last-ulp caveat
                    }
                }
                long[][] ints = new long[2][];
                Backend[] backends = {cpu, gpu};
                for (int b = 0; b < 2; b++) {
                    Storage s = backends[b].allocate(ScalarType.I64, n);
                    backends[b].randint(7, offset, s, -5, 1L << 35);
                    ints[b] = new long[n];
                    backends[b].toHost(s, ints[b]);
                }
                assertArrayEquals(ints[0], ints[1], "randint n=" + n + " offset " + offset);
            }
        }
        // Empty outputs launch nothing.
        gpu.random(RandomKind.NORMAL, 1, 0, gpu.allocate(ScalarType.F32, 0), 0f, 1f);
        gpu.randint(1, 0, gpu.allocate(ScalarType.I64, 0), 0, 3);
    }
}
