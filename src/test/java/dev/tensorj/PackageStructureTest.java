package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The shape of the code, checked on the compiled classes: only the API packages are exported,
 * each documented; the packages form no cycle (as {@code jdeps} sees them); backends depend on the
 * backend interface only, never on the API; {@code nn}, {@code optim}, {@code data} and {@code train} use the public API only
 * (and {@code nn} and {@code optim} the one gradient accessor of {@code dev.tensorj.internal}); the JUnit
 * extension ({@code junit}) uses the public API of {@code dev.tensorj} only.
 */
class PackageStructureTest {
    private static final Path CLASSES = Path.of("target/classes");
    private static final Set<String> API = Set.of("dev.tensorj", "dev.tensorj.nn", "dev.tensorj.optim", "dev.tensorj.data",
            "dev.tensorj.train", "dev.tensorj.junit");

    @Test
    void theModuleExportsExactlyTheApiPackagesEachDocumented() throws Exception {
        ModuleDescriptor d = ModuleFinder.of(CLASSES).findAll().iterator().next().descriptor();
        assertEquals("dev.tensorj", d.name());
        Set<String> exported = d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        assertEquals(API, exported);
        for (ModuleDescriptor.Exports e : d.exports()) {
            assertFalse(e.isQualified(), e + " is exported to named modules only");
        }
        for (String p : API) {
            assertTrue(Files.exists(CLASSES.resolve(p.replace('.', '/')).resolve("package-info.class")),
                    p + " has no package-info.java");
        }
    }

    @Test
    void packagesFormNoCycleAndBackendsNeverSeeTheApi() {
        Map<String, Set<String>> deps = packageDependencies();
        assertTrue(deps.containsKey("dev.tensorj.backend.cuda"), "jdeps saw no backend: " + deps.keySet());
        for (var e : deps.entrySet()) {
            String from = e.getKey();
            for (String to : e.getValue()) {
                if (from.startsWith("dev.tensorj.backend")) {
                    assertTrue(to.startsWith("dev.tensorj.backend"), from + " depends on " + to
                            + ": backends may depend on the backend interface only");
                }
                if (from.equals("dev.tensorj.junit")) {
                    assertEquals("dev.tensorj", to, "dev.tensorj.junit depends on " + to
                            + ": the JUnit extension is written with the public API of dev.tensorj only");
                }
                if (from.equals("dev.tensorj.nn") || from.equals("dev.tensorj.optim") || from.equals("dev.tensorj.data")
                        || from.equals("dev.tensorj.train")) {
                    // dev.tensorj.internal.Grads: the library's optimizers read gradients without taking them
                    boolean internal = to.equals("dev.tensorj.internal")
                            && (from.equals("dev.tensorj.nn") || from.equals("dev.tensorj.optim"));
                    assertTrue(to.equals("dev.tensorj") || to.equals("dev.tensorj.nn") || internal, from + " depends on "
                            + to + ": nn, optim, data and train are written with the public API only");
                }
            }
        }
        List<String> cycles = new ArrayList<>();
        for (String from : deps.keySet()) {
            for (String to : deps.get(from)) {
                if (reaches(deps, to, from, new TreeSet<>())) {
                    cycles.add(from + " -> " + to);
                }
            }
        }
        assertEquals(List.of(), cycles, "package cycles");
    }

    @Test
    void onTheModulePathTheApiWorksAndTheBackendsAreHidden() throws Exception {
        List<Path> paths = new ArrayList<>();
        paths.add(CLASSES);
        paths.addAll(runtimeJars());
        ModuleFinder finder = ModuleFinder.of(paths.toArray(Path[]::new));
        Configuration cf = ModuleLayer.boot().configuration().resolve(finder, ModuleFinder.of(), Set.of("dev.tensorj"));
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
        Module m = layer.findModule("dev.tensorj").orElseThrow();
        assertTrue(m.isExported("dev.tensorj"));
        assertFalse(m.isExported("dev.tensorj.backend"));
        assertFalse(m.isExported("dev.tensorj.backend.cpu"));
        // An op through the module: (1.5 + 2.25) on cpu
        Class<?> tensor = layer.findLoader("dev.tensorj").loadClass("dev.tensorj.Tensor");
        Object a = tensor.getMethod("scalar", float.class).invoke(null, 1.5f);
        Object b = tensor.getMethod("scalar", float.class).invoke(null, 2.25f);
        Object sum = tensor.getMethod("add", tensor).invoke(a, b);
        assertEquals(3.75f, (float) tensor.getMethod("item").invoke(sum));
    }

    private static boolean reaches(Map<String, Set<String>> deps, String from, String target, Set<String> seen) {
        if (from.equals(target)) {
            return true;
        }
        if (!seen.add(from)) {
            return false;
        }
        for (String next : deps.getOrDefault(from, Set.of())) {
            if (reaches(deps, next, target, seen)) {
                return true;
            }
        }
        return false;
    }

    /** tensorj package → the other tensorj packages it uses, from {@code jdeps -verbose:package}. */
    private static Map<String, Set<String>> packageDependencies() {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        StringWriter out = new StringWriter();
        String modulePath = runtimeJars().stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
        int rc = jdeps.run(new PrintWriter(out), new PrintWriter(out), "--multi-release", "17", "--module-path",
                modulePath, "-verbose:package", "-filter:none", CLASSES.toString());
        assertEquals(0, rc, out.toString());
        Map<String, Set<String>> deps = new TreeMap<>();
        for (String line : out.toString().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 3 && f[1].equals("->") && f[0].startsWith("dev.tensorj") && f[2].startsWith("dev.tensorj")
                    && !f[0].equals(f[2])) {
                deps.computeIfAbsent(f[0], k -> new TreeSet<>()).add(f[2]);
            }
        }
        return deps;
    }

    /** The jars the module requires, taken from the test class path. */
    private static List<Path> runtimeJars() {
        List<Path> jars = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (name.startsWith("slf4j-api") || name.startsWith("jcuda-") || name.startsWith("jcublas-")
                    || name.startsWith("openblas-") || name.startsWith("javacpp-") || name.startsWith("commons-csv-")
                    || name.startsWith("commons-io-") || name.startsWith("commons-codec-")
                    || name.startsWith("jackson-")) {
                jars.add(Path.of(entry));
            }
        }
        return jars;
    }
}
