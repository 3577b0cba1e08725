package dev.tensorj.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import jcuda.nvptxcompiler.JNvPTXCompiler;
import jcuda.nvptxcompiler.nvPTXCompilerHandle;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The shipped PTX, checked without a GPU: JCuda's statically linked nvPTXCompiler (12.0, which
 * takes PTX ISA up to 8.0) compiles every file to cubin for sm_75, sm_80 and sm_90; each file
 * declares ISA 7.5 and defines exactly the kernels {@link Kernel} launches; and the files are what
 * build-kernels.sh makes from the current .cu sources with this machine's nvcc (skipped without one).
 */
class KernelCompileTest {
    private static final Path SHIPPED = Path.of("src/main/resources/dev/tensorj/cuda");
    private static final Pattern ENTRY = Pattern.compile("^\\.visible \\.entry (\\w+)\\(", Pattern.MULTILINE);

    static List<Path> ptxFiles() throws IOException {
        try (Stream<Path> s = Files.list(SHIPPED)) {
            return s.filter(p -> p.toString().endsWith(".ptx")).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void everyModuleIsShipped() throws IOException {
        Set<String> modules = new TreeSet<>();
        for (Kernel k : Kernel.values()) {
            modules.add(k.module + ".ptx");
            try (InputStream in = KernelCompileTest.class.getResourceAsStream(k.resource())) {
                assertNotNull(in, k.resource() + " is not on the classpath");
            }
        }
        Set<String> files = ptxFiles().stream().map(p -> p.getFileName().toString())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(modules, files);
    }

    @ParameterizedTest
    @MethodSource("ptxFiles")
    void declaresIsa75AndDefinesTheKernelsTheBackendLaunches(Path ptx) throws IOException {
        String text = Files.readString(ptx);
        assertTrue(text.contains("\n.version 7.5\n"), ptx + " must declare .version 7.5 (see build-kernels.sh)");
        assertTrue(text.contains("\n.target sm_75\n"), ptx + " must target sm_75");
        Set<String> defined = new TreeSet<>();
        Matcher m = ENTRY.matcher(text);
        while (m.find()) {
            defined.add(m.group(1));
        }
        String module = ptx.getFileName().toString().replace(".ptx", "");
        Set<String> used = new TreeSet<>();
        for (Kernel k : Kernel.values()) {
            if (k.module.equals(module)) {
                used.add(k.symbol);
            }
        }
        assertEquals(used, defined, "kernels of " + ptx);
    }

    private static final Pattern PARAM = Pattern.compile("\\.param (?:\\.align \\d+ )?\\.(\\w+) \\w+?_param_\\d+(\\[(\\d+)\\])?");

    /** Each kernel's declared parameters (Kernel.params) have the PTX parameters' types and sizes. */
    @ParameterizedTest
    @MethodSource("ptxFiles")
    void kernelParametersMatchWhatTheBackendPasses(Path ptx) throws IOException {
        String text = Files.readString(ptx);
        String module = ptx.getFileName().toString().replace(".ptx", "");
        for (Kernel k : Kernel.values()) {
            if (!k.module.equals(module)) {
                continue;
            }
            int start = text.indexOf(".visible .entry " + k.symbol + "(");
            String decl = text.substring(start, text.indexOf(")", start));
            StringBuilder letters = new StringBuilder();
            Matcher m = PARAM.matcher(decl);
            while (m.find()) {
                String type = m.group(1);
                if (m.group(3) != null) {
                    char struct = k.params.charAt(letters.length()) == 'x' ? 'x' : 's';
                    long longs = struct == 'x' ? CudaIndex.PACKED_LONGS : 1 + 3 * BroadcastLaunch.MAX_KERNEL_RANK;
                    assertEquals(String.valueOf(8 * longs), m.group(3), k.symbol + ": struct size");
                    letters.append(struct);
                } else if (type.equals("f32")) {
                    letters.append('f');
                } else if (type.equals("u32") || type.equals("s32")) {
                    letters.append('i');
                } else if (type.equals("u64") || type.equals("s64")) {
                    // pointers and 64-bit integers look alike in PTX
                    letters.append(k.params.charAt(letters.length()) == 'p' ? 'p' : 'l');
                } else {
                    letters.append('?');
                }
            }
            assertEquals(k.params, letters.toString(), k.symbol + " parameters");
        }
    }

    @Test
    void launchesRejectArgumentsOfTheWrongType() {
        Kernel.UNARY.checkArguments(new Object[] {1, null, new jcuda.driver.CUdeviceptr(), 5L});
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Kernel.UNARY.checkArguments(new Object[] {1, null, null, 5}));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Kernel.AXPY.checkArguments(new Object[] {1, null, null, null, 1L})); // alpha must be a float
    }

