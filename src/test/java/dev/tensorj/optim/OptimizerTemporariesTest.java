package dev.tensorj.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Device;
import dev.tensorj.LeakReport;
import dev.tensorj.Tensor;
import dev.tensorj.junit.CheckDevices;
import dev.tensorj.junit.DeviceCases;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An optimizer step closes every temporary it makes (the gradient negated for {@code maximize},
 * with weight decay added, a Nesterov step): on a GPU the memory is reused at once instead of
 * waiting for the garbage collector. With {@link LeakReport} on, the tensors still open after each
 * step must not grow beyond those after the first (which made the state).
 */
class OptimizerTemporariesTest {

    static Stream<Arguments> cases() {
        List<Function<List<Tensor>, Optimizer>> optimizers = List.of(
                ps -> new SGD(ps, SGD.Options.lr(0.1f).withWeightDecay(0.1f)),
                ps -> new SGD(ps, SGD.Options.lr(0.1f).withMomentum(0.9f).withDampening(0.5f).withWeightDecay(0.1f)),
                ps -> new SGD(ps, SGD.Options.lr(0.1f).withMomentum(0.9f).withNesterov(true).withWeightDecay(0.1f)),
                ps -> new Adam(ps, Adam.Options.lr(0.1f).withWeightDecay(0.1f).withMaximize(true)),
                ps -> new AdamW(ps, Adam.Options.lr(0.1f).withAmsgrad(true).withMaximize(true)),
                ps -> new RMSprop(ps, RMSprop.Options.lr(0.01f).withWeightDecay(0.1f).withCentered(true)
                        .withMomentum(0.9f).withMaximize(true)),
                ps -> new Adagrad(ps, Adagrad.Options.lr(0.1f).withWeightDecay(0.1f).withLrDecay(0.01f)
                        .withMaximize(true)));
        return onEveryDevice(optimizers);
    }

    /** (device, index, optimizer factory) for every device and every factory, in that order. */
    static Stream<Arguments> onEveryDevice(List<Function<List<Tensor>, Optimizer>> optimizers) {
        return DeviceCases.devices().flatMap(d -> IntStream.range(0, optimizers.size())
                .mapToObj(i -> Arguments.of(d, i, optimizers.get(i))));
    }

    @ParameterizedTest(name = "{0} optimizer #{1}")
    @CheckDevices
    @MethodSource("cases")
    void aStepLeavesNoTemporaryOpen(Device device, int index, Function<List<Tensor>, Optimizer> make) {
        LeakReport.setEnabled(true);
        try (Tensor p = Tensor.randn(device, 3, 5).requiresGrad(true)) {
            Optimizer opt = make.apply(List.of(p));
            long afterFirst = -1;
            for (int step = 0; step < 4; step++) {
                try (Tensor g = Tensor.randn(device, 3, 5)) {
                    p.setGrad(g);
                    opt.step();
                    p.setGrad(null);
                }
                long live = LeakReport.liveCount(device);
                if (step == 0) {
                    afterFirst = live;
                } else {
                    long first = afterFirst;
                    assertTrue(live <= first, () -> opt.getClass().getSimpleName() + " on " + device + ": " + live
                            + " tensors open after a later step, " + first + " after the first: "
                            + LeakReport.live());
                }
            }
        } finally {
            LeakReport.setEnabled(false);
        }
    }
}
