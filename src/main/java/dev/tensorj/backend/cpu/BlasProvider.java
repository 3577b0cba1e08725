package dev.tensorj.backend.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.Loader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which BLAS library's {@code cblas_sgemm} the large CPU products call ({@link JniBlas}): OpenBLAS,
 * a dependency of tensorj and the default, or Intel oneMKL where the application has put
 * {@code org.bytedeco:mkl} (an optional dependency, never tensorj's own) on the class path and the
 * CPU is Intel's. {@code -Dtensorj.cpu.blas=mkl} asks for MKL on any CPU, {@code =openblas} keeps
 * OpenBLAS. The choice is made once, when the first large product links its sgemm, and logged
 * once with its reason.
 *
 * <p>Why only on Intel: on Intel Xeon hosts PyTorch's oneMKL ran the S3 step's products up to 23%
 * faster than OpenBLAS (issue 15; tensorj with MKL has not been measured on Intel yet), while on an
 * AMD EPYC tensorj's single-thread products took 1.04-1.41× as long with MKL as with OpenBLAS
 * (benchmarks/results/2026-12-04-mkl-sgemm.md).
 *
 * <p>MKL is reached without a compile-time dependency: its JavaCPP class is looked up by name and
 * loaded through {@link Loader}, which unpacks {@code libmkl_rt} (from the {@code -redist} jar, or
 * finds it on the system library path), and {@link JniBlas} takes {@code cblas_sgemm} from that
 * file as it does from OpenBLAS's. Three reflective calls, once, are the whole price.
 */
final class BlasProvider {
    private static final Logger LOG = LoggerFactory.getLogger(BlasProvider.class);
    /** {@code auto} (the default: MKL on Intel CPUs when present), {@code mkl} or {@code openblas}. */
    static final String PROPERTY = "tensorj.cpu.blas";
    /** The JavaCPP class of {@code org.bytedeco:mkl}: its presence means the application added MKL. */
    static final String MKL_CLASS = "org.bytedeco.mkl.global.mkl_rt";

    /** A BLAS library tensorj can call. */
    enum Kind {
        OPENBLAS("OpenBLAS"), MKL("MKL");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /** What {@link #choose} picked, and why in words for the log. */
    record Choice(Kind kind, String reason) {}

    /** A loaded library: its name and version for the log, the file holding its {@code cblas_sgemm}, and why it was chosen. */
    record Library(Kind kind, String version, String file, String reason) {
        /** {@code "MKL 2025.3-1.5.13"}. */
        String label() {
            return kind.label + " " + version;
        }
    }

    private BlasProvider() {}

    /**
     * The rule, with its inputs passed in so that a test can give it any CPU: MKL when it is on the
     * class path and the CPU vendor is {@code GenuineIntel} or the property asks for it; OpenBLAS
     * otherwise, and always when the property says {@code openblas}.
     *
     * @param property the value of {@value #PROPERTY}, or null when unset
     * @param vendor   the CPU's vendor id ({@code GenuineIntel}, {@code AuthenticAMD}, ...), or {@code unknown}
     */
    static Choice choose(String property, String vendor, boolean mklOnClassPath) {
        String asked = property == null ? "auto" : property.strip().toLowerCase(Locale.ROOT);
        switch (asked) {
            case "openblas":
                return new Choice(Kind.OPENBLAS, "-D" + PROPERTY + "=openblas");
            case "mkl":
                return mklOnClassPath
                        ? new Choice(Kind.MKL, "-D" + PROPERTY + "=mkl, on a CPU by " + vendor)
                        : new Choice(Kind.OPENBLAS, "-D" + PROPERTY + "=mkl asks for MKL, but org.bytedeco:mkl is"
                                + " not on the class path (see the README's BLAS paragraph)");
            case "auto":
                break;
            default:
                return new Choice(Kind.OPENBLAS, "-D" + PROPERTY + "=" + property
                        + " is not one of auto, mkl, openblas; the default is OpenBLAS");
        }
        if (!mklOnClassPath) {
            return new Choice(Kind.OPENBLAS, "the default; org.bytedeco:mkl is not on the class path");
        }
        return "GenuineIntel".equals(vendor)
                ? new Choice(Kind.MKL, "an Intel CPU and org.bytedeco:mkl on the class path;"
                        + " -D" + PROPERTY + "=openblas keeps OpenBLAS")
                : new Choice(Kind.OPENBLAS, "org.bytedeco:mkl is on the class path, but the CPU is by " + vendor
                        + ", not Intel; -D" + PROPERTY + "=mkl uses it anyway");
    }

    /** The {@code vendor_id} of the first processor in {@code /proc/cpuinfo}'s lines, or {@code unknown}. */
    static String cpuVendor(List<String> cpuinfo) {
        for (String line : cpuinfo) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equals("vendor_id")) {
                return line.substring(colon + 1).strip();
            }
        }
        return "unknown";
    }

    /** This machine's CPU vendor; {@code unknown} where there is no {@code /proc/cpuinfo} (only Linux has one). */
    static String cpuVendor() {
        try {
            return cpuVendor(Files.readAllLines(Path.of("/proc/cpuinfo")));
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static boolean mklOnClassPath() {
        try {
            Class.forName(MKL_CLASS, false, BlasProvider.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * The chosen library, loaded, with OpenBLAS's threads already set ({@link OpenBlas}). Where MKL
     * was chosen but its natives do not load (no {@code -redist} jar and no system MKL, say), the
     * reason is logged and OpenBLAS is used.
     */
    static Library load() {
        Choice choice = choose(System.getProperty(PROPERTY), cpuVendor(), mklOnClassPath());
        if (choice.kind() == Kind.MKL) {
            try {
                return loadMkl(choice.reason());
            } catch (Throwable e) { // natives that do not load here: keep OpenBLAS
                LOG.warn("CPU matmul: MKL was chosen ({}) but did not load ({}); using OpenBLAS", choice.reason(),
                        String.valueOf(e.getMessage()).lines().findFirst().orElse(e.toString()));
                return openBlas(choice.reason() + "; MKL did not load: " + e);
            }
        }
        return openBlas(choice.reason());
    }

    private static Library openBlas(String reason) {
        return new Library(Kind.OPENBLAS, OpenBlas.version(), loadedFile("openblas"), reason);
    }

    private static Library loadMkl(String reason) throws ReflectiveOperationException {
        Class<?> mkl = Class.forName(MKL_CLASS, true, BlasProvider.class.getClassLoader());
        Loader.load(mkl);
        mkl.getMethod("MKL_Set_Num_Threads", int.class).invoke(null, CpuThreads.THREADS);
        int threads = (Integer) mkl.getMethod("MKL_Get_Max_Threads").invoke(null);
        String version = mkl.getPackage().getImplementationVersion() + ", " + threads
                + (threads == 1 ? " thread" : " threads");
        return new Library(Kind.MKL, version, loadedFile("mkl_rt"), reason);
    }

    /** The file JavaCPP loaded the library {@code name} from (not its JNI glue). */
    static String loadedFile(String name) {
        for (Map.Entry<String, String> e : Loader.getLoadedLibraries().entrySet()) {
            // Keys such as "openblas@.0" or "mkl_rt@.2"; the JNI glue's start with "jni".
            if (e.getKey().startsWith(name)) {
                return e.getValue();
            }
        }
        throw new IllegalStateException("JavaCPP lists no loaded " + name + " library: " + Loader.getLoadedLibraries());
    }
}
