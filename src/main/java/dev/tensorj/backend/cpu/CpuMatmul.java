package dev.tensorj.backend.cpu;

import java.util.Arrays;

/**
 * Single-precision matrix product on the host, in pure Java (no Vector API, no native code).
 *
 * <p>Large products are packed and blocked. A strip of up to {@link #W} columns of {@code op(b)}
 * is copied into zero-based row arrays (a panel of {@link #KC} rows, kept in L2), a block of
 * {@link #MC} C rows into zero-based tile rows, and the micro-kernel {@link #kernel} adds three
 * scaled panel rows into two tile rows, {@link #KB} panel rows (in L1) at a time. Everything
 * the kernel touches is indexed {@code x[j]}, because C2's SuperWord pass vectorises a loop only
 * when it can line its arrays up, which it cannot with distinct offsets.
 *
 * <p>The kernel is this small because C2 does not unroll, and so does not vectorise, a loop body
 * of more than about 60 IR nodes ({@code LoopUnrollLimit}); with a variable trip count no 4-row
 * body fits. Without registers to hold sums across the k loop, each 16-float FMA also loads and
 * stores C: the kernel reaches about half of one core's FMA peak when all its rows are in L1.
 *
 * <p>Small products take a plain loop: no allocation and no threads, which is what a
 * {@code 32×10 · 10×1} training step needs. Larger ones use a per-thread workspace of about
 * 1.3 MB, allocated on a thread's first large product and kept.
 */
final class CpuMatmul {
    /** Widest column strip: the kernel's vector length in floats. */
    static final int W = 1024;
    /** Rows of {@code op(b)} packed per panel (the k block). */
    static final int KC = 252;
    /** B rows kept in L1 and reused across a block of C rows; a multiple of 3. */
    static final int KB = 9;
    /** C rows per block; even, and the tile is reused across the panel's KB-row slices. */
    static final int MC = 64;
    /** Below this many multiply-adds the plain loop wins: packing costs more than it saves. */
    static final long PACKED_MIN_MACS = 1 << 16;
    /** A strip narrower than this leaves the kernel's vector loop too short to pay. */
    static final int PACKED_MIN_WIDTH = 48;
    /**
     * Narrower strips are padded to this width. C2 unrolls a loop, and so sets its vector width,
     * only as far as the loop's profiled trip count allows (16 floats need more than 150): a
     * kernel first compiled while running narrow strips would keep 8-float vectors for good.
     */
    static final int KERNEL_MIN_WIDTH = 256;
    /** Below this many multiply-adds a product stays on the calling thread. */
    static final long PARALLEL_MIN_MACS = 1 << 21;

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private CpuMatmul() {}

    /**
     * {@code c = op(a)·op(b)}, see {@link dev.tensorj.backend.Backend#matmul}, each matrix starting
     * at its offset in its array (a batched product's matrix i).
     */
    static void sgemm(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int n, int k,
                      boolean transA, boolean transB) {
        sgemm(a, aOff, b, bOff, c, cOff, m, n, k, transA, transB, Route.BY_SIZE);
    }

    /** Which of the Java paths a product takes. */
    enum Route {
        /** What {@link #sgemm} does: the size picks the plain loop, the packed kernel and its threads. */
        BY_SIZE,
        /** The plain loops at any size (tests: their edges on shapes the size would send elsewhere). */
        PLAIN,
        /** The packed kernel on the calling thread at any size (tests: its tile edges on small shapes). */
        PACKED,
        /** The packed kernel split over the worker pool at any size (tests: the split's edges). */
        PACKED_PARALLEL
    }

