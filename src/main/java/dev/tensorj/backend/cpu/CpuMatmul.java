package dev.tensorj.backend.cpu;

/**
 * Single-precision matrix product on the host. Operands are packed into zero-based, row-major
 * blocks first: C2 vectorises {@code c[j] += a * b[j]} only when both arrays start at 0.
 */
final class CpuMatmul {
    private CpuMatmul() {}

    /** {@code c = op(a)·op(b)}, see {@link dev.tensorj.backend.Backend#matmul}. */
    static void sgemm(float[] a, float[] b, float[] c, int m, int n, int k, boolean transA, boolean transB) {
        java.util.Arrays.fill(c, 0, m * n, 0f);
        if (m == 0 || n == 0 || k == 0) {
            return;
        }
        // Row-major B (k×n), so each output row is a sum of scaled B rows.
        float[] bk = transB ? transpose(b, n, k) : b;
        CpuThreads.parallelFor(m, Math.max(1, (1 << 15) / Math.max(1, n * k / 64 + 1)), (from, to) -> {
            float[] crow = new float[n];
            for (int i = from; i < to; i++) {
                java.util.Arrays.fill(crow, 0f);
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[p * m + i] : a[i * k + p];
                    int bo = p * n;
                    for (int j = 0; j < n; j++) {
                        crow[j] += av * bk[bo + j];
                    }
                }
                System.arraycopy(crow, 0, c, i * n, n);
            }
        });
    }

    private static float[] transpose(float[] x, int rows, int cols) {
        float[] t = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int col = 0; col < cols; col++) {
                t[col * rows + r] = x[r * cols + col];
            }
        }
        return t;
    }
}
