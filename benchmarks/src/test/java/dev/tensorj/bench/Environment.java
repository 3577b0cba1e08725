package dev.tensorj.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.bytedeco.openblas.global.openblas;

/** Facts about the machine, the checkout and the libraries, for the headers of the results files. */
final class Environment {
    private Environment() {}

    static String cpuModel() {
        return read("/proc/cpuinfo").lines().filter(l -> l.startsWith("model name"))
                .map(l -> l.replaceFirst("model name\\s*:\\s*", "")).findFirst().orElse(System.getProperty("os.arch"));
    }

    static String caches() {
        return command("sh", "-c", "lscpu | grep -E '^L[123]' | tr -s ' ' | paste -sd ';' -");
    }

    static String memoryGb() {
        return read("/proc/meminfo").lines().filter(l -> l.startsWith("MemTotal"))
                .map(l -> String.format(Locale.ROOT, "%.0f", Long.parseLong(l.replaceAll("\\D", "")) / 1048576.0))
                .findFirst().orElse("?");
    }

    /** The three load averages of /proc/loadavg. */
    static String loadAverage() {
        String[] f = read("/proc/loadavg").strip().split("\\s+");
        return f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] : "?";
    }

    /** The short commit of the checkout this runs in, marked when tracked files differ from it. */
    static String commit() {
        String status = command("git", "status", "--porcelain", "--untracked-files=no");
        return command("git", "rev-parse", "--short", "HEAD") + (status.isEmpty() ? "" : " (with uncommitted changes)");
    }

    static String env(String name) {
        String v = System.getenv(name);
        return v == null ? "(unset)" : v;
    }

    static String jvm() {
        return System.getProperty("java.vm.name") + ' ' + System.getProperty("java.runtime.version") + " ("
                + System.getProperty("java.vm.vendor") + ")";
    }

    static String openblasVersion() {
        return openblas.OPENBLAS_VERSION.strip();
    }

    /**
     * The core type OpenBLAS's dynamic dispatch picked. JavaCPP does not map
     * {@code openblas_get_corename()}, so a child JVM loads OpenBLAS with
     * {@code OPENBLAS_VERBOSE=2}, which makes it print "Core: …".
     */
    static String openblasCore() {
        try {
            var pb = new ProcessBuilder(javaExecutable(), "-cp", System.getProperty("java.class.path"),
                    CoreProbe.class.getName());
            pb.environment().put("OPENBLAS_VERBOSE", "2");
            pb.redirectErrorStream(true);
            Process p = pb.start();
            String text = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            return text.lines().filter(l -> l.contains("Core:")).map(l -> l.replaceAll(".*Core:\\s*", "").trim())
                    .findFirst().orElse("unknown (OpenBLAS printed: " + text.strip() + ")");
        } catch (IOException e) {
            return "unknown (" + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown (interrupted)";
        }
    }

    static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static String command(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes()).strip();
            p.waitFor();
            return s;
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            return "";
        }
    }

    /** Loads OpenBLAS in a child JVM so that its verbose start-up names the core it picked. */
    static final class CoreProbe {
        public static void main(String[] args) {
            float[] x = {1f};
            openblas.cblas_sgemm(openblas.CblasRowMajor, openblas.CblasNoTrans, openblas.CblasNoTrans,
                    1, 1, 1, 1f, x, 1, x, 1, 0f, new float[1], 1);
        }
    }
}
