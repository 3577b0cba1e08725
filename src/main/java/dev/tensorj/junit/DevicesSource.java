package dev.tensorj.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.provider.ArgumentsSource;

/**
 * A {@code @ParameterizedTest} over devices: one invocation for cpu, one for each CUDA device, and
 * one for meta with {@code meta = true} (the order of {@link DeviceCases}). The test takes one
 * {@link dev.tensorj.Device} parameter:
 * <pre>{@code
 * @ParameterizedTest
 * @DevicesSource
 * void addsOnEveryDevice(Device device) { ... }
 * }</pre>
 * A CUDA invocation whose device cannot be used is skipped with the probed reason
 * ({@link dev.tensorj.Device#cudaStatus()}) before the test body runs, or fails with
 * {@code -Dtensorj.test.cuda=required}; see {@link DeviceExtension}.
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ArgumentsSource(DevicesProvider.class)
@ExtendWith(DeviceExtension.class)
public @interface DevicesSource {
    /** Whether to add an invocation on {@code meta} (shapes and dtypes only) after the others. */
    boolean meta() default false;
}