    @ParameterizedTest
    @MethodSource("ptxFiles")
    void compilesToCubinForTuringAmpereAndHopper(Path ptx) throws IOException {
        byte[] src = Files.readAllBytes(ptx);
        JNvPTXCompiler.setExceptionsEnabled(false);
        for (String arch : List.of("sm_75", "sm_80", "sm_90")) {
            nvPTXCompilerHandle h = new nvPTXCompilerHandle();
            assertEquals(0, JNvPTXCompiler.nvPTXCompilerCreate(h, src.length, src), "create");
            try {
                int rc = JNvPTXCompiler.nvPTXCompilerCompile(h, 1, new String[] {"--gpu-name=" + arch});
                assertEquals(0, rc, () -> ptx + " for " + arch + ": " + errorLog(h));
                long[] size = {0};
                JNvPTXCompiler.nvPTXCompilerGetCompiledProgramSize(h, size);
                assertTrue(size[0] > 0, "empty cubin");
            } finally {
                JNvPTXCompiler.nvPTXCompilerDestroy(h);
            }
        }
    }

    private static String errorLog(nvPTXCompilerHandle h) {
        long[] size = {0};
        JNvPTXCompiler.nvPTXCompilerGetErrorLogSize(h, size);
        byte[] log = new byte[(int) size[0]];
        JNvPTXCompiler.nvPTXCompilerGetErrorLog(h, log);
        return new String(log, StandardCharsets.UTF_8).trim();
    }

    /**
     * The shipped PTX is exactly what build-kernels.sh makes from the current sources with this
     * machine's nvcc. Skipped only where there is no nvcc. Another nvcc release fails too (the
     * files record the release in their first line): regenerate with it and commit.
     */
    @Test
    void shippedPtxMatchesTheSources() throws Exception {
        Path nvcc = Path.of(System.getenv().getOrDefault("NVCC", "/usr/local/cuda/bin/nvcc"));
        assumeTrue(Files.isExecutable(nvcc), "no nvcc at " + nvcc + " (set NVCC to point at one): the shipped "
                + "PTX is not compared with a rebuild from src/main/cuda on this machine");
        Path out = Files.createTempDirectory("tensorj-ptx");
        try {
            // Output to a file, so that waitFor's limit holds (reading a pipe would block until the end).
            Path logFile = out.resolve("build-kernels.log");
            ProcessBuilder pb = new ProcessBuilder("bash", "src/main/cuda/build-kernels.sh").redirectErrorStream(true)
                    .redirectOutput(logFile.toFile());
            pb.environment().put("TJ_PTX_OUT", out.toString());
            pb.environment().put("NVCC", nvcc.toString());
            Process p = pb.start();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("build-kernels.sh took more than 300 s:\n" + Files.readString(logFile));
            }
            String log = Files.readString(logFile);
            assertEquals(0, p.exitValue(), "build-kernels.sh failed with " + nvcc + ":\n" + log);
            List<String> problems = new ArrayList<>();
            Set<String> shippedNames = new TreeSet<>();
            for (Path shipped : ptxFiles()) {
                shippedNames.add(shipped.getFileName().toString());
                Path rebuilt = out.resolve(shipped.getFileName());
                if (!Files.exists(rebuilt)) {
                    problems.add(shipped.getFileName() + " has no source in src/main/cuda");
                    continue;
                }
                String problem = difference(Files.readAllLines(shipped), Files.readAllLines(rebuilt));
                if (problem != null) {
                    problems.add(shipped.getFileName() + ": " + problem);
                }
            }
            try (Stream<Path> s = Files.list(out)) {
                s.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".ptx") && !shippedNames.contains(n))
                        .forEach(n -> problems.add(n + " is built from src/main/cuda but not shipped"));
            }
            assertTrue(problems.isEmpty(), "the shipped PTX is not what src/main/cuda builds with " + nvcc + ": "
                    + String.join("; ", problems) + ". Regenerate with 'bash src/main/cuda/build-kernels.sh' and "
                    + "commit src/main/resources/dev/tensorj/cuda/*.ptx");
        } finally {
            try (Stream<Path> s = Files.walk(out)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** Null when equal; else which nvcc made each (when the first lines differ) or the first differing line. */
    private static String difference(List<String> shipped, List<String> rebuilt) {
        if (shipped.equals(rebuilt)) {
            return null;
        }
        String shippedBy = shipped.isEmpty() ? "" : shipped.get(0);
        String rebuiltBy = rebuilt.isEmpty() ? "" : rebuilt.get(0);
        if (!shippedBy.equals(rebuiltBy)) {
            return "built by " + nvccRelease(shippedBy) + ", this machine's nvcc is " + nvccRelease(rebuiltBy);
        }
        int n = Math.min(shipped.size(), rebuilt.size());
        for (int i = 0; i < n; i++) {
            if (!shipped.get(i).equals(rebuilt.get(i))) {
                return "differs from the rebuild at line " + (i + 1) + ": shipped '" + shipped.get(i).trim()
                        + "', rebuilt '" + rebuilt.get(i).trim() + "'";
            }
        }
        return "has " + shipped.size() + " lines, the rebuild " + rebuilt.size();
    }

    private static String nvccRelease(String firstLine) {
        Matcher m = Pattern.compile("nvcc (V[0-9][0-9.]*)").matcher(firstLine);
        return m.find() ? "nvcc " + m.group(1) : "an unknown compiler ('" + firstLine + "')";
    }
}
