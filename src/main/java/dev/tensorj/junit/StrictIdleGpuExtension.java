package dev.tensorj.junit;

import dev.tensorj.IdleGpuPolicy;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Carries out {@link StrictIdleGpu} (registered by the annotation): sets the policy to STRICT
 * around the class or the test that carries it, and restores the mode it found.
 */
public final class StrictIdleGpuExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(StrictIdleGpuExtension.class);

    /** Made by JUnit where {@link StrictIdleGpu} is used. */
    public StrictIdleGpuExtension() {}

    @Override
    public void beforeAll(ExtensionContext context) {
        if (context.getTestClass().map(c -> AnnotationSupport.isAnnotated(c, StrictIdleGpu.class)).orElse(false)) {
            strict(context);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        restore(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (context.getTestMethod().map(m -> AnnotationSupport.isAnnotated(m, StrictIdleGpu.class)).orElse(false)) {
            strict(context);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        restore(context);
    }

    private static void strict(ExtensionContext context) {
        context.getStore(NS).put("previous", IdleGpuPolicy.mode());
        IdleGpuPolicy.setMode(IdleGpuPolicy.Mode.STRICT);
    }

    private static void restore(ExtensionContext context) {
        IdleGpuPolicy.Mode previous = context.getStore(NS).remove("previous", IdleGpuPolicy.Mode.class);
        if (previous != null) {
            IdleGpuPolicy.setMode(previous);
        }
    }
}
