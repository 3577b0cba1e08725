package dev.tensorj.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A running {@link SuiteWorker} (a child JVM of {@link CpuBenchmarkSuite}) and the lines it prints. */
final class ChildJvm implements AutoCloseable {
    private static final String EOF = "\u0000eof";
    private final Process process;
    private final String tag;
    private final Path file;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Writer stdin;

    private ChildJvm(Process process, String tag, Path file) {
        this.process = process;
        this.tag = tag;
        this.file = file;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("output lost: " + e);
            }
            lines.add(EOF);
        });
        reader.setDaemon(true);
        reader.start();
    }

    /** {@code pinCpu}: a CPU list for taskset, or null to let the scheduler place the JVM. */
    static ChildJvm start(String classpath, Path work, int threads, String counters, String pinCpu, String... mode)
            throws IOException {
        Path file = Files.createTempFile(work, mode[0] + "-", ".tsv");
        List<String> cmd = new ArrayList<>();
        if (pinCpu != null) {
            cmd.addAll(List.of("/usr/bin/taskset", "-c", pinCpu));
        }
        cmd.addAll(List.of(Environment.javaExecutable(),
                // G1 is the default here (2 CPUs); named so that a pinned JVM, which sees one CPU, keeps it.
                "-XX:+UseG1GC",
                "-Dtensorj.cpu.threads=" + threads,
                "-Dai.djl.pytorch.num_threads=" + threads,
                "-Dai.djl.pytorch.num_interop_threads=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                // DJL probes for CUDA even with the CPU natives; on a machine without a GPU that is noise.
                "-Dorg.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils=error"));
        if (Runtime.version().feature() >= 22) {
            // JNI (JavaCPP's and tensorj's glue) is restricted from Java 24 on; the flag only
            // silences the warning, it changes nothing measured.
            cmd.add("--enable-native-access=ALL-UNNAMED");
        }
        if (counters != null) {
            cmd.add("-Dtensorj.counters=" + counters);
        }
        cmd.addAll(List.of("-cp", classpath, SuiteWorker.class.getName(), mode[0], file.toString()));
        cmd.addAll(List.of(mode).subList(1, mode.length));
        var pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OPENBLAS_NUM_THREADS", String.valueOf(threads));
        pb.environment().put("OMP_NUM_THREADS", String.valueOf(threads));
        String tag = "[" + String.join(" ", mode) + (counters != null ? " counters=" + counters : "") + ", "
                + threads + "T] ";
        System.out.println(tag + "starting child JVM");
        return new ChildJvm(pb.start(), tag, file);
    }

    void send(String command) throws IOException {
        stdin.write(command + "\n");
        stdin.flush();
    }

    /** Echoes lines until one starts with {@code prefix}, and returns that one. */
    String await(String prefix) throws InterruptedException {
        while (true) {
            String line = lines.poll(10, TimeUnit.MINUTES);
            if (line == null || line.equals(EOF)) {
                throw new IllegalStateException(tag + "child JVM ended or hung before printing " + prefix);
            }
            if (line.startsWith(prefix)) {
                return line;
            }
            System.out.println(tag + line);
        }
    }

    /** Closes its input, echoes the rest of its output and reads back what it measured. */
    List<Results.Result> finish() throws IOException, InterruptedException {
        try {
            send("quit");
            stdin.close();
        } catch (IOException e) {
            // it has ended already; its exit status tells how
        }
        for (String line; !EOF.equals(line = lines.poll(20, TimeUnit.MINUTES)); ) {
            if (line == null) {
                process.destroyForcibly();
                throw new IllegalStateException(tag + "child JVM printed nothing for 20 minutes; killed");
            }
            System.out.println(tag + line);
        }
        if (!process.waitFor(1, TimeUnit.MINUTES)) {
            process.destroyForcibly().waitFor();
        }
        assertEquals(0, process.exitValue(), tag + "child JVM failed (its output is above)");
        return Results.read(file);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
