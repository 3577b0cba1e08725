package dev.tensorj.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.backend.Backend;
import dev.tensorj.backend.ScalarType;
import dev.tensorj.backend.Storage;
import dev.tensorj.backend.UnaryOp;
import dev.tensorj.backend.cpu.CpuBackend;
import dev.tensorj.junit.RequiresCuda;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Kernels whose output may be one of their inputs must not declare that input {@code __restrict__}:
 * nvcc then reads it through the non-coherent cache ({@code ld.global.nc}), undefined when the
 * kernel writes the same memory. Checked on the shipped PTX (no GPU needed), and on a GPU by
 * running the aliased calls against the CPU backend.
 */
class KernelAliasingTest {
    /**
     * Elementwise kernels run in place (Backend allows out == input; axpy's out is y in add_, and
     * x may be y too).
     */
    private static final Set<Kernel> MAY_ALIAS = EnumSet.of(Kernel.UNARY, Kernel.BINARY_SCALAR,
            Kernel.BINARY_CONTIG, Kernel.BINARY_ONE, Kernel.BINARY_ROW_I32, Kernel.BINARY_ROW_I64,
            Kernel.BINARY_ND_I32, Kernel.BINARY_ND_I64, Kernel.AXPY);
    /**
     * Always write memory of their own (sums: a new tensor or scratch; transpose and cast: a new
     * tensor; the int64 fill and the random draws read nothing).
     */
    private static final Set<Kernel> NEVER_ALIAS = EnumSet.of(Kernel.SUM_ROWS, Kernel.SUM_COLS, Kernel.SUM_FINISH, Kernel.EXTREME_AXIS,
            Kernel.TRANSPOSE, Kernel.CAST, Kernel.FILL_I64,
            // comparisons and where write a new tensor (bool out never shares a float input's storage)
            Kernel.COMPARE_CONTIG, Kernel.COMPARE_ND, Kernel.WHERE_CONTIG, Kernel.WHERE_ND,
            // the shape ops' strided copy: always between distinct storages (a new tensor, or a
            // gradient's zeros being filled)
            Kernel.STRIDED_COPY,
            // gather writes a new tensor; scatter-add adds into a new one (zeros, or scatter_add's
            // copy of its input), never its source or index
            Kernel.GATHER, Kernel.SCATTER_ADD,
            // the random draws read no memory: they write a new tensor
            Kernel.RANDOM, Kernel.RANDINT,
            // softmax, log-softmax and cross-entropy, forward and backward: a new tensor (or the
            // op's own loss and statistics)
            Kernel.SOFTMAX, Kernel.SOFTMAX_BACKWARD, Kernel.CROSS_ENTROPY, Kernel.CROSS_ENTROPY_BACKWARD,
            // layer norm, forward, backward and its column sums: new tensors (output and
            // statistics, the input's gradient, the weight's and bias's gradients)
            Kernel.LAYER_NORM, Kernel.LAYER_NORM_BACKWARD, Kernel.LAYER_NORM_COLUMNS);

    @Test
    void everyKernelIsClassified() {
        Set<Kernel> classified = EnumSet.copyOf(MAY_ALIAS);
        classified.addAll(NEVER_ALIAS);
        assertEquals(EnumSet.allOf(Kernel.class), classified, "say whether each new kernel may run in place");
    }

    @Test
    void kernelsThatMayRunInPlaceReadNothingThroughTheNonCoherentCache() throws IOException {
        for (Kernel k : MAY_ALIAS) {
            String body = withoutLibdeviceTableLoads(entryBody(k));
            assertFalse(body.contains("ld.global.nc"), k.symbol + " (in " + k.module + ".ptx) loads through "
                    + "ld.global.nc: an input declared __restrict__ in src/main/cuda/" + k.module + ".cu, but its "
                    + "output may be that input");
        }
    }

    @Test
    void theCheckSeesRestrictLoadsWhereTheyAreMeant() throws IOException {
        // The sums' inputs are __restrict__ on purpose (never their output): the pattern must show there.
        assertTrue(entryBody(Kernel.SUM_COLS).contains("ld.global.nc"), "ld.global.nc no longer appears in tj_sum_cols");
    }

