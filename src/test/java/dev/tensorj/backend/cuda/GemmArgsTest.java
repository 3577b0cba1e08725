package dev.tensorj.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tensorj.backend.Backend;
import dev.tensorj.backend.ScalarType;
import dev.tensorj.backend.cpu.CpuBackend;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The row-major to column-major mapping of matmul: a column-major reference SGEMM (the BLAS
 * definition, as cuBLAS computes it) fed with {@link GemmArgs} must give the CPU backend's
 * row-major product for every transpose combination.
 */
class GemmArgsTest {

    /** BLAS sgemm, column-major, alpha = 1, beta = 0. */
    static void sgemm(boolean ta, boolean tb, int m, int n, int k, float[] a, int lda, float[] b, int ldb,
                      float[] c, int ldc) {
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                float s = 0f;
                for (int p = 0; p < k; p++) {
                    float av = ta ? a[p + i * lda] : a[i + p * lda];
                    float bv = tb ? b[j + p * ldb] : b[p + j * ldb];
                    s += av * bv;
                }
                c[i + j * ldc] = s;
            }
        }
    }

    @Test
    void swappedOperandsGiveTheRowMajorProduct() {
        Backend cpu = CpuBackend.INSTANCE;
        Random r = new Random(5);
        for (int trial = 0; trial < 400; trial++) {
            int m = 1 + r.nextInt(9);
            int n = 1 + r.nextInt(9);
            int k = 1 + r.nextInt(9);
            boolean ta = r.nextBoolean();
            boolean tb = r.nextBoolean();
            float[] a = new float[m * k];
            float[] b = new float[k * n];
            for (int i = 0; i < a.length; i++) a[i] = r.nextInt(7) - 3; // small integers: exact sums
            for (int i = 0; i < b.length; i++) b[i] = r.nextInt(7) - 3;
            float[] expected = new float[m * n];
            var c = cpu.allocate(ScalarType.F32, m * n);
            cpu.matmul(cpu.fromHost(a), cpu.fromHost(b), c, m, n, k, ta, tb);
            cpu.toHost(c, expected);

            GemmArgs g = GemmArgs.rowMajor(m, n, k, ta, tb);
            float[] actual = new float[m * n];
            sgemm(g.transFirst(), g.transSecond(), g.rows(), g.cols(), g.k(), b, g.ldFirst(), a, g.ldSecond(),
                    actual, g.ldc());
            assertArrayEquals(expected, actual, 0f, "m=" + m + " n=" + n + " k=" + k + " ta=" + ta + " tb=" + tb);
        }
    }
}
