package dev.tensorj.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.backend.BinaryOp;
import dev.tensorj.backend.RandomKind;
import dev.tensorj.backend.ScalarType;
import dev.tensorj.backend.UnaryOp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The kernels pick an op (and the cast its element types) by the ordinal the backend passes
 * ({@code op.ordinal()}), and ops.cuh mirrors the enums' order as {@code #define TJ_<NAME> <ordinal>}:
 * reordering or adding a constant without the header would make every kernel silently compute another op.
 */
class OpOrdinalsTest {
    private static final Path HEADER = Path.of("src/main/cuda/ops.cuh");
    private static final Pattern DEFINE = Pattern.compile("#define (TJ_\\w+) (\\d+)\\b.*");

    @Test
    void binaryOpDefinesAreItsOrdinals() throws IOException {
        assertMirrors("BinaryOp", BinaryOp.values());
    }

    @Test
    void unaryOpDefinesAreItsOrdinals() throws IOException {
        assertMirrors("UnaryOp", UnaryOp.values());
    }

    @Test
    void scalarTypeDefinesAreItsOrdinals() throws IOException {
        assertMirrors("ScalarType", ScalarType.values());
    }

    @Test
    void randomKindDefinesAreItsOrdinals() throws IOException {
        assertMirrors("RandomKind", RandomKind.values());
    }

    private static void assertMirrors(String group, Enum<?>[] constants) throws IOException {
        Map<String, Integer> expected = new LinkedHashMap<>();
        for (Enum<?> c : constants) {
            expected.put("TJ_" + c.name(), c.ordinal());
        }
        assertEquals(expected, defines(group), HEADER + ": the '// " + group + " ordinals' defines must be TJ_<NAME> "
                + "equal to each " + group + " constant's ordinal, no more, no fewer (update the header with the enum)");
    }

    /** The {@code #define}s right after the comment that starts with {@code // <group> ordinals}. */
    private static Map<String, Integer> defines(String group) throws IOException {
        List<String> lines = Files.readAllLines(HEADER);
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("// " + group + " ordinals")) {
                assertEquals(-1, start, HEADER + " has two '// " + group + " ordinals' blocks");
                start = i;
            }
        }
        assertTrue(start >= 0, HEADER + " has no '// " + group + " ordinals' comment line");
        int i = start + 1;
        while (i < lines.size() && lines.get(i).startsWith("//")) {
            i++; // the rest of the comment
        }
        Map<String, Integer> found = new LinkedHashMap<>();
        for (; i < lines.size() && lines.get(i).startsWith("#define"); i++) {
            Matcher m = DEFINE.matcher(lines.get(i));
            assertTrue(m.matches(), HEADER + ":" + (i + 1) + " is not '#define TJ_<NAME> <ordinal>': " + lines.get(i));
            Integer old = found.put(m.group(1), Integer.parseInt(m.group(2)));
            assertEquals(null, old, HEADER + ":" + (i + 1) + " defines " + m.group(1) + " twice");
        }
        return found;
    }
}
