package dev.tensorj.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link CpuMatmul#sgemm} against a double-precision reference, for every transpose combination. */
class CpuMatmulTest {
    /** Error allowed relative to {@code Σ|a||b|} of each element: float rounding over k terms. */
    private static final double TOLERANCE = 1e-5;

    static Stream<Arguments> shapes() {
        int kc = CpuMatmul.KC;
        int w = CpuMatmul.W;
        int mc = CpuMatmul.MC;
        int[][] mnk = {
            {1, 1, 1}, {0, 5, 3}, {5, 0, 3}, {4, 6, 0}, {0, 0, 0}, {1, 7, 1}, {7, 1, 1}, {32, 1, 10},
            {17, 33, 65}, {33, 17, 65}, {3, 2, 1000},
            // Either side of the plain loop / packed kernel switch.
            {47, 47, 29}, {48, 48, 48}, {50, 49, 31},
            // The packed path: odd sizes, and sizes on either side of every block boundary.
            {65, 130, 31}, {130, 65, 31}, {mc + 1, w + 1, kc + 1}, {mc - 1, w - 1, kc - 1},
            {2 * mc + 3, 2 * w + 17, 2 * kc + 2}, {1, w + 3, 2 * kc}, {2, 3 * w - 5, 7}, {w + 5, 2, 300},
            {300, 257, 129}, {257, 300, 129}, {129, 1030, 64},
            // Strips narrower than the kernel's minimum width, with more than one k block.
            {2, 200, 2 * kc + 5}, {200, 3, kc + 1}, {130, 130, kc + 2},
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
    void matchesDoubleReference(int m, int n, int k, boolean transA, boolean transB) {
        var rnd = new SplittableRandom(31L * m + 7L * n + k + (transA ? 1 : 0) + (transB ? 2 : 0));
        float[] a = random(rnd, m * k);
        float[] b = random(rnd, k * n);
        float[] c = new float[m * n];
        Arrays.fill(c, Float.NaN); // must be fully overwritten, also when k == 0
        CpuMatmul.sgemm(a, 0, b, 0, c, 0, m, n, k, transA, transB);
        assertClose(a, b, c, m, n, k, transA, transB);
    }

    /** Products large enough for OpenBLAS in the backend: odd sizes, every transpose combination. */
    static Stream<Arguments> openBlasShapes() {
        int[][] mnk = {{67, 129, 97}, {256, 10, 1024}, {10, 1024, 256}, {300, 257, 129}, {1, 700, 513}};
        List<Arguments> out = new ArrayList<>();
        for (int[] s : mnk) {
            for (int t = 0; t < 4; t++) {
                out.add(Arguments.of(s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0));
            }
        }
        return out.stream();
    }

    /** A matrix product with {@link CpuMatmul#sgemm}'s contract. */
    interface Sgemm {
        void run(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int n, int k,
                 boolean transA, boolean transB);
    }

    @ParameterizedTest(name = "{0}x{1}x{2} transA={3} transB={4}")
    @MethodSource("openBlasShapes")
    void openBlasThroughNativeCopiesMatchesDoubleReference(int m, int n, int k, boolean transA, boolean transB) {
        assumeTrue(OpenBlas.AVAILABLE,
                "OpenBLAS natives did not load on this platform (see the log); the Java kernel is tested above");
        checkAgainstReference(OpenBlas::sgemmCopying, m, n, k, transA, transB);
    }

    @ParameterizedTest(name = "{0}x{1}x{2} transA={3} transB={4}")
    @MethodSource("openBlasShapes")
    void openBlasOnJavaArraysMatchesDoubleReference(int m, int n, int k, boolean transA, boolean transB) {
        assumeJniBlas();
        checkAgainstReference(JniBlas::sgemm, m, n, k, transA, transB);
    }

    /** The build makes the JNI glue on linux-x86_64: there, its absence is a broken build, not a skip. */
    @Test
    void jniGlueLoadsWhereTheBuildMakesIt() {
        assumeTrue(OpenBlas.AVAILABLE, "OpenBLAS natives did not load here");
        assumeTrue(
                System.getProperty("os.name").startsWith("Linux") && System.getProperty("os.arch").equals("amd64"),
                "the JNI glue is built for linux-x86_64 only");
        assumeFalse("false".equals(System.getProperty("tensorj.cpu.jniBlas")),
                "turned off with -Dtensorj.cpu.jniBlas=false");
        assertTrue(JniBlas.AVAILABLE, JniBlas::unavailableReason);
    }

    /** {@code x·xᵀ}: one array as both operands, held twice in the critical region. */
    @Test
    void jniBlasTakesTheSameArrayAsBothOperands() {
        assumeJniBlas();
        var rnd = new SplittableRandom(5);
        int m = 37;
        int k = 53;
        float[] x = random(rnd, m * k);
        float[] c = new float[m * m];
        Arrays.fill(c, Float.NaN);
        JniBlas.sgemm(x, 0, x, 0, c, 0, m, m, k, false, true);
        assertClose(x, x, c, m, m, k, false, true);
    }

    /** The native side trusts the sizes, so the Java side refuses arrays too small for them. */
    @Test
    void jniBlasRefusesArraysTooSmallForTheProduct() {
        assumeJniBlas();
        float[] a = new float[6];
        float[] b = new float[6];
        float[] c = new float[4];
        assertThrows(IllegalArgumentException.class, () -> JniBlas.sgemm(a, 0, b, 0, c, 0, 2, 2, 4, false, false));
        assertThrows(IllegalArgumentException.class, () -> JniBlas.sgemm(a, 0, b, 0, c, 0, 3, 2, 2, false, false));
        assertThrows(IllegalArgumentException.class, () -> JniBlas.sgemm(a, 0, b, 0, c, 0, -1, 2, 2, false, false));
        // Offsets count: a matrix that fits only from index 0, or a negative offset.
        assertThrows(IllegalArgumentException.class, () -> JniBlas.sgemm(a, 1, b, 0, c, 0, 2, 2, 3, false, false));
        assertThrows(IllegalArgumentException.class, () -> JniBlas.sgemm(a, 0, b, 1, c, 0, 2, 2, 3, false, false));
        assertThrows(IllegalArgumentException.class, () -> JniBlas.sgemm(a, 0, b, 0, c, 1, 2, 2, 3, false, false));
        assertThrows(IllegalArgumentException.class, () -> JniBlas.sgemm(a, -1, b, 0, c, 0, 1, 1, 1, false, false));
        JniBlas.sgemm(a, 0, b, 0, c, 0, 2, 2, 3, false, false); // exactly fits
    }

    private static void assumeJniBlas() {
        assumeTrue(JniBlas.AVAILABLE,
                () -> "OpenBLAS on Java arrays is off: " + JniBlas.unavailableReason());
    }

    private static void checkAgainstReference(Sgemm sgemm, int m, int n, int k, boolean transA, boolean transB) {
        var rnd = new SplittableRandom(17L * m + 5L * n + k + (transA ? 1 : 0) + (transB ? 2 : 0));
        float[] a = random(rnd, m * k);
        float[] b = random(rnd, k * n);
        float[] c = new float[m * n];
        Arrays.fill(c, Float.NaN);
        sgemm.run(a, 0, b, 0, c, 0, m, n, k, transA, transB);
        assertClose(a, b, c, m, n, k, transA, transB);
        checkAtOffsets(sgemm, a, b, m, n, k, transA, transB);
        // A smaller product after a larger one (the copying path reuses its grown buffers).
        float[] a2 = Arrays.copyOf(a, (m / 2) * k);
        float[] c2 = new float[(m / 2) * n];
        Arrays.fill(c2, Float.NaN);
        sgemm.run(a2, 0, b, 0, c2, 0, m / 2, n, k, false, transB);
        assertClose(a2, b, c2, m / 2, n, k, false, transB);
    }

    /** Every path of the CPU product at nonzero offsets (a batched product's later matrices). */
    @ParameterizedTest(name = "{0}x{1}x{2} transA={3} transB={4}")
    @MethodSource("shapes")
    void javaKernelAtOffsetsMatchesDoubleReference(int m, int n, int k, boolean transA, boolean transB) {
        var rnd = new SplittableRandom(13L * m + 3L * n + k + (transA ? 1 : 0) + (transB ? 2 : 0));
        checkAtOffsets(CpuMatmul::sgemm, random(rnd, m * k), random(rnd, k * n), m, n, k, transA, transB);
    }

    /**
     * The product of {@code a} and {@code b} placed at odd offsets in larger arrays, into the middle
     * of a NaN-filled array: the same values, and nothing written outside the product.
     */
    static void checkAtOffsets(Sgemm sgemm, float[] a, float[] b, int m, int n, int k,
                                       boolean transA, boolean transB) {
        int aOff = 3;
        int bOff = 5;
        int cOff = 7;
        float[] aBig = new float[aOff + a.length + 2];
        float[] bBig = new float[bOff + b.length + 2];
        System.arraycopy(a, 0, aBig, aOff, a.length);
        System.arraycopy(b, 0, bBig, bOff, b.length);
        Arrays.fill(aBig, 0, aOff, Float.NaN); // read by mistake, these would show in c
        Arrays.fill(bBig, 0, bOff, Float.NaN);
        float[] cBig = new float[cOff + m * n + 4];
        Arrays.fill(cBig, Float.NaN);
        sgemm.run(aBig, aOff, bBig, bOff, cBig, cOff, m, n, k, transA, transB);
        assertClose(a, b, Arrays.copyOfRange(cBig, cOff, cOff + m * n), m, n, k, transA, transB);
        for (int i = 0; i < cBig.length; i++) {
            if (i < cOff || i >= cOff + m * n) {
                assertTrue(Float.isNaN(cBig[i]), "c[" + i + "] outside the product was written");
            }
        }
    }

    @Test
    void leavesElementsBeyondTheProductAlone() {
        float[] c = new float[7];
        Arrays.fill(c, 5f);
        CpuMatmul.sgemm(new float[] {2f}, 0, new float[] {3f, 4f}, 0, c, 0, 1, 2, 1, false, false);
        assertEquals(6f, c[0]);
        assertEquals(8f, c[1]);
        assertEquals(5f, c[2]);
    }

    @Test
    void referenceCheckCatchesAWrongProduct() {
        var rnd = new SplittableRandom(1);
        float[] a = random(rnd, 17 * 9);
        float[] b = random(rnd, 9 * 13);
        float[] c = new float[17 * 13];
        CpuMatmul.sgemm(a, 0, b, 0, c, 0, 17, 13, 9, false, false);
        c[40] += 1e-3f;
        assertThrows(AssertionError.class, () -> assertClose(a, b, c, 17, 13, 9, false, false));
    }

    static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return x;
    }

    static void assertClose(float[] a, float[] b, float[] c, int m, int n, int k,
                                    boolean transA, boolean transB) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                double abs = 0;
                for (int p = 0; p < k; p++) {
                    double x = transA ? a[p * m + i] : a[i * k + p];
                    double y = transB ? b[j * k + p] : b[p * n + j];
                    sum += x * y;
                    abs += Math.abs(x * y);
                }
                double err = Math.abs(c[i * n + j] - sum);
                if (!(err <= TOLERANCE * abs)) { // also fails on NaN
                    fail(String.format("c[%d][%d] = %s, expected %s (|error| %.3g > %.0e · Σ|a||b| %.3g)",
                            i, j, c[i * n + j], sum, err, TOLERANCE, abs));
                }
            }
        }
    }
}
