package dev.tensorj.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Functional;
import dev.tensorj.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Single-precision matrix products, tensorj's pure-Java kernel against OpenBLAS, in one run.
 * The class name matches none of Surefire's default patterns, so it runs only when asked:
 * {@code mvn -q -f benchmarks test -Dtest=SgemmBenchmark}. It prints a table and writes it to
 * {@code benchmarks/results/<date>-cpu-sgemm.md}.
 */
@Tag("benchmark")
class SgemmBenchmark {
    /** m, k, n of {@code [m,k]·[k,n]}. */
    private static final int[][] SHAPES = {
        {256, 256, 256}, {512, 512, 512}, {1024, 1024, 1024}, {2048, 2048, 2048},
        {256, 784, 1024}, {256, 1024, 1024}, {256, 1024, 10},
    };
    private static final long NAIVE_MAX_FLOP = 2L * 512 * 512 * 512;
    private static final int THREADS = 2;
    /** Each measurement repeats for about this long, at least {@link #MIN_REPS} times. */
    private static final double TARGET_SECONDS = 1.5;
    private static final int MIN_REPS = 11;

    private final List<Row> rows = new ArrayList<>();

    @Test
    void sgemm() throws Exception {
        openblas.blas_set_num_threads(THREADS);
        String core = Environment.openblasCore();
        warmUpTensorj();
        for (int[] s : SHAPES) {
            measureShape(s[0], s[1], s[2]);
        }
        String report = Report.markdown(rows, THREADS, openblas.blas_get_num_threads(), core);
        System.out.println(report);
        Path out = Path.of("results", LocalDate.now() + "-cpu-sgemm.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
        assertTrue(rows.stream().allMatch(r -> r.maxRelError < 1e-3), "a method computed a wrong product");
    }

    private void measureShape(int m, int k, int n) {
        var rnd = new SplittableRandom(42);
        float[] a = random(rnd, m * k);
        float[] b = random(rnd, k * n);
        double flop = 2.0 * m * n * k;
        String shape = m + "×" + k + " · " + k + "×" + n;
        float[] expected = null;
        if (flop <= NAIVE_MAX_FLOP) {
            float[] c = new float[m * n];
            rows.add(measure(shape, "naive triple loop (1 thread)", flop, () -> naive(a, b, c, m, n, k), c, null));
            expected = c;
        }

        Tensor ta = Tensor.of(a, m, k);
        Tensor tb = Tensor.of(b, k, n);
        float[][] last = new float[1][];
        Row tj = measure(shape, "tensorj Tensor.matmul (pure Java)", flop, () -> {
            try (Tensor c = ta.matmul(tb)) {
                last[0] = c.toFloatArray();
            }
        }, null, null);
        float[] ref = expected != null ? expected : reference(a, b, m, n, k);
        tj.maxRelError = relError(last[0], ref);
        rows.add(tj);

        try (var pa = new FloatPointer(a); var pb = new FloatPointer(b); var pc = new FloatPointer((long) m * n)) {
            float[] c = new float[m * n];
            rows.add(measure(shape, "OpenBLAS, native memory (FloatPointer)", flop,
                    () -> blas(pa, pb, pc, m, n, k), c, () -> pc.get(c)).check(ref));

            float[] c2 = new float[m * n];
            rows.add(measure(shape, "OpenBLAS, float[] arguments (JavaCPP copies)", flop,
                    () -> openblas.cblas_sgemm(openblas.CblasRowMajor, openblas.CblasNoTrans, openblas.CblasNoTrans,
                            m, n, k, 1f, a, k, b, n, 0f, c2, n), c2, null).check(ref));

            float[] c3 = new float[m * n];
            rows.add(measure(shape, "OpenBLAS, float[] copied to reused native buffers and back", flop, () -> {
                pa.put(a, 0, a.length);
                pb.put(b, 0, b.length);
                blas(pa, pb, pc, m, n, k);
                pc.get(c3, 0, c3.length);
            }, c3, null).check(ref));
        }
        ta.close();
        tb.close();
    }

    /** Runs {@code body} until about {@link #TARGET_SECONDS} have passed, after a few untimed runs. */
    private static Row measure(String shape, String method, double flop, Runnable body, float[] out, Runnable fetch) {
        Timing.pause(300);
        Timing.Samples t = Timing.calls(body, TARGET_SECONDS, MIN_REPS);
        if (fetch != null) {
            fetch.run();
        }
        return new Row(shape, method, flop, t.ms, out);
    }

    private static void blas(FloatPointer a, FloatPointer b, FloatPointer c, int m, int n, int k) {
        openblas.cblas_sgemm(openblas.CblasRowMajor, openblas.CblasNoTrans, openblas.CblasNoTrans,
                m, n, k, 1f, a, k, b, n, 0f, c, n);
    }

    /**
     * C2 compiles the kernel once per code shape; warming on one size only gets an OSR compile
     * that is thrown away later, so warm on small odd products and every transpose too.
     */
    private static void warmUpTensorj() {
        var rnd = new SplittableRandom(1);
        int[][] shapes = {{17, 33, 65}, {32, 10, 1}, {300, 129, 257}, {129, 300, 1030}, {513, 257, 100}, {64, 700, 96}};
        for (int rep = 0; rep < 20; rep++) {
            for (int[] s : shapes) {
                Tensor x = Tensor.of(random(rnd, s[0] * s[1]), s[0], s[1]).requiresGrad(true);
                Tensor y = Tensor.of(random(rnd, s[1] * s[2]), s[1], s[2]);
                Tensor w = Tensor.of(random(rnd, s[2] * s[1]), s[2], s[1]).requiresGrad(true);
                x.matmul(y).close();
                // x·wᵀ and its backward pass run the other transpose combinations.
                Functional.linear(x, w, null).sum().backward();
            }
        }
        for (int[] s : SHAPES) {
            Tensor x = Tensor.of(random(rnd, s[0] * s[1]), s[0], s[1]);
            Tensor y = Tensor.of(random(rnd, s[1] * s[2]), s[1], s[2]);
            for (int rep = 0; rep < 3; rep++) {
                x.matmul(y).close();
            }
        }
    }

    static void naive(float[] a, float[] b, float[] c, int m, int n, int k) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) {
                    s += a[i * k + p] * b[p * n + j];
                }
                c[i * n + j] = s;
            }
        }
    }

    /** Double-precision reference of a few rows is enough to catch a wrong result. */
    private static float[] reference(float[] a, float[] b, int m, int n, int k) {
        float[] c = new float[m * n];
        for (int i = 0; i < m; i += Math.max(1, m / 16)) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += (double) a[i * k + p] * b[p * n + j];
                }
                c[i * n + j] = (float) s;
            }
        }
        return c;
    }

    static double relError(float[] got, float[] ref) {
        double worst = 0;
        double scale = 0;
        for (float r : ref) {
            scale = Math.max(scale, Math.abs(r));
        }
        for (int i = 0; i < ref.length; i++) {
            if (ref[i] != 0f) { // rows the reference skipped are zero
                worst = Math.max(worst, Math.abs(got[i] - ref[i]) / scale);
            }
        }
        return worst;
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return x;
    }

    /** One measured method on one shape. */
    static final class Row {
        final String shape;
        final String method;
        final double flop;
        final double[] ms;
        final float[] out;
        double maxRelError;

        Row(String shape, String method, double flop, double[] ms, float[] out) {
            this.shape = shape;
            this.method = method;
            this.flop = flop;
            this.ms = ms.clone();
            java.util.Arrays.sort(this.ms);
            this.out = out;
        }

        Row check(float[] ref) {
            maxRelError = relError(out, ref);
            return this;
        }

        double median() {
            int n = ms.length;
            return n % 2 == 1 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
        }

        double gflops(double millis) {
            return flop / millis / 1e6;
        }

        String line() {
            return String.format(Locale.ROOT, "| %s | %s | %d | %.3f | %.3f | %.3f | **%.1f** | %.1f | %.1f |",
                    shape, method, ms.length, median(), ms[0], ms[ms.length - 1],
                    gflops(median()), gflops(ms[ms.length - 1]), gflops(ms[0]));
        }
    }
}