    @Test
    void libdeviceTableLoadsAreTheOnlyOnesLeftOut() {
        String ptx = String.join("\n", "mov.u64 %rd42, __cudart_i2opi_f;", "add.s64 %rd43, %rd42, %rd41;",
                "ld.global.nc.u32 %r118, [%rd43];", "ld.global.nc.f32 %f1, [%rd7];");
        String left = withoutLibdeviceTableLoads(ptx);
        assertFalse(left.contains("[%rd43]"), left);
        assertTrue(left.contains("ld.global.nc.f32 %f1, [%rd7]"), left);
    }

    /**
     * The PTX without the non-coherent loads from libdevice's constant tables ({@code __cudart_*},
     * e.g. sinf's and cosf's argument reduction table): those are never written, so they may be read
     * so. A load counts as one when its address register is derived (through any chain of
     * instructions) from such a symbol.
     */
    static String withoutLibdeviceTableLoads(String body) {
        java.util.regex.Pattern instr = java.util.regex.Pattern.compile("^\\s*[a-z][\\w.]*\\s+(%\\w+)\\s*,(.*);");
        java.util.regex.Pattern reg = java.util.regex.Pattern.compile("%\\w+");
        String[] lines = body.split("\n");
        Set<String> tainted = new java.util.HashSet<>();
        boolean grew = true;
        while (grew) { // to a fixpoint: loops carry table pointers round
            grew = false;
            for (String line : lines) {
                java.util.regex.Matcher m = instr.matcher(line);
                if (!m.find() || line.contains("ld.global")) {
                    continue;
                }
                String sources = m.group(2);
                boolean fromTable = sources.contains("__cudart_");
                java.util.regex.Matcher r = reg.matcher(sources);
                while (!fromTable && r.find()) {
                    fromTable = tainted.contains(r.group());
                }
                if (fromTable && tainted.add(m.group(1))) {
                    grew = true;
                }
            }
        }
        java.util.regex.Pattern load = java.util.regex.Pattern.compile("ld\\.global\\.nc[\\w.]*\\s+%\\w+\\s*,\\s*\\[(%\\w+)");
        StringBuilder out = new StringBuilder();
        for (String line : lines) {
            java.util.regex.Matcher m = load.matcher(line);
            if (!(m.find() && tainted.contains(m.group(1)))) {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    /** The PTX text of {@code k}'s entry, up to the next entry. */
    private static String entryBody(Kernel k) throws IOException {
        String text = Files.readString(Path.of("src/main/resources/dev/tensorj/cuda", k.module + ".ptx"));
        int start = text.indexOf(".visible .entry " + k.symbol + "(");
        assertTrue(start >= 0, k.symbol + " missing from " + k.module + ".ptx");
        int end = text.indexOf(".visible .entry ", start + 1);
        return text.substring(start, end < 0 ? text.length() : end);
    }

    private static final float[] X = {1.5f, -2.25f, 0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, -7e-3f, 3e30f,
            Float.NEGATIVE_INFINITY, 0.1f, -1e-40f};

    @Test
    @RequiresCuda
    void inPlaceUnaryMatchesTheCpu() {
        Backend gpu = CudaBackends.get(0);
        Backend cpu = CpuBackend.INSTANCE;
        for (UnaryOp op : UnaryOp.values()) {
            Storage c = cpu.fromHost(X);
            cpu.unary(op, c, c);
            Storage g = gpu.fromHost(X);
            gpu.unary(op, g, g); // out == x
            float[] expected = CudaComparisons.toHost(cpu, c);
            float[] got = CudaComparisons.toHost(gpu, g);
            // bits where the op is IEEE-exact (relu(-0) is +0 in Java), else within a few ulps
            CudaComparisons.assertUnaryMatches(op, X, expected, got, op + " in place");
        }
    }

    @Test
    @RequiresCuda
    void axpyIntoItsOwnInputsMatchesTheCpu() {
        Backend gpu = CudaBackends.get(0);
        Backend cpu = CpuBackend.INSTANCE;
        float[] w = {0.5f, -1.25f, 2f, 3.75f, -0.0625f, 10f, -3f};
        // out == y (add_), and x == y == out (p.add_(p, alpha))
        Storage cw = cpu.fromHost(w);
        cpu.axpy(-0.1f, cw, cw, cw);
        Storage gw = gpu.fromHost(w);
        gpu.axpy(-0.1f, gw, gw, gw);
        assertArrayEquals(CudaComparisons.toHost(cpu, cw), CudaComparisons.toHost(gpu, gw), "axpy, all three aliased");
    }
}
