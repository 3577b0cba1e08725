package dev.tensorj.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test (or every test of a class) that needs {@code cuda:0}: where CUDA cannot be used it is
 * skipped with the probed reason ({@link dev.tensorj.Device#cudaStatus()}) before any
 * {@code @BeforeEach} method runs, or fails with {@code -Dtensorj.test.cuda=required}.
 */
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(DeviceExtension.class)
public @interface RequiresCuda {
}
