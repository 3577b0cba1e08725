package dev.tensorj.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;

/** The Markdown write-up of one {@link SgemmBenchmark} run: where it ran, then one row per measurement. */
final class Report {
    private Report() {}

    static String markdown(List<SgemmBenchmark.Row> rows, int threads, int blasThreads, String core) {
        var sb = new StringBuilder();
        sb.append("# CPU SGEMM: tensorj pure Java vs OpenBLAS\n\n");
        sb.append("- Date: ").append(LocalDate.now()).append('\n');
        sb.append("- Commit: ").append(SgemmBenchmark.Environment.command("git", "rev-parse", "--short", "HEAD"))
                .append(dirty()).append('\n');
        sb.append("- Machine: ").append(cpuModel()).append(", ")
                .append(Runtime.getRuntime().availableProcessors()).append(" logical CPUs, ")
                .append(memoryGb()).append(" GB RAM; ").append(SgemmBenchmark.Environment.command("uname", "-sr"))
                .append('\n');
        sb.append("- Caches: ").append(caches()).append('\n');
        sb.append("- JVM: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append(" (").append(System.getProperty("java.vm.vendor"))
                .append("), heap max ").append(Runtime.getRuntime().maxMemory() >> 20).append(" MiB\n");
        sb.append("- tensorj threads: ").append(System.getProperty("tensorj.cpu.threads", "default (one per core)"))
                .append("; OpenBLAS threads: ").append(blasThreads).append(" (asked for ").append(threads).append(")\n");
        sb.append("- OpenBLAS: ").append(org.bytedeco.openblas.global.openblas.OPENBLAS_VERSION.strip())
                .append(" (org.bytedeco:openblas 0.3.31-1.5.13), core picked at run time: ").append(core).append('\n');
        sb.append("- Environment: OPENBLAS_CORETYPE=").append(env("OPENBLAS_CORETYPE"))
                .append(", OPENBLAS_L2_SIZE=").append(env("OPENBLAS_L2_SIZE"))
                .append(", OPENBLAS_NUM_THREADS=").append(env("OPENBLAS_NUM_THREADS")).append('\n');
        sb.append("- Load average at the end of the run: ").append(loadAverage()).append('\n');
        sb.append("\nEach row: untimed warm-up runs, then at least 11 timed runs (about 1.5 s). tensorj's time ")
                .append("includes allocating the result tensor and copying it out with toFloatArray(); OpenBLAS on ")
                .append("native memory includes nothing but the call. GFLOP/s = 2·m·n·k / time.\n\n");
        sb.append("| shape | method | runs | median ms | min ms | max ms | GFLOP/s (median) | GFLOP/s (worst) | GFLOP/s (best) |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (var r : rows) {
            sb.append(r.line()).append('\n');
        }
        return sb.toString();
    }

    private static String dirty() {
        String status = SgemmBenchmark.Environment.command("git", "status", "--porcelain", "--untracked-files=no");
        return status.isEmpty() ? "" : " (with uncommitted changes)";
    }

    private static String env(String name) {
        String v = System.getenv(name);
        return v == null ? "(unset)" : v;
    }

    private static String cpuModel() {
        return read("/proc/cpuinfo").lines().filter(l -> l.startsWith("model name"))
                .map(l -> l.replaceFirst("model name\\s*:\\s*", "")).findFirst().orElse(System.getProperty("os.arch"));
    }

    private static String caches() {
        return SgemmBenchmark.Environment.command("sh", "-c", "lscpu | grep -E '^L[123]' | tr -s ' ' | paste -sd ';' -");
    }

    private static String memoryGb() {
        return read("/proc/meminfo").lines().filter(l -> l.startsWith("MemTotal"))
                .map(l -> String.format(Locale.ROOT, "%.0f", Long.parseLong(l.replaceAll("\\D", "")) / 1048576.0))
                .findFirst().orElse("?");
    }

    private static String loadAverage() {
        return read("/proc/loadavg").strip();
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (Exception e) {
            return "";
        }
    }
}
