package dev.tensorj.backend.cpu;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Large CPU matrix products through OpenBLAS ({@code cblas_sgemm}), loaded on first use. Measured
 * on the development machine (benchmarks/results/2026-11-27-cpu-sgemm.md) OpenBLAS reaches 2-3× the
 * pure-Java kernel, and still 1.5-2× after copying {@code float[]} operands into native buffers,
 * which this class does; {@link JniBlas} hands OpenBLAS the arrays themselves where its glue
 * loads ({@link CpuBackend#matmul} chooses between the two and the Java kernel). Where the natives cannot load, {@link #AVAILABLE}
 * is false, the reason is logged once, and {@link CpuMatmul} does all products.
 */
final class OpenBlas {
    private static final Logger LOG = LoggerFactory.getLogger(OpenBlas.class);
    /** {@code -Dtensorj.cpu.openblas=false} keeps every product in Java (for comparison). */
    static final boolean AVAILABLE = !"false".equals(System.getProperty("tensorj.cpu.openblas")) && load();

    /** Native operand and result buffers of the calling thread, grown on demand. */
    private static final ThreadLocal<FloatPointer[]> BUFFERS = ThreadLocal.withInitial(() -> new FloatPointer[3]);

    private OpenBlas() {}

    private static boolean load() {
        try {
            // Touching the class loads libopenblas and its JNI glue from the classifier jar.
            openblas_nolapack.blas_set_num_threads(CpuThreads.THREADS);
            LOG.info("CPU matmul: loaded natives OpenBLAS (org.bytedeco openblas {}) through JavaCPP", version());
            return true;
        } catch (Throwable e) {
            LOG.info("CPU matmul: OpenBLAS natives unavailable on this platform ({}); using the pure-Java kernel",
                    String.valueOf(e.getMessage()).lines().findFirst().orElse(e.toString()));
            return false;
        }
    }

    /** The org.bytedeco openblas version and OpenBLAS's thread count, for the log. */
    static String version() {
        int threads = openblas_nolapack.blas_get_num_threads();
        return openblas_nolapack.class.getPackage().getImplementationVersion() + ", " + threads
                + (threads == 1 ? " thread" : " threads");
    }

    /**
     * {@code c = op(a)·op(b)}, row-major, see {@link dev.tensorj.backend.Backend#matmul}: operands
     * copied into this thread's native buffers, the result copied back; each matrix starts at its
     * offset in its array.
     */
    static void sgemmCopying(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int n, int k,
                             boolean transA, boolean transB) {
        FloatPointer[] buf = BUFFERS.get();
        FloatPointer pa = ensure(buf, 0, (long) m * k);
        FloatPointer pb = ensure(buf, 1, (long) k * n);
        FloatPointer pc = ensure(buf, 2, (long) m * n);
        pa.put(a, aOff, m * k);
        pb.put(b, bOff, k * n);
        openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor,
                transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                m, n, k, 1f, pa, transA ? m : k, pb, transB ? k : n, 0f, pc, n);
        pc.get(c, cOff, m * n);
    }

    private static FloatPointer ensure(FloatPointer[] buf, int i, long floats) {
        if (buf[i] == null || buf[i].capacity() < floats) {
            if (buf[i] != null) {
                buf[i].close();
            }
            buf[i] = new FloatPointer(Math.max(floats, 1 << 16));
        }
        return buf[i];
    }
}
