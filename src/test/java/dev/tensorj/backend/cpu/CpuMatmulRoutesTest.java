package dev.tensorj.backend.cpu;

import static dev.tensorj.backend.cpu.CpuMatmulTest.assertClose;
import static dev.tensorj.backend.cpu.CpuMatmulTest.checkAtOffsets;
import static dev.tensorj.backend.cpu.CpuMatmulTest.random;

import dev.tensorj.backend.cpu.CpuMatmul.Route;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each path of the pure-Java product forced onto shapes its size rule would send elsewhere, so
 * that the tile edges of every path are tested whichever routing thresholds the backend and
 * {@link CpuMatmul} choose: the plain loops on large shapes, the packed kernel on tiny and odd
 * ones, and the packed kernel's parallel split on products below its own threshold. Also the
 * shapes the backend actually sends to the Java kernel (fewer multiply-adds than its BLAS
 * threshold), and batches of products at strides in one array, as a batched matmul runs them.
 */
class CpuMatmulRoutesTest {
    /** Odd sizes: a lone row or column, a part tile, part of a 16-float vector, several blocks. */
    private static final int[] ODD = {1, 7, 33, 129, 300};

    static Stream<Arguments> forcedShapes() {
        List<int[]> mnk = new ArrayList<>();
        // Every pair of odd sizes for m and n, k running through them too.
        for (int i = 0; i < ODD.length; i++) {
            for (int j = 0; j < ODD.length; j++) {
                mnk.add(new int[] {ODD[i], ODD[j], ODD[(i + j) % ODD.length]});
            }
        }
        int kc = CpuMatmul.KC;
        int w = CpuMatmul.W;
        int mc = CpuMatmul.MC;
        // Either side of the packed kernel's block sizes, and strips split across several widths.
        mnk.add(new int[] {mc + 1, w + 1, kc + 1});
        mnk.add(new int[] {mc - 1, w - 1, kc - 1});
        mnk.add(new int[] {2 * mc + 3, 50, 2 * kc + 2});
        mnk.add(new int[] {3, 2 * w + 17, 7});
        // Too few rows to split them: the parallel route splits one strip's columns instead.
        mnk.add(new int[] {7, 2 * CpuMatmul.KERNEL_MIN_WIDTH + 88, 33});
        mnk.add(new int[] {w + 3, 5, 9});
        List<Arguments> out = new ArrayList<>();
        for (Route route : List.of(Route.PLAIN, Route.PACKED, Route.PACKED_PARALLEL)) {
            for (int[] s : mnk) {
                for (int t = 0; t < 4; t++) {
                    out.add(Arguments.of(route, s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}x{2}x{3} transA={4} transB={5}")
    @MethodSource("forcedShapes")
    void forcedRouteMatchesDoubleReference(Route route, int m, int n, int k, boolean transA, boolean transB) {
        var rnd = new SplittableRandom(31L * m + 7L * n + k + (transA ? 1 : 0) + (transB ? 2 : 0) + route.ordinal());
        float[] a = random(rnd, m * k);
        float[] b = random(rnd, k * n);
        float[] c = new float[m * n];
        Arrays.fill(c, Float.NaN); // every element must be written
        CpuMatmul.sgemm(a, 0, b, 0, c, 0, m, n, k, transA, transB, route);
        assertClose(a, b, c, m, n, k, transA, transB);
        checkAtOffsets((x, xo, y, yo, z, zo, mm, nn, kk, ta, tb) ->
                CpuMatmul.sgemm(x, xo, y, yo, z, zo, mm, nn, kk, ta, tb, route), a, b, m, n, k, transA, transB);
    }

    /**
     * Every shape the backend hands to the Java kernel when OpenBLAS is there: fewer multiply-adds
     * than {@link CpuBackend#JNI_BLAS_MIN_MACS} (the default, 300), through the size rule; the
     * 4×4 tiles' edges in m, n and k (a model's m = 1 and n = 1 backward products are all edge).
     */
    static Stream<Arguments> servedShapes() {
        int[] sizes = {1, 2, 3, 4, 5, 7, 8, 9, 17, 33, 65};
        List<Arguments> out = new ArrayList<>();
        for (int m : sizes) {
            for (int n : sizes) {
                for (int k : sizes) {
                    if ((long) m * n * k < 300) {
                        for (int t = 0; t < 4; t++) {
                            out.add(Arguments.of(m, n, k, (t & 1) != 0, (t & 2) != 0));
                        }
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}x{1}x{2} transA={3} transB={4}")
    @MethodSource("servedShapes")
    void servedShapesMatchDoubleReference(int m, int n, int k, boolean transA, boolean transB) {
        var rnd = new SplittableRandom(101L * m + 11L * n + k + (transA ? 1 : 0) + (transB ? 2 : 0));
        checkAtOffsets(CpuMatmul::sgemm, random(rnd, m * k), random(rnd, k * n), m, n, k, transA, transB);
    }

    /**
     * A product whose inputs hold ±Inf and NaN, then finite products on the same thread with
     * ragged k (not a multiple of the kernel's three rows) and narrow strips: the buffers the
     * thread reuses must carry nothing over (a stale Inf times a padding zero would be NaN).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("routes")
    void aProductAfterOneWithInfinitiesIsUnaffected(Route route) {
        var rnd = new SplittableRandom(99);
        int m = 70;
        int n = 90;
        int k = 2 * CpuMatmul.KC;
        float[] a = random(rnd, m * k);
        float[] b = random(rnd, k * n);
        for (int i = 0; i < b.length; i += 7) {
            b[i] = i % 3 == 0 ? Float.NaN : (i % 2 == 0 ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY);
        }
        for (int i = 0; i < a.length; i += 11) {
            a[i] = Float.POSITIVE_INFINITY;
        }
        CpuMatmul.sgemm(a, 0, b, 0, new float[m * n], 0, m, n, k, false, false, route);
        for (int[] s : new int[][] {{65, 80, 7}, {80, 65, 5}, {49, 61, 4}}) {
            float[] x = random(rnd, s[0] * s[2]);
            float[] y = random(rnd, s[2] * s[1]);
            float[] c = new float[s[0] * s[1]];
            CpuMatmul.sgemm(x, 0, y, 0, c, 0, s[0], s[1], s[2], false, false, route);
            assertClose(x, y, c, s[0], s[1], s[2], false, false);
        }
    }

    static Stream<Route> routes() {
        return Stream.of(Route.values());
    }

    static Stream<Arguments> batchedShapes() {
        List<Arguments> out = new ArrayList<>();
        int[][] mnk = {{7, 33, 129}, {129, 7, 33}, {65, 300, 7}, {300, 65, 129}};
        for (Route route : Route.values()) {
            for (int[] s : mnk) {
                for (int t = 0; t < 4; t++) {
                    out.add(Arguments.of(route, s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0));
                }
            }
        }
        return out.stream();
    }

    /**
     * A batch of products laid out one after another in three arrays, each computed at its
     * offsets, as the backend's batched matmul does: every product right, none disturbing its
     * neighbours, and a thread's reused workspace carrying nothing from one product to the next.
     */
    @ParameterizedTest(name = "{0} {1}x{2}x{3} transA={4} transB={5}")
    @MethodSource("batchedShapes")
    void batchOfProductsAtStridesMatchesDoubleReference(Route route, int m, int n, int k,
                                                        boolean transA, boolean transB) {
        int batch = 3;
        var rnd = new SplittableRandom(7L * m + 3L * n + k + (transA ? 1 : 0) + (transB ? 2 : 0));
        float[] a = random(rnd, batch * m * k);
        float[] b = random(rnd, batch * k * n);
        float[] c = new float[batch * m * n];
        Arrays.fill(c, Float.NaN);
        // The last product first: a later matrix's result must not depend on an earlier one's.
        for (int i = batch - 1; i >= 0; i--) {
            CpuMatmul.sgemm(a, i * m * k, b, i * k * n, c, i * m * n, m, n, k, transA, transB, route);
        }
        for (int i = 0; i < batch; i++) {
            assertClose(Arrays.copyOfRange(a, i * m * k, (i + 1) * m * k),
                    Arrays.copyOfRange(b, i * k * n, (i + 1) * k * n),
                    Arrays.copyOfRange(c, i * m * n, (i + 1) * m * n), m, n, k, transA, transB); // fails on NaN
        }
    }
}
