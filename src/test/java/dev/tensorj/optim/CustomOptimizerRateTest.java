package dev.tensorj.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tensorj.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An optimizer of the user's own (the class Javadoc's {@code plainSgd}), whose options are the
 * rate alone and which checks nothing itself: {@link Optimizer} refuses a negative or NaN rate for
 * it, in the constructor, in {@code addParamGroup} and in {@code setLr}, changing nothing.
 */
class CustomOptimizerRateTest {

    private static Optimizer plainSgd(List<Tensor> params, float lr) {
        return new Optimizer(params, lr) {
            @Override
            protected void update(Tensor param, Tensor grad, GroupOptions options) {
                param.add_(grad, -options.lr());
            }
        };
    }

    @Test
    void aNegativeOrNaNRateIsRefusedEverywhere() {
        try (Tensor p = Tensor.of(new float[] {1f, 2f}).requiresGrad(true);
                Tensor q = Tensor.of(new float[] {3f}).requiresGrad(true);
                Tensor g = Tensor.of(new float[] {0.5f})) {
            assertThrows(IllegalArgumentException.class, () -> plainSgd(List.of(q), -0.1f));
            assertThrows(IllegalArgumentException.class, () -> plainSgd(List.of(q), Float.NaN));
            Optimizer opt = plainSgd(List.of(p), 0.1f);
            for (float bad : new float[] {-1e-9f, Float.NaN}) {
                assertThrows(IllegalArgumentException.class,
                        () -> opt.addParamGroup(new ParamGroup<>(List.of(q), new GroupOptions.Lr(bad))));
                assertThrows(IllegalArgumentException.class, () -> opt.setLr(0, bad));
            }
            assertEquals(1, opt.numParamGroups());
            assertEquals(0.1f, opt.lr());
            // A rate of 0 is a frozen group, and the group added with it takes part in the step.
            opt.addParamGroup(new ParamGroup<>(List.of(q), new GroupOptions.Lr(0f)));
            q.setGrad(g);
            opt.step();
            assertArrayEquals(new float[] {3f}, q.toFloatArray());
            opt.setLr(1, 2f);
            opt.step();
            assertArrayEquals(new float[] {2f}, q.toFloatArray());
        }
    }
}
