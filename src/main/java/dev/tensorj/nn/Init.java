package dev.tensorj.nn;

import dev.tensorj.NoGrad;
import dev.tensorj.Tensor;
import java.util.Locale;
import java.util.Objects;

/**
 * Parameter initialisation in place, as {@code torch.nn.init}: each method fills a float32 tensor
 * (a parameter too: the writes run under {@link NoGrad}) and returns it. Random values come from
 * the global generator ({@link Tensor#manualSeed}), drawn on the tensor's device, so a seed gives
 * the same values on every device.
 */
public final class Init {
    private Init() {}

    /** Fills {@code tensor} with samples uniform in [{@code a}, {@code b}). */
    public static Tensor uniform_(Tensor tensor, double a, double b) {
        Objects.requireNonNull(tensor, "uniform_: tensor is null");
        if (!(a <= b)) {
            throw new IllegalArgumentException("uniform_: need a <= b, got a=" + a + ", b=" + b);
        }
        try (NoGrad g = NoGrad.enter(); Tensor r = Tensor.rand(tensor.device(), tensor.shape())) {
            r.mul_((float) (b - a)).add_((float) a);
            return tensor.copy_(r);
        }
    }

    /** Fills {@code tensor} with samples from the normal distribution N({@code mean}, {@code std}²). */
    public static Tensor normal_(Tensor tensor, double mean, double std) {
        Objects.requireNonNull(tensor, "normal_: tensor is null");
        if (!(std >= 0)) {
            throw new IllegalArgumentException("normal_: std must be >= 0, got " + std);
        }
        try (NoGrad g = NoGrad.enter(); Tensor r = Tensor.randn(tensor.device(), tensor.shape())) {
            r.mul_((float) std).add_((float) mean);
            return tensor.copy_(r);
        }
    }

    /** Fills {@code tensor} with {@code value}. */
    public static Tensor constant_(Tensor tensor, double value) {
        Objects.requireNonNull(tensor, "constant_: tensor is null");
        try (NoGrad g = NoGrad.enter()) {
            return tensor.fill_((float) value);
        }
    }

    /** Fills {@code tensor} with zeros. */
    public static Tensor zeros_(Tensor tensor) {
        return constant_(tensor, 0);
    }

    /** Fills {@code tensor} with ones. */
    public static Tensor ones_(Tensor tensor) {
        return constant_(tensor, 1);
    }

    /** {@code calculateGain(nonlinearity, null)}: the default parameter (0.01 for leaky_relu). */
    public static double calculateGain(String nonlinearity) {
        return calculateGain(nonlinearity, null);
    }

    /**
     * The recommended gain for {@code nonlinearity}, as PyTorch's {@code calculate_gain}: 1 for
     * linear, conv and sigmoid layers, 5/3 for tanh, √2 for relu, √(2/(1+a²)) for leaky_relu with
     * negative slope {@code param} (0.01 when {@code null}), 3/4 for selu.
     *
     * @throws IllegalArgumentException for an unknown nonlinearity or an invalid {@code param}
     */
    public static double calculateGain(String nonlinearity, Double param) {
        Objects.requireNonNull(nonlinearity, "calculateGain: nonlinearity is null");
        switch (nonlinearity) {
            case "linear": case "conv1d": case "conv2d": case "conv3d": case "conv_transpose1d":
            case "conv_transpose2d": case "conv_transpose3d": case "sigmoid":
                return 1;
            case "tanh":
                return 5.0 / 3;
            case "relu":
                return Math.sqrt(2.0);
            case "leaky_relu": {
                double slope = param == null ? 0.01 : param;
                if (!Double.isFinite(slope)) {
                    throw new IllegalArgumentException("calculateGain: negative_slope " + slope + " is not a valid number");
                }
                return Math.sqrt(2.0 / (1 + slope * slope));
            }
            case "selu":
                return 3.0 / 4;
            default:
                throw new IllegalArgumentException("calculateGain: unsupported nonlinearity '" + nonlinearity + "'");
        }
    }

