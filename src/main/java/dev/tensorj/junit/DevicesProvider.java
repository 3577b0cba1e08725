package dev.tensorj.junit;

import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.ArgumentsProvider;
import org.junit.jupiter.params.support.AnnotationConsumer;

/** The arguments of {@link DevicesSource}: {@link DeviceCases}, one device per invocation. */
public final class DevicesProvider implements ArgumentsProvider, AnnotationConsumer<DevicesSource> {
    private boolean meta;

    /** Made by JUnit for each {@link DevicesSource}. */
    public DevicesProvider() {}

    @Override
    public void accept(DevicesSource source) {
        meta = source.meta();
    }

    @Override
    public Stream<? extends Arguments> provideArguments(ExtensionContext context) {
        return DeviceCases.list(meta).stream().map(Arguments::of);
    }
}
