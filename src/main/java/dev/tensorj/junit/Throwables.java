package dev.tensorj.junit;

import org.junit.jupiter.api.function.Executable;

/** Runs a JUnit {@link Executable} and lets whatever it throws through, unchanged and unwrapped. */
final class Throwables {
    private Throwables() {}

    static void run(Executable block) {
        try {
            block.execute();
        } catch (Throwable t) {
            throw Throwables.<RuntimeException>sneaky(t);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
