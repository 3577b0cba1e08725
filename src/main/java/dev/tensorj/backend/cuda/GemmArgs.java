package dev.tensorj.backend.cuda;

/**
 * Row-major {@code C[m×n] = op(A)·op(B)} as a column-major cuBLAS call. A row-major matrix read
 * column-major is its transpose, so cuBLAS computes {@code Cᵀ = op(B)ᵀ·op(A)ᵀ}: the operands swap
 * places and {@code m} and {@code n} swap, while each operand keeps its own transpose flag.
 * No data is copied or transposed.
 *
 * <p>The call is {@code sgemm(transFirst, transSecond, rows, cols, k, 1, first, ldFirst,
 * second, ldSecond, 0, C, ldc)} with {@code first = B}, {@code second = A}.
 */
record GemmArgs(boolean transFirst, boolean transSecond, int rows, int cols, int k,
                int ldFirst, int ldSecond, int ldc) {

    static GemmArgs rowMajor(int m, int n, int k, boolean transA, boolean transB) {
        // B is stored k×n (n×k when transB), row-major: its leading dimension is its row length.
        int ldb = transB ? k : n;
        int lda = transA ? m : k;
        // cuBLAS wants every leading dimension >= 1 even when a matrix is empty.
        return new GemmArgs(transB, transA, n, m, k, Math.max(1, ldb), Math.max(1, lda), Math.max(1, n));
    }
}
