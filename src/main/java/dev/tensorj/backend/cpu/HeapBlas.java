package dev.tensorj.backend.cpu;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Array;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.javacpp.Loader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code cblas_sgemm} on the {@code float[]} of CPU tensors themselves, without copies, on Java 22
 * and later: the Foreign Function API's critical downcalls ({@code Linker.Option.critical(true)})
 * may pass heap arrays to native code, which JNI (and so JavaCPP) can only copy. Measured on the
 * development machine: on the eight products of an S3 training step the copies added 27-41% to
 * OpenBLAS's own time, and in the CPU suite tensorj's sgemm went from 0.5-0.87× OpenBLAS direct on
 * Java 17 to 0.86-1.06× on Java 25 (benchmarks/results).
 *
 * <p>The library is compiled for Java 17, where that API does not exist, so the downcall is built
 * reflectively, once, and adapted to a handle whose type names only {@code int}, {@code float} and
 * {@code float[]}: calls are plain {@code invokeExact}, with no reflection and no boxing. It calls
 * the OpenBLAS that JavaCPP has already loaded. Off with {@code -Dtensorj.cpu.heapBlas=false};
 * unavailable (and {@link OpenBlas} copies) on Java 17 to 21.
 *
 * <p>Java warns once per module about restricted methods (as it does for JavaCPP's JNI from
 * Java 24 on) unless the application runs with {@code --enable-native-access=ALL-UNNAMED}.
 */
final class HeapBlas {
    private static final Logger LOG = LoggerFactory.getLogger(HeapBlas.class);
    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;

    /** The downcall, or why there is none. */
    private record Link(MethodHandle sgemm, String reason) {}

    private static final Link LINK = OpenBlas.AVAILABLE ? link() : new Link(null, "OpenBLAS natives did not load");
    /** {@code (order, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) -> void}, or null. */
    private static final MethodHandle SGEMM = LINK.sgemm();
    static final boolean AVAILABLE = SGEMM != null;

    private HeapBlas() {}

    /** {@code c = op(a)·op(b)}, row-major, all three arrays used from index 0. */
    static void sgemm(float[] a, float[] b, float[] c, int m, int n, int k, boolean transA, boolean transB) {
        try {
            SGEMM.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k,
                    1f, a, transA ? m : k, b, transB ? k : n, 0f, c, n);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("cblas_sgemm downcall failed", e); // declares no checked exception
        }
    }

    /** Why the heap path is off, or null when it is on. */
    static String unavailableReason() {
        return LINK.reason();
    }

    private static Link link() {
        if ("false".equals(System.getProperty("tensorj.cpu.heapBlas"))) {
            return new Link(null, "turned off with -Dtensorj.cpu.heapBlas=false");
        }
        int java = Runtime.version().feature();
        if (java < 22) {
            return new Link(null, "needs Java 22 or later (critical downcalls with heap access); this is Java " + java);
        }
        try {
            String path = openBlasPath();
            MethodHandle h = downcall(path);
            LOG.info("CPU matmul: OpenBLAS works on the tensors' Java arrays, no copies (Java {}, {})", java, path);
            return new Link(h, null);
        } catch (Throwable e) { // a missing symbol or a JDK that changed the API: copy instead
            String reason = "could not link cblas_sgemm through java.lang.foreign: " + e;
            LOG.info("CPU matmul: OpenBLAS operands are copied to native buffers ({})", reason);
            return new Link(null, reason);
        }
    }

    /** The file JavaCPP loaded libopenblas from (not its JNI glue). */
    private static String openBlasPath() {
        for (Map.Entry<String, String> e : Loader.getLoadedLibraries().entrySet()) {
            if (e.getKey().startsWith("openblas")) {
                return e.getValue();
            }
        }
        throw new IllegalStateException("JavaCPP lists no loaded openblas library: " + Loader.getLoadedLibraries());
    }

    /**
     * {@code Linker.nativeLinker().downcallHandle(symbol, descriptor, Linker.Option.critical(true))},
     * written reflectively, then each {@code MemorySegment} parameter fed by
     * {@code MemorySegment.ofArray(float[])}.
     */
    private static MethodHandle downcall(String libraryPath) throws ReflectiveOperationException {
        Class<?> linker = Class.forName("java.lang.foreign.Linker");
        Class<?> option = Class.forName("java.lang.foreign.Linker$Option");
        Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
        Class<?> symbols = Class.forName("java.lang.foreign.SymbolLookup");
        Class<?> arena = Class.forName("java.lang.foreign.Arena");
        Class<?> layout = Class.forName("java.lang.foreign.MemoryLayout");
        Class<?> valueLayout = Class.forName("java.lang.foreign.ValueLayout");
        Class<?> descriptor = Class.forName("java.lang.foreign.FunctionDescriptor");

        Object global = arena.getMethod("global").invoke(null);
        Object lookup = symbols.getMethod("libraryLookup", String.class, arena).invoke(null, libraryPath, global);
        Optional<?> symbol = (Optional<?>) symbols.getMethod("find", String.class).invoke(lookup, "cblas_sgemm");
        Object fn = symbol.orElseThrow(() -> new IllegalStateException("no cblas_sgemm in " + libraryPath));

        Object i32 = valueLayout.getField("JAVA_INT").get(null);
        Object f32 = valueLayout.getField("JAVA_FLOAT").get(null);
        Object ptr = valueLayout.getField("ADDRESS").get(null);
        Object[] params = {i32, i32, i32, i32, i32, i32, f32, ptr, i32, ptr, i32, f32, ptr, i32};
        Object layouts = Array.newInstance(layout, params.length);
        for (int i = 0; i < params.length; i++) {
            Array.set(layouts, i, params[i]);
        }
        Object desc = descriptor.getMethod("ofVoid", layouts.getClass()).invoke(null, layouts);
        Object options = Array.newInstance(option, 1);
        Array.set(options, 0, option.getMethod("critical", boolean.class).invoke(null, true));
        Object nativeLinker = linker.getMethod("nativeLinker").invoke(null);
        MethodHandle h = (MethodHandle) linker.getMethod("downcallHandle", segment, descriptor, options.getClass())
                .invoke(nativeLinker, fn, desc, options);

        MethodHandle ofArray = MethodHandles.publicLookup()
                .findStatic(segment, "ofArray", MethodType.methodType(segment, float[].class));
        for (int at : new int[] {7, 9, 12}) {
            h = MethodHandles.filterArguments(h, at, ofArray);
        }
        return h;
    }
}
