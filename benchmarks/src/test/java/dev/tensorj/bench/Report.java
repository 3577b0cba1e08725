package dev.tensorj.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;

/** The Markdown write-up of one {@link SgemmBenchmark} run: where it ran, then one row per measurement. */
final class Report {
    private Report() {}

    static String markdown(List<SgemmBenchmark.Row> rows, int threads, int blasThreads, String core, String loadBefore) {
        var sb = new StringBuilder();
        sb.append("# CPU SGEMM: tensorj pure Java vs OpenBLAS\n\n");
        sb.append("- Date: ").append(LocalDate.now()).append('\n');
        sb.append("- Commit: ").append(SgemmBenchmark.Environment.command("git", "rev-parse", "--short", "HEAD"))
                .append(dirty()).append('\n');
        sb.append("- Machine: ").append(cpuModel()).append(" (").append(cpuId()).append("), ")
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
        sb.append("- Load average (/proc/loadavg) before the run: ").append(loadBefore).append("; after: ")
                .append(loadAverage()).append(". Other processes may have run meanwhile; medians resist ")
                .append("short disturbances, min/max show them.\n");
        sb.append("\nEach row: untimed warm-up runs (at least 3, about 0.2 s), then at least 11 timed runs ")
                .append("(about 1.5 s). tensorj's time is one `Tensor.matmul` call, which allocates the result ")
                .append("tensor; OpenBLAS on native memory is the bare `cblas_sgemm` call. The naive loop is ")
                .append("single-threaded, the rest use two threads. GFLOP/s = 2·m·n·k / time; \"worst\" and ")
                .append("\"best\" come from the slowest and fastest run.\n\n");
        sb.append(tables(rows));
        return sb.toString();
    }

    /** Another run's results, to append under the first run's header (same machine and build). */
    static String repeat(List<SgemmBenchmark.Row> rows, String loadBefore) {
        return "\n## Repeat run, " + java.time.LocalTime.now().withNano(0) + ", commit "
                + SgemmBenchmark.Environment.command("git", "rev-parse", "--short", "HEAD") + dirty() + "\n\n"
                + "Load average before: " + loadBefore + "; after: " + loadAverage() + "\n\n" + tables(rows);
    }

    private static String tables(List<SgemmBenchmark.Row> rows) {
        var sb = new StringBuilder();
        sb.append("Median GFLOP/s:\n\n").append(pivot(rows)).append("\nAll measurements:\n\n");
        sb.append("| shape | method | runs | median ms | min ms | max ms | GFLOP/s (median) | GFLOP/s (worst) | GFLOP/s (best) |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (var r : rows) {
            sb.append(r.line()).append('\n');
        }
        return sb.toString();
    }

    /** Median GFLOP/s, one row per shape and one column per method. */
    private static String pivot(List<SgemmBenchmark.Row> rows) {
        var methods = new java.util.LinkedHashSet<String>();
        var shapes = new java.util.LinkedHashSet<String>();
        for (var r : rows) {
            methods.add(r.method);
            shapes.add(r.shape);
        }
        var sb = new StringBuilder("| shape |");
        for (String m : methods) {
            sb.append(' ').append(m).append(" |");
        }
        sb.append("\n|---|").append("---:|".repeat(methods.size())).append('\n');
        for (String shape : shapes) {
            sb.append("| ").append(shape).append(" |");
            for (String m : methods) {
                String cell = rows.stream().filter(r -> r.shape.equals(shape) && r.method.equals(m)).findFirst()
                        .map(r -> String.format(Locale.ROOT, "%.1f", r.gflops(r.median()))).orElse("–");
                sb.append(' ').append(cell).append(" |");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static String loadAverage() {
        return read("/proc/loadavg").strip();
    }

    private static String cpuId() {
        String info = read("/proc/cpuinfo");
        String fields = info.lines().filter(l -> l.matches("(vendor_id|cpu family|model|stepping)\\s*:.*"))
                .limit(4).map(l -> l.replaceAll("\\s*:\\s*", " ")).reduce((x, y) -> x + ", " + y).orElse("");
        boolean vm = info.contains(" hypervisor");
        boolean avx512 = info.contains(" avx512f");
        return fields + (avx512 ? ", AVX-512" : "") + (vm ? ", virtual machine" : "");
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

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (Exception e) {
            return "";
        }
    }
}
