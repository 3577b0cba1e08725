package dev.tensorj.junit;

import java.lang.reflect.AnnotatedElement;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Carries out {@link LeakCheck} (registered by the annotation): a {@link Leaks.Baseline} is taken
 * before and checked after each test, or around the class.
 */
public final class LeakCheckExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LeakCheckExtension.class);

    /** Made by JUnit where {@link LeakCheck} is used. */
    public LeakCheckExtension() {}

    @Override
    public void beforeAll(ExtensionContext context) {
        classCheck(context).ifPresent(c -> context.getStore(NS).put("class", Leaks.Baseline.take(c.tensors())));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Leaks.Baseline b = context.getStore(NS).remove("class", Leaks.Baseline.class);
        if (b != null) {
            b.verify();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        testCheck(context).ifPresent(c -> context.getStore(NS).put("test", Leaks.Baseline.take(c.tensors())));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Leaks.Baseline b = context.getStore(NS).remove("test", Leaks.Baseline.class);
        if (b != null) {
            b.verify();
        }
    }

    /** The class's check when it covers the class as a whole. */
    private static Optional<LeakCheck> classCheck(ExtensionContext context) {
        return context.getTestClass().flatMap(c -> find(c)).filter(c -> c.value() == LeakCheck.Scope.CLASS);
    }

    /** The check of this one test: the method's own, or the class's when it is per test. */
    private static Optional<LeakCheck> testCheck(ExtensionContext context) {
        Optional<LeakCheck> onMethod = context.getTestMethod().flatMap(m -> find(m));
        if (onMethod.isPresent()) {
            return onMethod;
        }
        return context.getTestClass().flatMap(c -> find(c)).filter(c -> c.value() == LeakCheck.Scope.EACH_TEST);
    }

    private static Optional<LeakCheck> find(AnnotatedElement element) {
        return AnnotationSupport.findAnnotation(element, LeakCheck.class);
    }
}
