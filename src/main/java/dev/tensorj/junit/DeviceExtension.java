package dev.tensorj.junit;

import dev.tensorj.Device;
import java.lang.reflect.Method;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The extension behind {@link DevicesSource}, {@link CheckDevices} and {@link RequiresCuda}
 * (registered by those annotations; it needs no registration of its own). Before a test marked
 * {@link RequiresCuda} (on the method or its class), it checks {@code cuda:0}; before each
 * invocation of a parameterised test, every CUDA {@link Device} among the arguments. A device that
 * cannot be used skips the test with the reason {@code no CUDA device: <Device.cudaStatus()>}; with
 * {@code -Dtensorj.test.cuda=required} it fails it. Either way the test publishes the report entry
 * {@code tensorj.cuda} naming the device.
 */
public final class DeviceExtension implements BeforeEachCallback, InvocationInterceptor {

    /** Made by JUnit where one of the annotations is used. */
    public DeviceExtension() {}

    @Override
    public void beforeEach(ExtensionContext context) {
        boolean required = context.getTestMethod()
                .map(m -> AnnotationSupport.isAnnotated(m, RequiresCuda.class)).orElse(false)
                || context.getTestClass().map(c -> AnnotationSupport.isAnnotated(c, RequiresCuda.class)).orElse(false);
        if (required) {
            CudaCheck.require(context, Device.cuda(0));
        }
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
                                            ExtensionContext context) throws Throwable {
        try {
            for (Object argument : call.getArguments()) {
                if (argument instanceof Device && ((Device) argument).isCuda()) {
                    CudaCheck.require(context, (Device) argument);
                }
            }
        } catch (Throwable skippedOrFailed) {
            invocation.skip(); // the body does not run; JUnit reports the abort (skip) or the failure
            throw skippedOrFailed;
        }
        invocation.proceed();
    }
}
