package dev.tensorj.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a child JVM of the CPU suite measured, one line per result, so the parent can read it back:
 * {@code section \t name \t impl \t key=value;… \t ms,ms,…}. Values must not hold tabs, ';' or '='.
 */
final class Results {
    private Results() {}

    /** One measured case of one library; {@code ms} may be empty for facts without timings. */
    record Result(String section, String name, String impl, Map<String, String> info, Timing.Samples samples) {
        String get(String key) {
            return info.getOrDefault(key, "");
        }

        double number(String key) {
            String v = info.get(key);
            return v == null || v.isEmpty() ? Double.NaN : Double.parseDouble(v);
        }

        boolean timed() {
            return samples.ms.length > 0;
        }
    }

    static void append(Path file, Result r) {
        String info = r.info().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(";"));
        String ms = Arrays.stream(r.samples().ms).mapToObj(v -> String.format(Locale.ROOT, "%.6f", v))
                .collect(Collectors.joining(","));
        String line = String.join("\t", r.section(), r.name(), r.impl(), info, ms) + "\n";
        try {
            Files.writeString(file, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Result> read(Path file) throws IOException {
        List<Result> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String[] f = line.split("\t", -1);
            Map<String, String> info = new LinkedHashMap<>();
            for (String kv : f[3].split(";")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    info.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
            double[] ms = f[4].isEmpty() ? new double[0]
                    : Arrays.stream(f[4].split(",")).mapToDouble(Double::parseDouble).toArray();
            out.add(new Result(f[0], f[1], f[2], info, new Timing.Samples(ms)));
        }
        return out;
    }
}
