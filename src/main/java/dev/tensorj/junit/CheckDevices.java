package dev.tensorj.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * For a {@code @ParameterizedTest} whose own source yields devices among other arguments (say
 * from {@link DeviceCases#devices()}): each invocation with a CUDA {@link dev.tensorj.Device}
 * argument is checked as {@link DevicesSource}'s are, and skipped (or failed) with the reason when
 * that device cannot be used. {@link DevicesSource} needs no such mark.
 */
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(DeviceExtension.class)
public @interface CheckDevices {
}
