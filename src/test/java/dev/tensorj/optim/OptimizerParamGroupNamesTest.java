package dev.tensorj.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tensorj.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code stateDict()}'s {@code param_groups} hold every option under PyTorch's name, with its
 * value: what a checkpoint written for (or read from) PyTorch code expects to find.
 */
class OptimizerParamGroupNamesTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> firstGroup(Optimizer o) {
        Map<String, Object> group = new LinkedHashMap<>(
                ((List<Map<String, Object>>) o.stateDict().get("param_groups")).get(0));
        assertEquals(List.of(0), group.remove("params"));
        return group;
    }

    private static Tensor param() {
        return Tensor.of(new float[] {1f, 2f}).requiresGrad(true);
    }

    @Test
    void sgdGroup() {
        SGD o = new SGD(List.of(param()), SGD.Options.lr(0.5f).withMomentum(0.25f).withDampening(0.125f)
                .withWeightDecay(0.75f));
        assertEquals(Map.of("lr", 0.5, "momentum", 0.25, "dampening", 0.125, "weight_decay", 0.75,
                "nesterov", false), firstGroup(o));
    }

    @Test
    void rmspropGroup() {
        RMSprop o = new RMSprop(List.of(param()), RMSprop.Options.lr(0.5f).withAlpha(0.875f).withEps(0.25f)
                .withWeightDecay(0.125f).withMomentum(0.75f).withCentered(true).withMaximize(true));
        assertEquals(Map.of("lr", 0.5, "alpha", 0.875, "eps", 0.25, "weight_decay", 0.125, "momentum", 0.75,
                "centered", true, "maximize", true), firstGroup(o));
    }

    @Test
    void adagradGroup() {
        Adagrad o = new Adagrad(List.of(param()), Adagrad.Options.lr(0.5f).withLrDecay(0.25f).withWeightDecay(0.125f)
                .withInitialAccumulatorValue(0.75f).withEps(0.0625f).withMaximize(true));
        assertEquals(Map.of("lr", 0.5, "lr_decay", 0.25, "weight_decay", 0.125, "initial_accumulator_value", 0.75,
                "eps", 0.0625, "maximize", true), firstGroup(o));
    }
}
