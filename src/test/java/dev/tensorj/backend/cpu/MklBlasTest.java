package dev.tensorj.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tensorj.backend.Storage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * MKL's {@code cblas_sgemm}, called on the tensors' arrays as OpenBLAS's is, gives OpenBLAS's
 * products within float rounding. Needs {@code org.bytedeco:mkl} on the test class path, which only
 * the {@code mkl} profile adds ({@code mvn -o test -Pmkl -Dtest='BlasProviderTest,MklBlasTest'}; it
 * also sets {@code -Dtensorj.cpu.blas=mkl}, so that the backend itself runs on MKL on any CPU);
 * without it every test here is skipped, saying so.
 */
class MklBlasTest {
    /** Error allowed between the two libraries, relative to {@code Σ|a||b|} of each element. */
    private static final double TOLERANCE = 1e-5;
    private static long mkl;
    private static long openBlas;

    @BeforeAll
    static void linkBoth() throws ReflectiveOperationException {
        assumeTrue(BlasProvider.mklOnClassPath(),
                "org.bytedeco:mkl is not on the test class path: run with -Pmkl (downloads about 183 MB once)");
        assumeTrue(JniBlas.AVAILABLE, () -> "no BLAS on the arrays here: " + JniBlas.unavailableReason());
        Loader.load(Class.forName(BlasProvider.MKL_CLASS));
        mkl = JniBlas.link(BlasProvider.loadedFile("mkl_rt"));
        openBlas = JniBlas.link(BlasProvider.loadedFile("openblas"));
    }

    /** Two libraries, not one linked twice: otherwise every comparison below would be vacuous. */
    @Test
    void linksTwoDifferentFunctions() {
        assertNotEquals(0, mkl);
        assertNotEquals(0, openBlas);
        assertNotEquals(mkl, openBlas);
        assertTrue(BlasProvider.loadedFile("mkl_rt").contains("mkl_rt"), BlasProvider.loadedFile("mkl_rt"));
    }

    /** Under the mkl profile (-Dtensorj.cpu.blas=mkl) the backend's own products run on MKL, on any CPU. */
    @Test
    void theBackendRunsOnMklWhenAskedTo() {
        assumeTrue("mkl".equals(System.getProperty(BlasProvider.PROPERTY)),
                "-Dtensorj.cpu.blas=mkl is not set (the mkl profile sets it)");
        assertEquals(BlasProvider.Kind.MKL, JniBlas.library().kind(), JniBlas::describe);
        assertTrue(JniBlas.describe().startsWith("MKL 2025"), JniBlas::describe);
    }

