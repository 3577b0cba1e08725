package dev.tensorj.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fails a test that leaves tensors behind: after each test (or, with {@link Scope#CLASS}, after
 * the class's last test and {@code @AfterAll} methods), once the garbage collector has had its turn,
 * no tensor allocated during it may still be live (neither closed nor collected), and each CUDA
 * device's pool must hold no more bytes than before it. The failure lists each live tensor (shape in
 * elements, dtype, device) with the stack that allocated it, and each pool's bytes before and after.
 *
 * <p>Live tensors are found by {@link dev.tensorj.LeakReport}, which the check turns on while the
 * test runs (and off again after, unless it was on). That captures a stack per allocation: for a
 * test that allocates millions of tensors, {@code tensors = false} checks the pools' bytes only.
 * Tensors held by the test instance's fields are still live when the check runs: close them in an
 * {@code @AfterEach} method (it runs before the check). A tensor collected without {@code close()}
 * is no leak (tensorj frees memory through the garbage collector by default), though the leak
 * report logs the first ten of them.
 *
 * <p>Where several tests run at once in one JVM (JUnit's parallel mode), their allocations cannot be
 * told apart: run checked tests one at a time.
 */
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(LeakCheckExtension.class)
public @interface LeakCheck {

    /** What one check covers. */
    enum Scope {
        /** Each test on its own (with its {@code @BeforeEach} and {@code @AfterEach} methods). */
        EACH_TEST,
        /** The class as a whole, from before its {@code @BeforeAll} methods to after its {@code @AfterAll} ones. */
        CLASS
    }

    /** Each test (the default) or the whole class; on a method, always that test. */
    Scope value() default Scope.EACH_TEST;

    /** Whether live tensors are looked for (with their allocation stacks), besides the pools' bytes. */
    boolean tensors() default true;
}
