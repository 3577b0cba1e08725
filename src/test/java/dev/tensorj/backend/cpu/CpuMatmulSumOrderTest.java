package dev.tensorj.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tensorj.backend.ScalarType;
import dev.tensorj.backend.Storage;
import dev.tensorj.backend.cpu.CpuMatmul.Route;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Which bits a product gives. Every pure-Java path adds an output's k products in order, one fma
 * after another, except the plain loops' 4×4 tiles' edges, which keep four partial sums; so the
 * packed kernel, its split across threads (over rows or over columns, never over k) and the plain
 * loops agree bit for bit away from those edges (and the edges' four chains are checked too). Where the paths do differ, the path is fixed by
 * the product's shape alone, by the documented size rules ({@link CpuMatmul#PACKED_MIN_MACS},
 * {@link CpuMatmul#PACKED_MIN_WIDTH}, {@link CpuBackend#JNI_BLAS_MIN_MACS}): a product's bits are
 * reproducible from its shape, and each side of each threshold gives the bits of the path named.
 */
class CpuMatmulSumOrderTest {

    private static float[] product(Route route, float[] a, float[] b, int m, int n, int k, boolean transA,
            boolean transB) {
        float[] c = new float[m * n];
        Arrays.fill(c, Float.NaN);
        CpuMatmul.sgemm(a, 0, b, 0, c, 0, m, n, k, transA, transB, route);
        return c;
    }

    /** Whether output (i, j) lies on an edge of the plain loops' 4×4 tiles (they tile only below 64 columns). */
    private static boolean tileEdge(int i, int j, int m, int n) {
        return n < 64 && (i >= m / 4 * 4 || j >= n / 4 * 4);
    }

    @Test
    void everyJavaPathGivesTheSameBitsAwayFromTheTileEdges() {
        var rnd = new SplittableRandom(91);
        // Row loops (n >= 64), tiles with edges, and several k blocks of the packed kernel; m > n
        // runs the packed kernel on the transposed product.
        // {8, 12, 9}: whole tiles only; {150, 100, 300}: the transposed product over several row
        // blocks and two k blocks (each block's partial sums reloaded from C).
        int[][] shapes = {{5, 64, 9}, {3, 70, 300}, {7, 30, 13}, {9, 6, 260}, {66, 33, 17}, {130, 20, 5},
            {8, 12, 9}, {150, 100, 300}};
        for (int[] s : shapes) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            for (int t = 0; t < 4; t++) {
                boolean transA = (t & 1) != 0;
                boolean transB = (t & 2) != 0;
                float[] a = KernelData.uniform(rnd, m * k, -1, 1);
                float[] b = KernelData.uniform(rnd, k * n, -1, 1);
                float[] packed = product(Route.PACKED, a, b, m, n, k, transA, transB);
                float[] parallel = product(Route.PACKED_PARALLEL, a, b, m, n, k, transA, transB);
                float[] plain = product(Route.PLAIN, a, b, m, n, k, transA, transB);
                String what = m + "x" + n + "x" + k + " transA=" + transA + " transB=" + transB;
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        int at = i * n + j;
                        assertEquals(Float.floatToIntBits(packed[at]), Float.floatToIntBits(parallel[at]),
                                "packed vs its split at [" + i + ", " + j + "] of " + what);
                        if (!tileEdge(i, j, m, n)) {
                            assertEquals(Float.floatToIntBits(packed[at]), Float.floatToIntBits(plain[at]),
                                    "packed vs plain at [" + i + ", " + j + "] of " + what);
                        } else {
                            assertEquals(Float.floatToIntBits(edgeSum(a, b, i, j, m, n, k, transA, transB)),
                                    Float.floatToIntBits(plain[at]), "a tile edge at [" + i + ", " + j + "] of " + what);
                        }
                    }
                }
            }
        }
    }

    /** A tile edge's element: four fma chains over p ≡ 0, 1, 2, 3 (mod 4) of the whole groups of four, the rest on the first, then (s0 + s1) + (s2 + s3). */
    private static float edgeSum(float[] a, float[] b, int i, int j, int m, int n, int k, boolean transA,
            boolean transB) {
        float[] s = new float[4];
        int whole = k / 4 * 4;
        for (int p = 0; p < k; p++) {
            float x = transA ? a[p * m + i] : a[i * k + p];
            float y = transB ? b[j * k + p] : b[p * n + j];
            int chain = p < whole ? p % 4 : 0;
            s[chain] = Math.fma(x, y, s[chain]);
        }
        return (s[0] + s[1]) + (s[2] + s[3]);
    }

    /** {@code expected}'s route on each side of a threshold, where the two routes' bits differ. */
    private static void assertRoute(Route expected, int m, int n, int k, long seed) {
        var rnd = new SplittableRandom(seed);
        float[] a = KernelData.uniform(rnd, m * k, -1, 1);
        float[] b = KernelData.uniform(rnd, k * n, -1, 1);
        float[] plain = product(Route.PLAIN, a, b, m, n, k, false, false);
        float[] packed = product(Route.PACKED, a, b, m, n, k, false, false);
        assertFalse(Arrays.equals(plain, packed), "the routes differ on " + m + "x" + n + "x" + k);
        float[] bySize = product(Route.BY_SIZE, a, b, m, n, k, false, false);
        assertEquals(Arrays.toString(expected == Route.PLAIN ? plain : packed), Arrays.toString(bySize),
                m + "x" + n + "x" + k + " takes the " + expected + " route");
    }

    @Test
    void theSizeRuleNamesThePathOnEachSideOfItsThresholds() {
        // 2^16 multiply-adds: packed from PACKED_MIN_MACS on (n = 2: the plain loops are all edge).
        assertRoute(Route.PACKED, 2048, 2, 16, 1);
        assertRoute(Route.PLAIN, 2047, 2, 16, 2);
        // Enough multiply-adds, but the longer side must reach PACKED_MIN_WIDTH (48).
        assertRoute(Route.PACKED, 48, 47, 30, 3);
        assertRoute(Route.PLAIN, 47, 47, 30, 4);
    }

    /** The backend's own rule: BLAS on the arrays from {@link CpuBackend#JNI_BLAS_MIN_MACS} (300) on. */
    @Test
    void theBackendHandsProductsToBlasFromItsThreshold() {
        assumeTrue(JniBlas.AVAILABLE, JniBlas::unavailableReason);
        assumeTrue(CpuBackend.JNI_BLAS_MIN_MACS == 300, "the threshold is set to another value");
        // 1x13x23 = 299 multiply-adds stays in Java; 1x12x25 = 300 and 1x7x43 = 301 go to BLAS.
        checkBackend(1, 13, 23, false);
        checkBackend(1, 12, 25, true);
        checkBackend(1, 7, 43, true);
        checkBackend(23, 1, 13, false);
        checkBackend(25, 1, 12, true);
    }

    private static void checkBackend(int m, int n, int k, boolean blas) {
        var rnd = new SplittableRandom(31L * m + n + k);
        // Terms of widely different sizes, so that the order of the additions shows in the bits.
        float[] a = new float[m * k];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) ((rnd.nextDouble() - 0.5) * Math.pow(2, rnd.nextInt(24)));
        }
        float[] b = KernelData.uniform(rnd, k * n, -1, 1);
        float[] java = product(Route.BY_SIZE, a, b, m, n, k, false, false);
        float[] native_ = new float[m * n];
        JniBlas.sgemm(a, 0, b, 0, native_, 0, m, n, k, false, false);
        assertFalse(Arrays.equals(java, native_), "BLAS and the Java kernel differ on " + m + "x" + n + "x" + k);
        CpuBackend cpu = CpuBackend.INSTANCE;
        Storage c = cpu.allocate(ScalarType.F32, (long) m * n);
        cpu.matmul(cpu.fromHost(a), cpu.fromHost(b), c, m, n, k, false, false);
        float[] out = new float[m * n];
        cpu.toHost(c, out);
        assertEquals(Arrays.toString(blas ? native_ : java), Arrays.toString(out),
                m + "x" + n + "x" + k + (blas ? " goes to BLAS" : " stays in Java"));
    }
}