    /**
     * PyTorch's fans of a weight of at least 2 dimensions: {@code {fanIn, fanOut}} with
     * {@code fanIn = size(1)·receptive field}, {@code fanOut = size(0)·receptive field}, where the
     * receptive field is the product of the sizes after the first two.
     *
     * @throws IllegalArgumentException for fewer than 2 dimensions
     */
    public static long[] fans(Tensor tensor) {
        Objects.requireNonNull(tensor, "fans: tensor is null");
        int[] shape = tensor.shape();
        if (shape.length < 2) {
            throw new IllegalArgumentException("Fan in and fan out can not be computed for tensor with fewer than 2 "
                    + "dimensions (shape " + java.util.Arrays.toString(shape) + ")");
        }
        long receptive = 1;
        for (int i = 2; i < shape.length; i++) {
            receptive *= shape[i];
        }
        return new long[] {shape[1] * receptive, shape[0] * receptive};
    }

    /** Xavier (Glorot) uniform: bound {@code gain·√(6/(fanIn+fanOut))}. */
    public static Tensor xavierUniform_(Tensor tensor, double gain) {
        long[] f = fans(tensor);
        if (f[0] + f[1] == 0) {
            return tensor; // no elements
        }
        double std = gain * Math.sqrt(2.0 / (f[0] + f[1]));
        double bound = Math.sqrt(3.0) * std;
        return uniform_(tensor, -bound, bound);
    }

    /** {@code xavierUniform_(tensor, 1)}. */
    public static Tensor xavierUniform_(Tensor tensor) {
        return xavierUniform_(tensor, 1);
    }

    /** Xavier (Glorot) normal: std {@code gain·√(2/(fanIn+fanOut))}. */
    public static Tensor xavierNormal_(Tensor tensor, double gain) {
        long[] f = fans(tensor);
        if (f[0] + f[1] == 0) {
            return tensor; // no elements
        }
        return normal_(tensor, 0, gain * Math.sqrt(2.0 / (f[0] + f[1])));
    }

    /** {@code xavierNormal_(tensor, 1)}. */
    public static Tensor xavierNormal_(Tensor tensor) {
        return xavierNormal_(tensor, 1);
    }

    /**
     * Kaiming (He) uniform: bound {@code √3·gain/√fan}, with {@code gain = calculateGain(nonlinearity, a)}
     * and {@code fan} the fan in ({@code mode = "fan_in"}) or out ({@code "fan_out"}).
     *
     * @throws IllegalArgumentException for another mode or an unknown nonlinearity
     */
    public static Tensor kaimingUniform_(Tensor tensor, double a, String mode, String nonlinearity) {
        double std = kaimingStd(tensor, a, mode, nonlinearity);
        double bound = Math.sqrt(3.0) * std;
        return uniform_(tensor, -bound, bound);
    }

    /** PyTorch's defaults: {@code kaimingUniform_(tensor, 0, "fan_in", "leaky_relu")}. */
    public static Tensor kaimingUniform_(Tensor tensor) {
        return kaimingUniform_(tensor, 0, "fan_in", "leaky_relu");
    }

    /**
     * Kaiming (He) normal: std {@code gain/√fan}; see {@link #kaimingUniform_(Tensor, double, String, String)}.
     *
     * @throws IllegalArgumentException for another mode or an unknown nonlinearity
     */
    public static Tensor kaimingNormal_(Tensor tensor, double a, String mode, String nonlinearity) {
        return normal_(tensor, 0, kaimingStd(tensor, a, mode, nonlinearity));
    }

    /** PyTorch's defaults: {@code kaimingNormal_(tensor, 0, "fan_in", "leaky_relu")}. */
    public static Tensor kaimingNormal_(Tensor tensor) {
        return kaimingNormal_(tensor, 0, "fan_in", "leaky_relu");
    }

    private static double kaimingStd(Tensor tensor, double a, String mode, String nonlinearity) {
        Objects.requireNonNull(mode, "kaiming: mode is null");
        long[] f = fans(tensor);
        long fan;
        switch (mode.toLowerCase(Locale.ROOT)) {
            case "fan_in": fan = f[0]; break;
            case "fan_out": fan = f[1]; break;
            default:
                throw new IllegalArgumentException("Mode " + mode + " not supported, please use one of fan_in, fan_out");
        }
        if (fan == 0) {
            return 0; // only for a tensor without elements (PyTorch warns and leaves it): nothing to fill
        }
        return calculateGain(nonlinearity, a) / Math.sqrt(fan);
    }
}