    static Stream<Arguments> shapes() {
        int[][] mnk = {
            {67, 129, 97}, {256, 10, 1024}, {10, 1024, 256}, {300, 257, 129}, {1, 700, 513}, {513, 1, 700},
            {7, 9, 11}, {256, 1024, 784}, {129, 130, 1},
        };
        List<Arguments> out = new ArrayList<>();
        for (int[] s : mnk) {
            for (int t = 0; t < 4; t++) {
                out.add(Arguments.of(s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}x{1}x{2} transA={3} transB={4}")
    @MethodSource("shapes")
    void mklMatchesOpenBlasAndTheDoubleReference(int m, int n, int k, boolean transA, boolean transB) {
        var rnd = new SplittableRandom(41L * m + 11L * n + k + (transA ? 1 : 0) + (transB ? 2 : 0));
        float[] a = CpuMatmulTest.random(rnd, m * k);
        float[] b = CpuMatmulTest.random(rnd, k * n);
        float[] viaMkl = product(mkl, a, b, m, n, k, transA, transB);
        float[] viaOpenBlas = product(openBlas, a, b, m, n, k, transA, transB);
        assertSame(a, b, viaMkl, viaOpenBlas, m, n, k, transA, transB);
        CpuMatmulTest.assertClose(a, b, viaMkl, m, n, k, transA, transB);
        // At offsets in larger arrays, nothing written outside the product.
        CpuMatmulTest.checkAtOffsets((x, xo, y, yo, z, zo, mm, nn, kk, ta, tb) ->
                JniBlas.sgemm(mkl, x, xo, y, yo, z, zo, mm, nn, kk, ta, tb), a, b, m, n, k, transA, transB);
    }

    /**
     * The backend's batched product (one sgemm per matrix, at offsets), on whatever library this JVM
     * chose, against OpenBLAS matrix by matrix; an operand of stride 0 is one matrix for the batch.
     */
    @ParameterizedTest(name = "transA={0} transB={1}")
    @MethodSource("transposes")
    void batchedProductMatchesOpenBlas(boolean transA, boolean transB) {
        int batch = 5;
        int m = 33;
        int n = 70;
        int k = 129;
        for (boolean shareB : new boolean[] {false, true}) {
            var rnd = new SplittableRandom((transA ? 3 : 4) + (transB ? 10 : 0) + (shareB ? 100 : 0));
            long strideA = (long) m * k;
            long strideB = shareB ? 0 : (long) k * n;
            float[] a = CpuMatmulTest.random(rnd, batch * m * k);
            float[] b = CpuMatmulTest.random(rnd, shareB ? k * n : batch * k * n);
            float[] c = new float[batch * m * n];
            Arrays.fill(c, Float.NaN);
            CpuBackend be = CpuBackend.INSTANCE;
            Storage sc = be.allocate(dev.tensorj.backend.ScalarType.F32, c.length);
            be.matmulBatched(be.fromHost(a), be.fromHost(b), sc, batch, m, n, k, transA, transB,
                    strideA, strideB, (long) m * n);
            float[] got = CpuBackend.data(sc);
            for (int i = 0; i < batch; i++) {
                float[] ai = Arrays.copyOfRange(a, (int) (i * strideA), (int) (i * strideA) + m * k);
                float[] bi = Arrays.copyOfRange(b, (int) (i * strideB), (int) (i * strideB) + k * n);
                float[] expected = product(openBlas, ai, bi, m, n, k, transA, transB);
                float[] gi = Arrays.copyOfRange(got, i * m * n, (i + 1) * m * n);
                assertSame(ai, bi, gi, expected, m, n, k, transA, transB);
            }
        }
    }

    static Stream<Arguments> transposes() {
        return Stream.of(Arguments.of(false, false), Arguments.of(true, false), Arguments.of(false, true),
                Arguments.of(true, true));
    }

    /** The comparison fails on a product one library got wrong (a checker that can fail). */
    @Test
    void comparisonCatchesADifference() {
        var rnd = new SplittableRandom(9);
        float[] a = CpuMatmulTest.random(rnd, 40 * 30);
        float[] b = CpuMatmulTest.random(rnd, 30 * 20);
        float[] x = product(mkl, a, b, 40, 20, 30, false, false);
        float[] y = product(openBlas, a, b, 40, 20, 30, false, false);
        y[123] += 1e-3f;
        try {
            assertSame(a, b, x, y, 40, 20, 30, false, false);
        } catch (AssertionError expected) {
            return;
        }
        fail("a difference of 1e-3 went unnoticed");
    }

    private static float[] product(long fn, float[] a, float[] b, int m, int n, int k, boolean transA, boolean transB) {
        float[] c = new float[m * n];
        Arrays.fill(c, Float.NaN); // must be fully overwritten
        JniBlas.sgemm(fn, a, 0, b, 0, c, 0, m, n, k, transA, transB);
        return c;
    }

    /** {@code x} and {@code y} agree within {@link #TOLERANCE}{@code ·Σ|a||b|} in every element. */
    private static void assertSame(float[] a, float[] b, float[] x, float[] y, int m, int n, int k,
                                   boolean transA, boolean transB) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double abs = 0;
                for (int p = 0; p < k; p++) {
                    double av = transA ? a[p * m + i] : a[i * k + p];
                    abs += Math.abs(av * (transB ? b[j * k + p] : b[p * n + j]));
                }
                double err = Math.abs((double) x[i * n + j] - y[i * n + j]);
                if (!(err <= TOLERANCE * abs)) { // also fails on NaN
                    fail(String.format("c[%d][%d]: MKL %s, OpenBLAS %s (|difference| %.3g > %.0e · Σ|a||b| %.3g)",
                            i, j, x[i * n + j], y[i * n + j], err, TOLERANCE, abs));
                }
            }
        }
    }
}
