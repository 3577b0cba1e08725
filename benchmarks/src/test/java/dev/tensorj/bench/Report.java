package dev.tensorj.bench;

import java.time.LocalDate;
import java.util.List;

/** The Markdown write-up of one {@link SgemmBenchmark} run: where it ran, then one row per measurement. */
final class Report {
    private Report() {}

    static String markdown(List<SgemmBenchmark.Row> rows, int threads, int blasThreads, String core) {
        var sb = new StringBuilder();
        sb.append("# CPU SGEMM: tensorj pure Java vs OpenBLAS\n\n");
        sb.append("- Date: ").append(LocalDate.now()).append('\n');
        sb.append("- Commit: ").append(Environment.commit()).append('\n');
        sb.append("- Machine: ").append(Environment.cpuModel()).append(", ")
                .append(Runtime.getRuntime().availableProcessors()).append(" logical CPUs, ")
                .append(Environment.memoryGb()).append(" GB RAM; ").append(Environment.command("uname", "-sr"))
                .append('\n');
        sb.append("- Caches: ").append(Environment.caches()).append('\n');
        sb.append("- JVM: ").append(Environment.jvm())
                .append(", heap max ").append(Runtime.getRuntime().maxMemory() >> 20).append(" MiB\n");
        sb.append("- tensorj threads: ").append(System.getProperty("tensorj.cpu.threads", "default (one per core)"))
                .append("; OpenBLAS threads: ").append(blasThreads).append(" (asked for ").append(threads).append(")\n");
        sb.append("- OpenBLAS: ").append(Environment.openblasVersion())
                .append(" (org.bytedeco:openblas 0.3.31-1.5.13), core picked at run time: ").append(core).append('\n');
        sb.append("- Environment: OPENBLAS_CORETYPE=").append(Environment.env("OPENBLAS_CORETYPE"))
                .append(", OPENBLAS_L2_SIZE=").append(Environment.env("OPENBLAS_L2_SIZE"))
                .append(", OPENBLAS_NUM_THREADS=").append(Environment.env("OPENBLAS_NUM_THREADS")).append('\n');
        sb.append("- Load average at the end of the run: ").append(Environment.read("/proc/loadavg").strip()).append('\n');
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
}
