package dev.tensorj.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What a user downloads next to the classes: the -sources and -javadoc jars that an IDE shows, and
 * the POM's metadata. The pom's dependency plugin fetched them by classifier into tensorj.it.jars.
 */
class PublishedArtifactsTest {
    private static final Path JARS = Path.of(System.getProperty("tensorj.it.jars"));
    private static final List<String> API = List.of("dev/tensorj/", "dev/tensorj/nn/", "dev/tensorj/optim/",
            "dev/tensorj/data/", "dev/tensorj/train/");

    @Test
    void theJarHoldsTheModuleTheKernelsAndNoTestClasses() throws IOException {
        Set<String> names = entries("tensorj.jar");
        assertTrue(names.contains("module-info.class"), "module-info.class");
        assertTrue(names.contains("dev/tensorj/Tensor.class"), "Tensor.class");
        assertTrue(names.contains("dev/tensorj/cuda/elementwise.ptx"), "the CUDA kernels' PTX");
        assertTrue(names.contains("META-INF/maven/dev.tensorj/tensorj/pom.xml"), "the pom");
        assertFalse(names.stream().anyMatch(n -> n.endsWith("Test.class")), "no test classes");
    }

    @Test
    void theSourcesJarHoldsEveryPackagesSources() throws IOException {
        Set<String> names = entries("tensorj-sources.jar");
        assertTrue(names.contains("module-info.java"), "module-info.java");
        for (String pkg : API) {
            assertTrue(names.stream().anyMatch(n -> n.startsWith(pkg) && n.endsWith(".java")
                    && n.indexOf('/', pkg.length()) < 0), "sources of " + pkg);
        }
        assertTrue(names.contains("dev/tensorj/Tensor.java"), "Tensor.java");
        assertFalse(names.stream().anyMatch(n -> n.endsWith(".class")), "no classes");
    }

    /** The Javadoc of the exported packages only: the backends are implementation. */
    @Test
    void theJavadocJarDocumentsTheExportedApiOnly() throws IOException {
        Set<String> names = entries("tensorj-javadoc.jar");
        assertTrue(names.contains("index.html"), "index.html");
        assertTrue(names.stream().anyMatch(n -> n.endsWith("dev/tensorj/Tensor.html")), "Tensor.html");
        for (String pkg : API) {
            assertTrue(names.stream().anyMatch(n -> n.endsWith(pkg + "package-summary.html")), "the page of " + pkg);
        }
        assertFalse(names.stream().anyMatch(n -> n.contains("dev/tensorj/backend/")), "no backend pages");
        String tensor = read("tensorj-javadoc.jar",
                names.stream().filter(n -> n.endsWith("dev/tensorj/Tensor.html")).findFirst().orElseThrow());
        assertTrue(tensor.contains("matmul"), "Tensor.html documents matmul");
    }

    @Test
    void thePomCarriesWhatARepositoryRequires() throws IOException {
        String pom = Files.readString(JARS.resolve("tensorj.pom"));
        for (String element : List.of("<name>", "<description>", "<url>", "<licenses>", "<scm>", "<developers>")) {
            assertTrue(pom.contains(element), "the pom has no " + element);
        }
        assertTrue(pom.contains("<name>Apache-2.0</name>"), "the licence");
        assertTrue(pom.contains("<url>https://"), "the project's address");
    }

    private static Set<String> entries(String jar) throws IOException {
        try (JarFile file = new JarFile(JARS.resolve(jar).toFile())) {
            return file.stream().map(e -> e.getName()).collect(Collectors.toSet());
        }
    }

    private static String read(String jar, String entry) throws IOException {
        try (JarFile file = new JarFile(JARS.resolve(jar).toFile())) {
            return new String(file.getInputStream(file.getEntry(entry)).readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
