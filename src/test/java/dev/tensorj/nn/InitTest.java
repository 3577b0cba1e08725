package dev.tensorj.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Device;
import dev.tensorj.Tensor;
import dev.tensorj.junit.DevicesSource;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

class InitTest {

    /** {mean, std (population), min, max} of a tensor's values. */
    private static double[] stats(Tensor t) {
        float[] v = t.toFloatArray();
        double sum = 0;
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (float x : v) {
            sum += x;
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        double mean = sum / v.length;
        double sq = 0;
        for (float x : v) {
            sq += (x - mean) * (x - mean);
        }
        return new double[] {mean, Math.sqrt(sq / v.length), min, max};
    }

    /** A 256×256 parameter on {@code device} that requires grad (the init must work under NoGrad). */
    private static Tensor param(Device device) {
        return Tensor.zeros(device, 256, 256).requiresGrad(true);
    }

    private static void assertUniform(Tensor t, double lo, double hi) {
        double[] s = stats(t);
        double width = hi - lo;
        assertTrue(s[2] >= lo && s[3] <= hi, "within [" + lo + ", " + hi + "): " + s[2] + " " + s[3]);
        assertTrue(s[2] < lo + 0.01 * width && s[3] > hi - 0.01 * width, "spans the range: " + s[2] + " " + s[3]);
        assertEquals((lo + hi) / 2, s[0], 0.01 * width, "mean");
        assertEquals(width / Math.sqrt(12), s[1], 0.01 * width, "std");
    }

    private static void assertNormal(Tensor t, double mean, double std) {
        double[] s = stats(t);
        assertEquals(mean, s[0], 0.02 * std, "mean");
        assertEquals(std, s[1], 0.02 * std, "std");
    }

    @ParameterizedTest
    @DevicesSource
    void uniformAndNormalHaveTheRequestedStatistics(Device device) {
        Tensor.manualSeed(1);
        Tensor p = param(device);
        assertSame(p, Init.uniform_(p, -0.5, 1.5));
        assertEquals(device, p.device());
        assertTrue(p.requiresGrad() && p.isLeaf() && p.grad() == null);
        assertUniform(p, -0.5, 1.5);
        assertSame(p, Init.normal_(p, 3, 0.25));
        assertNormal(p, 3, 0.25);
    }

    @ParameterizedTest
    @DevicesSource
    void constantsFillEveryElement(Device device) {
        Tensor p = Init.normal_(param(device), 0, 1);
        for (float v : Init.constant_(p, -2.5).toFloatArray()) {
            assertEquals(-2.5f, v);
        }
        for (float v : Init.ones_(p).toFloatArray()) {
            assertEquals(1f, v);
        }
        for (float v : Init.zeros_(p).toFloatArray()) {
            assertEquals(0f, v);
        }
    }

    @Test
    void fansFollowPyTorch() {
        assertArrayEquals(new long[] {20, 30}, Init.fans(Tensor.zeros(Device.META, 30, 20)));
        // conv weight [out=16, in=3, 5, 7]: receptive field 35
        assertArrayEquals(new long[] {3 * 35, 16 * 35}, Init.fans(Tensor.zeros(Device.META, 16, 3, 5, 7)));
        assertThrows(IllegalArgumentException.class, () -> Init.fans(Tensor.zeros(Device.META, 5)));
        assertThrows(IllegalArgumentException.class, () -> Init.xavierUniform_(Tensor.zeros(5)));
    }

    @Test
    void calculateGainValues() {
        assertEquals(1.0, Init.calculateGain("linear"));
        assertEquals(1.0, Init.calculateGain("conv2d"));
        assertEquals(1.0, Init.calculateGain("sigmoid"));
        assertEquals(5.0 / 3, Init.calculateGain("tanh"), 1e-15);
        assertEquals(Math.sqrt(2), Init.calculateGain("relu"), 1e-15);
        assertEquals(Math.sqrt(2 / (1 + 0.01 * 0.01)), Init.calculateGain("leaky_relu"), 1e-15);
        assertEquals(Math.sqrt(2 / 1.04), Init.calculateGain("leaky_relu", 0.2), 1e-15);
        assertEquals(Math.sqrt(2), Init.calculateGain("leaky_relu", 0.0), 1e-15);
        assertEquals(0.75, Init.calculateGain("selu"), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> Init.calculateGain("softplus"));
    }

    @ParameterizedTest
    @DevicesSource
    void xavierUsesBothFans(Device device) {
        Tensor.manualSeed(2);
        Tensor w = Tensor.zeros(device, 256, 128).requiresGrad(true); // fan_in 128, fan_out 256
        double bound = 2.0 * Math.sqrt(6.0 / (128 + 256));
        assertUniform(Init.xavierUniform_(w, 2.0), -bound, bound);
        assertNormal(Init.xavierNormal_(w, 0.5), 0, 0.5 * Math.sqrt(2.0 / 384));
        assertNormal(Init.xavierNormal_(w), 0, Math.sqrt(2.0 / 384));
    }

    @ParameterizedTest
    @DevicesSource
    void kaimingUsesTheChosenFanAndGain(Device device) {
        Tensor.manualSeed(3);
        Tensor w = Tensor.zeros(device, 512, 128).requiresGrad(true);
        // Defaults: a = 0, fan_in, leaky_relu → gain √2, bound √3·√2/√128 = √(6/128)
        double b = Math.sqrt(6.0 / 128);
        assertUniform(Init.kaimingUniform_(w), -b, b);
        double bOut = Math.sqrt(3) * (5.0 / 3) / Math.sqrt(512);
        assertUniform(Init.kaimingUniform_(w, 0, "fan_out", "tanh"), -bOut, bOut);
        assertNormal(Init.kaimingNormal_(w), 0, Math.sqrt(2.0 / 128));
        assertNormal(Init.kaimingNormal_(w, 0.2, "fan_out", "leaky_relu"), 0, Math.sqrt(2 / 1.04) / Math.sqrt(512));
        assertThrows(IllegalArgumentException.class, () -> Init.kaimingNormal_(w, 0, "fan_avg", "relu"));
    }

    @Test
    void kaimingOnAConvWeightCountsTheReceptiveField() {
        Tensor.manualSeed(4);
        Tensor w = Tensor.zeros(64, 32, 3, 3); // fan_in 288
        assertNormal(Init.kaimingNormal_(w, 0, "fan_in", "relu"), 0, Math.sqrt(2.0 / 288));
    }

    @ParameterizedTest
    @DevicesSource
    void aSeedGivesTheSameValuesOnEveryDevice(Device device) {
        for (Function<Tensor, Tensor> init : java.util.List.<Function<Tensor, Tensor>>of(
                t -> Init.uniform_(t, -1, 1), t -> Init.normal_(t, 0, 1), Init::xavierUniform_, Init::kaimingNormal_)) {
            Tensor.manualSeed(11);
            float[] cpu = init.apply(Tensor.zeros(8, 5)).toFloatArray();
            Tensor.manualSeed(11);
            float[] again = init.apply(Tensor.zeros(device, 8, 5)).toFloatArray();
            assertArrayEquals(cpu, again);
            float[] next = init.apply(Tensor.zeros(device, 8, 5)).toFloatArray();
            assertTrue(!java.util.Arrays.equals(cpu, next), "the generator advances");
        }
    }

    @Test
    void worksOnTheMetaDevice() {
        Tensor w = Tensor.zeros(Device.META, 4, 3).requiresGrad(true);
        assertSame(w, Init.kaimingUniform_(w));
        assertSame(w, Init.ones_(w));
        assertEquals(Device.META, w.device());
    }
}
