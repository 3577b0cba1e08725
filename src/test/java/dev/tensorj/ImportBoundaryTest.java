package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * JCuda stays inside {@code dev.tensorj.backend.cuda}: no other source file names a {@code jcuda}
 * type, and no public class anywhere in tensorj shows one in a public or protected signature.
 */
class ImportBoundaryTest {
    private static final Path MAIN = Path.of("src/main/java");
    private static final Path CUDA = MAIN.resolve("dev/tensorj/backend/cuda");
    /** An import or a qualified use of a jcuda package, outside comments and strings. */
    private static final Pattern JCUDA = Pattern.compile("\\bjcuda\\.[a-zA-Z]");

    private static List<Path> sources() throws IOException {
        try (Stream<Path> s = Files.walk(MAIN)) {
            return s.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void onlyTheCudaPackageUsesJcuda() throws IOException {
        List<Path> all = sources();
        assertTrue(all.size() > 30, "found only " + all.size() + " sources: run from the project root");
        List<String> offenders = new ArrayList<>();
        for (Path p : all) {
            if (p.startsWith(CUDA)) {
                continue;
            }
            String code = stripCommentsAndStrings(Files.readString(p));
            if (JCUDA.matcher(code).find()) {
                offenders.add(MAIN.relativize(p).toString());
            }
        }
        assertEquals(List.of(), offenders, "only dev.tensorj.backend.cuda may use jcuda");
    }

    /** A use of a JUnit package (org.junit.*), outside comments and strings. */
    private static final Pattern JUNIT = Pattern.compile("\\borg\\.junit\\.[a-zA-Z]");

    /**
     * JUnit is an optional dependency: only {@code dev.tensorj.junit} may use it, so that the rest of
     * the library never loads a JUnit class (and works where JUnit is absent).
     */
    @Test
    void onlyTheJunitPackageUsesJunit() throws IOException {
        Path junit = MAIN.resolve("dev/tensorj/junit");
        List<String> offenders = new ArrayList<>();
        int inJunit = 0;
        for (Path p : sources()) {
            if (p.endsWith("module-info.java")) {
                continue; // requires static org.junit.jupiter.api
            }
            boolean uses = JUNIT.matcher(stripCommentsAndStrings(Files.readString(p))).find();
            if (p.startsWith(junit)) {
                inJunit += uses ? 1 : 0;
            } else if (uses) {
                offenders.add(MAIN.relativize(p).toString());
            }
        }
        assertEquals(List.of(), offenders, "only dev.tensorj.junit may use org.junit");
        assertTrue(inJunit > 5, "the rule sees the junit package's own imports: " + inJunit);
        assertTrue(JUNIT.matcher(stripCommentsAndStrings("import org.junit.jupiter.api.Test;")).find());
        assertTrue(!JUNIT.matcher(stripCommentsAndStrings("// see org.junit.jupiter.api.Test")).find());
    }

    @Test
    void noPublicSignatureShowsAJcudaType() throws Exception {
        List<String> leaks = new ArrayList<>();
        for (Path p : sources()) {
            if (p.endsWith("module-info.java") || p.endsWith("package-info.java")) {
                continue;
            }
            String name = MAIN.relativize(p).toString().replace('/', '.').replaceAll("\\.java$", "");
            Class<?> c = Class.forName(name, false, getClass().getClassLoader());
            if (!Modifier.isPublic(c.getModifiers())) {
                continue;
            }
            check(leaks, c.getName() + " extends", c.getGenericSuperclass());
            for (var t : c.getGenericInterfaces()) {
                check(leaks, c.getName() + " implements", t);
            }
            for (Method m : c.getDeclaredMethods()) {
                if (visible(m.getModifiers())) {
                    check(leaks, c.getName() + "." + m.getName() + " returns", m.getGenericReturnType());
                    for (var t : m.getGenericParameterTypes()) {
                        check(leaks, c.getName() + "." + m.getName() + " takes", t);
                    }
                    for (var t : m.getGenericExceptionTypes()) {
                        check(leaks, c.getName() + "." + m.getName() + " throws", t);
                    }
                }
            }
            for (Constructor<?> k : c.getDeclaredConstructors()) {
                if (visible(k.getModifiers())) {
                    for (var t : k.getGenericParameterTypes()) {
                        check(leaks, c.getName() + "(" + ") takes", t);
                    }
                }
            }
            for (Field f : c.getDeclaredFields()) {
                if (visible(f.getModifiers())) {
                    check(leaks, c.getName() + "." + f.getName(), f.getGenericType());
                }
            }
        }
        assertEquals(List.of(), leaks);
    }

    private static boolean visible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static void check(List<String> leaks, String where, java.lang.reflect.Type t) {
        if (t != null && t.getTypeName().contains("jcuda.")) {
            leaks.add(where + " " + t.getTypeName());
        }
    }

    /** Java source without comments and string literals, so that prose may mention jcuda. */
    static String stripCommentsAndStrings(String src) {
        StringBuilder out = new StringBuilder(src.length());
        int i = 0;
        while (i < src.length()) {
            char c = src.charAt(i);
            if (c == '/' && i + 1 < src.length() && src.charAt(i + 1) == '/') {
                while (i < src.length() && src.charAt(i) != '\n') i++;
            } else if (c == '/' && i + 1 < src.length() && src.charAt(i + 1) == '*') {
                int end = src.indexOf("*/", i + 2);
                i = end < 0 ? src.length() : end + 2;
            } else if (c == '"' || c == '\'') {
                i++;
                while (i < src.length() && src.charAt(i) != c) {
                    i += src.charAt(i) == '\\' ? 2 : 1;
                }
                i++;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    @Test
    void theScannerSeesImportsAndQualifiedNamesButNotProse() {
        assertTrue(JCUDA.matcher(stripCommentsAndStrings("import jcuda.driver.JCudaDriver;")).find());
        assertTrue(JCUDA.matcher(stripCommentsAndStrings("catch (jcuda.CudaException e) {}")).find());
        assertTrue(!JCUDA.matcher(stripCommentsAndStrings("// uses jcuda.driver\n/* jcuda.X */ s = \"jcuda.Y\";"))
                .find());
    }
}
