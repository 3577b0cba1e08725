package dev.tensorj.examples;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Captures what slf4j-simple (the test binding) writes to System.err while a block runs. */
final class StderrCapture {
    private StderrCapture() {}

    static String during(Runnable body) {
        PrintStream original = System.err;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(original);
        }
        String s = buffer.toString(StandardCharsets.UTF_8);
        original.print(s); // keep it visible in the test log
        return s;
    }
}
