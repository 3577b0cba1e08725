package dev.tensorj.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The idle-GPU policy ({@link dev.tensorj.IdleGpuPolicy}) is {@code STRICT} while the annotated test
 * runs (on a class: from before its {@code @BeforeAll} methods to after its {@code @AfterAll}
 * ones), and what it was before afterwards: a forward pass or an optimizer step on the CPU while
 * CUDA is available throws {@link dev.tensorj.IdleGpuException} instead of logging a warning.
 * The policy is one setting for the whole JVM: tests that run at the same time share it.
 */
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(StrictIdleGpuExtension.class)
public @interface StrictIdleGpu {
}