    /** {@link #sgemm} through the given route; the tests force each path on any shape with it. */
    static void sgemm(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int n, int k,
                      boolean transA, boolean transB, Route route) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            Arrays.fill(c, cOff, cOff + m * n, 0f);
            return;
        }
        long macs = (long) m * n * k;
        boolean plain = route == Route.BY_SIZE
                ? macs < PACKED_MIN_MACS || Math.max(m, n) < PACKED_MIN_WIDTH
                : route == Route.PLAIN;
        boolean parallel = route == Route.BY_SIZE
                ? macs >= PARALLEL_MIN_MACS && CpuThreads.THREADS > 1
                : route == Route.PACKED_PARALLEL;
        if (plain) {
            Small.sgemm(a, aOff, b, bOff, c, cOff, m, n, k, transA, transB);
        } else if (n >= m) {
            packed(a, aOff, b, bOff, c, cOff, m, n, k, transA, transB, false, parallel);
        } else {
            // Cᵀ = op(b)ᵀ·op(a)ᵀ puts the longer side along the kernel's vector loop.
            packed(b, bOff, a, aOff, c, cOff, n, m, k, !transB, !transA, true, parallel);
        }
    }

    /** {@code c = op(a)·op(b)} through the packed kernel, with c written transposed when {@code transC}. */
    private static void packed(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int n, int k,
                               boolean transA, boolean transB, boolean transC, boolean parallel) {
        Gemm g = new Gemm(a, aOff, b, bOff, c, cOff, m, n, k, transA, transB, transC);
        int strips = (n + W - 1) / W;
        int threads = CpuThreads.THREADS;
        // Rows split best (each worker packs its own panel, but keeps the longest vector loop);
        // with too few rows, split the columns instead.
        boolean splitRows = parallel && strips < threads && m >= 8 * threads;
        if (parallel && !splitRows && strips < threads && n >= threads * KERNEL_MIN_WIDTH) {
            strips = threads;
        }
        // Equal strips, rounded to whole 16-float vectors, so no strip is left short.
        int width = ((n + strips - 1) / strips + 15) & ~15;
        int count = (n + width - 1) / width;
        if (splitRows) {
            int pairs = (m + 1) / 2;
            CpuThreads.parallelFor(pairs, 1, (from, to) ->
                    g.run(WORKSPACE.get(), 2 * from, Math.min(m, 2 * to), 0, n, width));
        } else if (parallel && count > 1) {
            CpuThreads.parallelFor(count, 1, (from, to) ->
                    g.run(WORKSPACE.get(), 0, m, from * width, Math.min(n, to * width), width));
        } else {
            g.run(WORKSPACE.get(), 0, m, 0, n, width);
        }
    }

    /**
     * {@code c0 += a00·b0 + a01·b1 + a02·b2}, {@code c1 += a10·b0 + a11·b1 + a12·b2} over
     * {@code [0, w)}, with the six coefficients at {@code coef[o..o+6)}. All loads come before
     * the stores so that C2 can move each group of loads together.
     *
     * <p>The rows come in holder arrays that are built once and never written afterwards, and are
     * read at constant indices. C2 17 did not vectorise this loop when the five rows were
     * parameters, nor when it could see them being picked by variable indices (as it does once
     * this method is inlined into a caller that fills the holders).
     */
    static void kernel(float[][] cRows, float[][] bRows, float[] coef, int o, int w) {
        float[] c0 = cRows[0];
        float[] c1 = cRows[1];
        float[] b0 = bRows[0];
        float[] b1 = bRows[1];
        float[] b2 = bRows[2];
        float a00 = coef[o];
        float a01 = coef[o + 1];
        float a02 = coef[o + 2];
        float a10 = coef[o + 3];
        float a11 = coef[o + 4];
        float a12 = coef[o + 5];
        for (int j = 0; j < w; j++) {
            float y0 = c0[j];
            float y1 = c1[j];
            float x0 = b0[j];
            float x1 = b1[j];
            float x2 = b2[j];
            c0[j] = Math.fma(a02, x2, Math.fma(a01, x1, Math.fma(a00, x0, y0)));
            c1[j] = Math.fma(a12, x2, Math.fma(a11, x1, Math.fma(a10, x0, y1)));
        }
    }

    /** Per-thread packing buffers, allocated once: large calls make no garbage. */
    static final class Workspace {
        /** Packed rows of {@code op(b)}: one k block of one column strip. */
        final float[][] bPanel;
        /** C tile rows for one block, plus one scratch row when the block has an odd count. */
        final float[][] cTile;
        /** The kernel's operands, {@code {cTile[2i], cTile[2i+1]}} and {@code bPanel[3g..3g+3)}. */
        final float[][][] cPairs = new float[MC / 2][][];
        final float[][][] bTriples = new float[KC / 3][][];
        /** Coefficients of {@code op(a)} in kernel order: per row pair, per three k steps, six. */
        final float[] coef = new float[MC * KC];

        Workspace() {
            // One allocation, rows of 16 + 4·(W + 12) bytes, a multiple of 64: all rows then sit at
            // the same offset from a cache line, and the vector loop's alignment pre-loop, which
            // aligns one row, aligns them all (about 10% faster than rows split across lines). A
            // garbage collector that moves the rows apart undoes this, which costs only that 10%.
            float[][] rows = new float[KC + MC][W + 12];
            bPanel = Arrays.copyOfRange(rows, 0, KC);
            cTile = Arrays.copyOfRange(rows, KC, KC + MC);
            for (int i = 0; i < cPairs.length; i++) {
                cPairs[i] = new float[][] {cTile[2 * i], cTile[2 * i + 1]};
            }
            for (int g = 0; g < bTriples.length; g++) {
                bTriples[g] = new float[][] {bPanel[3 * g], bPanel[3 * g + 1], bPanel[3 * g + 2]};
            }
        }
    }

    /** One product's operands; {@link #run} computes any rectangle of C with a thread's workspace. */
    private record Gemm(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int n, int k,
                        boolean transA, boolean transB, boolean transC) {

        /** Rows {@code [i0, i1)} and columns {@code [j0, j1)} of C, in strips of {@code width}. */
        void run(Workspace ws, int i0, int i1, int j0, int j1, int width) {
            for (int jc = j0; jc < j1; jc += width) {
                int w = Math.min(width, j1 - jc);
                int wk = Math.max(w, KERNEL_MIN_WIDTH);
                for (int pc = 0; pc < k; pc += KC) {
                    int kc = Math.min(KC, k - pc);
                    int kcp = (kc + 2) / 3 * 3;
                    packB(ws.bPanel, pc, kc, kcp, jc, w, wk);
                    for (int ic = i0; ic < i1; ic += MC) {
                        int mc = Math.min(MC, i1 - ic);
                        block(ws, ic, mc, pc, kc, kcp, jc, w, wk);
                    }
                }
            }
        }

        /**
         * Adds {@code op(a)[ic.., pc..]·panel} into C rows {@code [ic, ic+mc)}, columns
         * {@code [jc, jc+w)}. The kernel runs over {@code wk >= w} columns, the rest padding.
         */
        private void block(Workspace ws, int ic, int mc, int pc, int kc, int kcp, int jc, int w, int wk) {
            float[][] ct = ws.cTile;
            int mcp = (mc + 1) & ~1;
            loadC(ct, ic, mc, jc, w, wk, pc == 0);
            if (mcp != mc) {
                Arrays.fill(ct[mc], 0, wk, 0f);
            }
            int groups = kcp / 3;
            packA(ws.coef, ic, mc, mcp, pc, kc, groups);
            float[] coef = ws.coef;
            float[][][] cPairs = ws.cPairs;
            float[][][] bTriples = ws.bTriples;
            for (int g0 = 0; g0 < groups; g0 += KB / 3) {
                int g1 = Math.min(groups, g0 + KB / 3);
                for (int i = 0; i < mcp / 2; i++) {
                    float[][] cRows = cPairs[i];
                    int o = (i * groups + g0) * 6;
                    for (int g = g0; g < g1; g++, o += 6) {
                        kernel(cRows, bTriples[g], coef, o, wk);
                    }
                }
            }
            storeC(ct, ic, mc, jc, w);
        }

        /** Rows {@code [pc, pc+kc)} of {@code op(b)}, columns {@code [jc, jc+w)}; zeros up to row {@code kcp}, column {@code wk}. */
        private void packB(float[][] panel, int pc, int kc, int kcp, int jc, int w, int wk) {
            if (!transB) {
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(b, bOff + (pc + p) * n + jc, panel[p], 0, w);
                }
            } else {
                // b is n×k: a transpose, 16 columns at a time so that the 16 stored rows being
                // read stay in L1 while each panel row is written in order.
                for (int j0 = 0; j0 < w; j0 += 16) {
                    int j1 = Math.min(w, j0 + 16);
                    for (int p = 0; p < kc; p++) {
                        float[] row = panel[p];
                        for (int j = j0, src = bOff + (jc + j0) * k + pc + p; j < j1; j++, src += k) {
                            row[j] = b[src];
                        }
                    }
                }
            }
            for (int p = 0; p < kcp; p++) {
                Arrays.fill(panel[p], p < kc ? w : 0, wk, 0f);
            }
        }

        /** Coefficients for rows {@code ic..}, k steps {@code pc..}; zeros for padding rows and steps. */
        private void packA(float[] coef, int ic, int mc, int mcp, int pc, int kc, int groups) {
            int o = 0;
            for (int i = 0; i < mcp; i += 2) {
                for (int g = 0; g < groups; g++) {
                    for (int r = 0; r < 2; r++) {
                        for (int q = 0; q < 3; q++) {
                            int p = 3 * g + q;
                            coef[o++] = i + r < mc && p < kc ? aAt(ic + i + r, pc + p) : 0f;
                        }
                    }
                }
            }
        }

        private float aAt(int row, int p) {
            return transA ? a[aOff + p * m + row] : a[aOff + row * k + p];
        }

        /** C's partial sums into the tile, or zeros for the first k block; padding columns zeroed. */
        private void loadC(float[][] ct, int ic, int mc, int jc, int w, int wk, boolean zero) {
            for (int x = 0; x < mc; x++) {
                float[] row = ct[x];
                if (zero) {
                    Arrays.fill(row, 0, wk, 0f);
                    continue;
                }
                if (!transC) {
                    System.arraycopy(c, cOff + (ic + x) * n + jc, row, 0, w);
                }
                Arrays.fill(row, w, wk, 0f);
            }
            if (transC && !zero) {
                // c holds Cᵀ: its rows are the tile's columns; read each once, in order.
                for (int j = 0; j < w; j++) {
                    int src = cOff + (jc + j) * m + ic;
                    for (int x = 0; x < mc; x++) {
                        ct[x][j] = c[src + x];
                    }
                }
            }
        }

        private void storeC(float[][] ct, int ic, int mc, int jc, int w) {
            if (!transC) {
                for (int x = 0; x < mc; x++) {
                    System.arraycopy(ct[x], 0, c, cOff + (ic + x) * n + jc, w);
                }
                return;
            }
            for (int j = 0; j < w; j++) {
                int dst = cOff + (jc + j) * m + ic;
                for (int x = 0; x < mc; x++) {
                    c[dst + x] = ct[x][j];
                }
            }
        }
    }

    /** Plain loops for products too small to pack: no allocation, no threads. */
    private static final class Small {
        /**
         * Below this many output columns a vectorised row loop is mostly loop overhead (a training
         * step's 32×10·10×20 runs it 320 times with 20 iterations); 4×4 register tiles win there.
         */
        private static final int ROW_MIN_WIDTH = 64;
        private static final ThreadLocal<Rows> ROWS = ThreadLocal.withInitial(Rows::new);

        private Small() {}

        /** Zero-based copies of op(b)'s rows and one output row, reused by the thread. */
        private static final class Rows {
            float[][] b = new float[0][];
            float[] c = new float[0];

            float[][] bRows(int k, int n) {
                if (b.length < k || (k > 0 && b[0].length < n)) {
                    int width = Math.max(n, b.length == 0 ? 0 : b[0].length);
                    b = new float[Math.max(k, b.length)][width];
                }
                return b;
            }

            float[] cRow(int n) {
                if (c.length < n) {
                    c = new float[n];
                }
                return c;
            }
        }

        static void sgemm(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int n, int k,
                          boolean transA, boolean transB) {
            if (n < ROW_MIN_WIDTH) {
                tiles(a, aOff, b, bOff, c, cOff, m, n, k, transA, transB);
                return;
            }
            // Row i of c is a sum of rows of op(b) scaled by row i of op(a). Both rows are copied to
            // zero-based arrays first: C2 vectorises cRow[j] += av * bRow[j] only when they line up.
            Rows ws = ROWS.get();
            float[][] rows = ws.bRows(k, n);
            for (int p = 0; p < k; p++) {
                float[] row = rows[p];
                if (transB) {
                    for (int j = 0; j < n; j++) {
                        row[j] = b[bOff + j * k + p];
                    }
                } else {
                    System.arraycopy(b, bOff + p * n, row, 0, n);
                }
            }
            float[] cRow = ws.cRow(n);
            for (int i = 0; i < m; i++) {
                Arrays.fill(cRow, 0, n, 0f);
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * m + i] : a[aOff + i * k + p];
                    float[] row = rows[p];
                    for (int j = 0; j < n; j++) {
                        cRow[j] = Math.fma(av, row[j], cRow[j]);
                    }
                }
                System.arraycopy(cRow, 0, c, cOff + i * n, n);
            }
        }

        /**
         * Scalar 4×4 register tiles: sixteen independent accumulation chains per tile, so the CPU
         * overlaps the fma latencies that a single dot product would wait on. Strides express the
         * transposes: op(a)[i][p] = a[aOff + i·ars + p·acs], op(b)[p][j] = b[bOff + p·brs + j·bcs].
         */
        private static void tiles(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int n, int k,
                                  boolean transA, boolean transB) {
            int ars = transA ? 1 : k;
            int acs = transA ? m : 1;
            int brs = transB ? 1 : n;
            int bcs = transB ? k : 1;
            int i = 0;
            for (; i + 4 <= m; i += 4) {
                int j = 0;
                for (; j + 4 <= n; j += 4) {
                    tile4x4(a, aOff + i * ars, b, bOff + j * bcs, c, cOff + i * n + j, n, k, ars, acs, brs, bcs);
                }
                edge(a, aOff, b, bOff, c, cOff, n, k, i, i + 4, j, n, ars, acs, brs, bcs);
            }
            edge(a, aOff, b, bOff, c, cOff, n, k, i, m, 0, n, ars, acs, brs, bcs);
        }

        /** The 4×4 tile of c at {@code c[o]}, its rows of op(a) from {@code a[a0]}, its columns of op(b) from {@code b[b0]}. */
        private static void tile4x4(float[] a, int a0, float[] b, int b0, float[] c, int o, int n, int k,
                                    int ars, int acs, int brs, int bcs) {
            float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
            float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
            for (int p = 0; p < k; p++) {
                int ao = a0 + p * acs;
                int bo = b0 + p * brs;
                float x0 = a[ao];
                float x1 = a[ao + ars];
                float x2 = a[ao + 2 * ars];
                float x3 = a[ao + 3 * ars];
                float y0 = b[bo];
                float y1 = b[bo + bcs];
                float y2 = b[bo + 2 * bcs];
                float y3 = b[bo + 3 * bcs];
                c00 = Math.fma(x0, y0, c00);
                c01 = Math.fma(x0, y1, c01);
                c02 = Math.fma(x0, y2, c02);
                c03 = Math.fma(x0, y3, c03);
                c10 = Math.fma(x1, y0, c10);
                c11 = Math.fma(x1, y1, c11);
                c12 = Math.fma(x1, y2, c12);
                c13 = Math.fma(x1, y3, c13);
                c20 = Math.fma(x2, y0, c20);
                c21 = Math.fma(x2, y1, c21);
                c22 = Math.fma(x2, y2, c22);
                c23 = Math.fma(x2, y3, c23);
                c30 = Math.fma(x3, y0, c30);
                c31 = Math.fma(x3, y1, c31);
                c32 = Math.fma(x3, y2, c32);
                c33 = Math.fma(x3, y3, c33);
            }
            c[o] = c00;
            c[o + 1] = c01;
            c[o + 2] = c02;
            c[o + 3] = c03;
            o += n;
            c[o] = c10;
            c[o + 1] = c11;
            c[o + 2] = c12;
            c[o + 3] = c13;
            o += n;
            c[o] = c20;
            c[o + 1] = c21;
            c[o + 2] = c22;
            c[o + 3] = c23;
            o += n;
            c[o] = c30;
            c[o + 1] = c31;
            c[o + 2] = c32;
            c[o + 3] = c33;
        }

        /** The rows {@code [i0, i1)} × columns {@code [j0, j1)} that do not fill a whole tile. */
        private static void edge(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int n, int k,
                                 int i0, int i1, int j0, int j1, int ars, int acs, int brs, int bcs) {
            for (int i = i0; i < i1; i++) {
                for (int j = j0; j < j1; j++) {
                    // Four partial sums: one fma chain would wait out its latency at every step
                    // (the m == 1 and n == 1 products of a small model's backward pass are all edge).
                    int ao = aOff + i * ars;
                    int bo = bOff + j * bcs;
                    float s0 = 0f;
                    float s1 = 0f;
                    float s2 = 0f;
                    float s3 = 0f;
                    int p = 0;
                    for (; p + 4 <= k; p += 4) {
                        s0 = Math.fma(a[ao + p * acs], b[bo + p * brs], s0);
                        s1 = Math.fma(a[ao + (p + 1) * acs], b[bo + (p + 1) * brs], s1);
                        s2 = Math.fma(a[ao + (p + 2) * acs], b[bo + (p + 2) * brs], s2);
                        s3 = Math.fma(a[ao + (p + 3) * acs], b[bo + (p + 3) * brs], s3);
                    }
                    for (; p < k; p++) {
                        s0 = Math.fma(a[ao + p * acs], b[bo + p * brs], s0);
                    }
                    c[cOff + i * n + j] = (s0 + s1) + (s2 + s3);
                }
            }
        }
    }
}
