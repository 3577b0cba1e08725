package dev.tensorj.backend;

/**
 * The activations' scalar math in double, rounded once to float by the caller: the CPU kernels'
 * forward ops ({@link UnaryOp}) and the fused backward ops of {@link BinaryOp} both use it, and the
 * CUDA kernels' functions of the same names in {@code src/main/cuda/ops.cuh} compute the same
 * formulas. GELU goes through erfc, which keeps its relative accuracy in the negative tail where
 * {@code 1 + erf(x/√2)} cancels, and writes {@code 0.5·(1 + tanh u)} as {@code 1/(1 + e^(-2u))}.
 */
public final class Activations {
    private static final double SQRT1_2 = 0.70710678118654752440;
    private static final double INV_SQRT_2PI = 0.39894228040143267794;
    private static final double SQRT_2_OVER_PI = 0.79788456080286535588;
    private static final double GELU_KAPPA = 0.044715;

    private Activations() {}

    /** The logistic function without overflow: exp of a non-positive value only. */
    public static double sigmoid(double x) {
        if (x >= 0) {
            return 1.0 / (1.0 + Math.exp(-x));
        }
        double e = Math.exp(x); // NaN for a NaN x
        return e / (1.0 + e);
    }

    /** {@code 0.5·x·(1 + erf(x/√2))} as {@code 0.5·x·erfc(-x/√2)}: no cancellation in the negative tail. */
    public static float gelu(float x) {
        double d = x;
        return (float) (0.5 * d * Erf.erfc(-d * SQRT1_2));
    }

    /** GELU's derivative {@code Φ(x) + x·φ(x)}. */
    public static double geluGrad(double x) {
        return 0.5 * Erf.erfc(-x * SQRT1_2) + x * Math.exp(-0.5 * x * x) * INV_SQRT_2PI;
    }

    /** {@code 0.5·x·(1 + tanh(u))}, {@code u = √(2/π)·(x + 0.044715·x³)}, as {@code x / (1 + exp(-2u))}. */
    public static float geluTanh(float x) {
        double d = x;
        double u = SQRT_2_OVER_PI * (d + GELU_KAPPA * d * d * d);
        return (float) (d / (1.0 + Math.exp(-2.0 * u)));
    }

    /**
     * The derivative of {@link #geluTanh}: {@code s + 0.5·x·(1 - tanh²u)·u'} with
     * {@code s = 0.5·(1 + tanh u)} and {@code 1 - tanh²u = 4s(1-s)}.
     */
    public static double geluTanhGrad(double x) {
        double u = SQRT_2_OVER_PI * (x + GELU_KAPPA * x * x * x);
        double s = 1.0 / (1.0 + Math.exp(-2.0 * u));
        double t = 1.0 / (1.0 + Math.exp(2.0 * u)); // 1 - s without cancellation
        double du = SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_KAPPA * x * x);
        return s + 2.0 * x * s * t * du;
    }

    /** Sigmoid's gradient from its output {@code y}: {@code g·(y·(1 - y))}, in float as the composed rule was. */
    public static float sigmoidBackward(float y, float g) {
        return g * (y * (1f - y));
    }

    /** Tanh's gradient from its output {@code y}: {@code g·(1 - y²)}, in float. */
    public static float tanhBackward(float y, float g) {
        return g * (1f - y * y);
    }

    /**
     * SiLU's gradient from its input: {@code g·s·(1 + x·(1 - s))}, {@code s = sigmoid(x)}, in double
     * and rounded once (PyTorch's formula, so ±Inf give NaN as there).
     */
    public static float siluBackward(float x, float g) {
        double s = sigmoid(x);
        return (float) (g * (s * (1.0 + x * (1.0 - s))));
    }

    /** GELU's gradient from its input: {@code g·(Φ(x) + x·φ(x))}, rounded once. */
    public static float geluBackward(float x, float g) {
        return (float) (g * geluGrad(x));
    }

    /** The tanh-approximated GELU's gradient from its input, rounded once. */
    public static float geluTanhBackward(float x, float g) {
        return (float) (g * geluTanhGrad(x));
    }
}
