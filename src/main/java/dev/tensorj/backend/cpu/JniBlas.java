package dev.tensorj.backend.cpu;

import java.io.File;
import org.bytedeco.javacpp.Loader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code cblas_sgemm} on the {@code float[]} of CPU tensors themselves, without copies, on every
 * Java version: a small JNI library of our own (src/main/c, built into the jar for linux-x86_64)
 * takes the arrays with {@code GetPrimitiveArrayCritical} and calls the OpenBLAS that JavaCPP has
 * loaded, or the MKL that {@link BlasProvider} chose. JavaCPP's own glue for {@code float[]}
 * arguments copies them. (Java 22's critical downcalls, {@code Linker.Option.critical(true)}, can
 * also pass heap arrays, as fast here, but are meant for functions that return at once: the
 * calling thread reaches no safepoint until the product ends, so every other thread waiting on a
 * safepoint would wait for a whole product.)
 * Measured on the development machine, Java 17: the eight products of an S3 step took 10.6 ms
 * this way against 13.2 ms through copies.
 *
 * <p>While a product runs, its three arrays are held in a JNI critical region. On Java 22 and later
 * G1 pins just their regions; on Java 17 to 21 a garbage collection that another thread needs
 * waits until the product returns (at most one product's time). {@code -Dtensorj.cpu.jniBlas=false}
 * turns this path off, and {@link OpenBlas} copies operands into native buffers instead.
 */
final class JniBlas {
    private static final Logger LOG = LoggerFactory.getLogger(JniBlas.class);
    static final String RESOURCE = "/dev/tensorj/native/linux-x86_64/libtensorj_blas.so";

    /** The address of cblas_sgemm and the library it is in ({@link BlasProvider}), or why there is none. */
    private record Link(long sgemm, BlasProvider.Library library, String reason) {}

    private static final Link LINK = OpenBlas.AVAILABLE ? link() : new Link(0, null, "OpenBLAS natives did not load");
    static final boolean AVAILABLE = LINK.sgemm() != 0;

    private JniBlas() {}

    /** {@code c = op(a)·op(b)}, row-major, each matrix starting at its offset in its array. */
    static void sgemm(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int n, int k,
                      boolean transA, boolean transB) {
        sgemm(LINK.sgemm(), a, aOff, b, bOff, c, cOff, m, n, k, transA, transB);
    }

    /** The same product through the {@code cblas_sgemm} at {@code fn} (from {@link #link(String)}). */
    static void sgemm(long fn, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int n, int k,
                      boolean transA, boolean transB) {
        // The native side trusts these sizes; a wrong one would read or write past an array.
        if (m < 0 || n < 0 || k < 0 || aOff < 0 || bOff < 0 || cOff < 0 || aOff + (long) m * k > a.length
                || bOff + (long) k * n > b.length || cOff + (long) m * n > c.length) {
            throw new IllegalArgumentException("sgemm: arrays of " + a.length + ", " + b.length + ", " + c.length
                    + " floats cannot hold a " + m + "x" + k + " by " + k + "x" + n + " product from offsets "
                    + aOff + ", " + bOff + ", " + cOff);
        }
        sgemm(fn, transA, transB, m, n, k, a, aOff, b, bOff, c, cOff);
    }

    /** Why this path is off, or null when it is on. */
    static String unavailableReason() {
        return LINK.reason();
    }

    /** The library whose sgemm this path calls, or null when the path is off. */
    static BlasProvider.Library library() {
        return LINK.library();
    }

    /**
     * How large products run in this JVM, in words (benchmark reports print it): which BLAS, why,
     * and whether it works on the arrays or on copies.
     */
    static String describe() {
        if (!OpenBlas.AVAILABLE) {
            return "the pure-Java kernel (" + LINK.reason() + ")";
        }
        if (!AVAILABLE) {
            return "OpenBLAS on native copies of the operands (" + LINK.reason() + ")";
        }
        BlasProvider.Library lib = LINK.library();
        return lib.label() + " on the tensors' own arrays (JniBlas, no copies; chosen: " + lib.reason() + ")";
    }

    private static Link link() {
        if ("false".equals(System.getProperty("tensorj.cpu.jniBlas"))) {
            return new Link(0, null, "turned off with -Dtensorj.cpu.jniBlas=false");
        }
        try {
            File glue = Loader.cacheResource(JniBlas.class, RESOURCE);
            if (glue == null) {
                return new Link(0, null, "the jar has no " + RESOURCE + " (built for linux-x86_64 only)");
            }
            System.load(glue.getAbsolutePath());
            BlasProvider.Library lib = BlasProvider.load();
            long fn = link(lib.file());
            // The one line that says which BLAS this JVM uses, and why.
            LOG.info("CPU matmul: BLAS {} on the tensors' Java arrays, no copies (chosen: {}; {})",
                    lib.label(), lib.reason(), lib.file());
            return new Link(fn, lib, null);
        } catch (Throwable e) { // a glue library that does not load here: copy instead
            String reason = "could not load the JNI glue for OpenBLAS: " + e;
            LOG.info("CPU matmul: OpenBLAS operands are copied to native buffers ({})", reason);
            return new Link(0, null, reason);
        }
    }

    /** The address of {@code cblas_sgemm} in the library at {@code path} (tests link two libraries to compare them). */
    static native long link(String path);

    private static native void sgemm(long fn, boolean transA, boolean transB, int m, int n, int k,
                                     float[] a, int aOff, float[] b, int bOff, float[] c, int cOff);
}
