package dev.tensorj.backend.cpu;

import static dev.tensorj.backend.cpu.KernelData.assertBits;
import static dev.tensorj.backend.cpu.KernelData.assertClose;

import dev.tensorj.backend.Storage;
import dev.tensorj.backend.UnaryOp;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The CPU's elementwise math ({@code CpuBackend.unary}): every op against a double-precision
 * reference on random data, at an odd size on one thread and at a size split across the worker
 * threads (chunk edges inside the array), plus the special values each op treats apart.
 */
class CpuUnaryKernelTest {
    private static final CpuBackend CPU = CpuBackend.INSTANCE;
    /** Rounded once from double: within one float ulp, 2^-23 relative (a little more for the composed ops). */
    private static final double REL = 3e-7;

    /** The op in double; {@code x} is the float input. */
    private static double reference(UnaryOp op, double x) {
        switch (op) {
            case NEG: return -x;
            case RELU: return x > 0 ? x : 0;
            case EXP: return Math.exp(x);
            case LOG: return Math.log(x);
            case LOG1P: return Math.log1p(x);
            case EXPM1: return Math.expm1(x);
            case SQRT: return Math.sqrt(x);
            case RSQRT: return 1 / Math.sqrt(x);
            case ABS: return Math.abs(x);
            case SIGN: return Math.signum(x);
            case TANH: return Math.tanh(x);
            case SIGMOID: return 1 / (1 + Math.exp(-x));
            case SILU: return x / (1 + Math.exp(-x));
            case GELU: return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
            case GELU_TANH: return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
            case SIN: return Math.sin(x);
            case COS: return Math.cos(x);
            case RECIPROCAL: return 1 / x;
            default: throw new AssertionError(op);
        }
    }

    /** erf by its Taylor series (|x| <= 3 here: 60 terms are far below float precision). */
    private static double erf(double x) {
        double sum = 0;
        double term = x;
        for (int n = 0; n < 80; n++) {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    /** Inputs where the op is defined and well conditioned (log of positives, sqrt of non-negatives...). */
    private static float[] inputs(UnaryOp op, SplittableRandom rnd, int n) {
        switch (op) {
            case LOG: case SQRT: case RSQRT: return KernelData.uniform(rnd, n, 0.01, 50);
            case LOG1P: return KernelData.uniform(rnd, n, -0.9, 20);
            default: return KernelData.uniform(rnd, n, -3, 3);
        }
    }

    private static float[] run(UnaryOp op, float[] x) {
        Storage in = CPU.fromHost(x);
        Storage out = CPU.allocate(dev.tensorj.backend.ScalarType.F32, x.length);
        CPU.unary(op, in, out);
        float[] host = new float[x.length];
        CPU.toHost(out, host);
        return host;
    }

    @Test
    void everyOpMatchesADoubleReferenceOnOneThreadAndSplitAcrossThreads() {
        var rnd = new SplittableRandom(41);
        int[] sizes = {1, 7, 1001, CpuThreads.PARALLEL_MIN_ELEMENTS + 3};
        for (UnaryOp op : UnaryOp.values()) {
            for (int n : sizes) {
                float[] x = inputs(op, rnd, n);
                float[] y = run(op, x);
                // Near a root of sin or cos the relative error of the float input dominates: an absolute floor.
                double scale = op == UnaryOp.SIN || op == UnaryOp.COS || op == UnaryOp.GELU || op == UnaryOp.GELU_TANH
                        || op == UnaryOp.SILU || op == UnaryOp.TANH || op == UnaryOp.EXPM1 || op == UnaryOp.LOG1P
                        || op == UnaryOp.LOG ? 1e-6 : 0;
                for (int i = 0; i < n; i++) {
                    final int at = i;
                    assertClose(reference(op, x[i]), y[i], op == UnaryOp.GELU ? 1e-6 : REL, scale,
                            op + " of " + x[i] + " at " + at + " of " + n);
                }
            }
        }
    }

    /** Signed zeros, infinities and NaN: the values the ops treat apart, bit for bit. */
    @Test
    void specialValuesGiveTheirIeeeResults() {
        float nan = Float.NaN;
        float inf = Float.POSITIVE_INFINITY;
        float[] x = {0f, -0f, inf, -inf, nan};
        float[][] expected = {
            /* NEG */ {-0f, 0f, -inf, inf, nan},
            /* RELU */ {0f, 0f, inf, 0f, nan},
            /* EXP */ {1f, 1f, inf, 0f, nan},
            /* LOG */ {-inf, -inf, inf, nan, nan},
            /* LOG1P */ {0f, -0f, inf, nan, nan},
            /* EXPM1 */ {0f, -0f, inf, -1f, nan},
            /* SQRT */ {0f, -0f, inf, nan, nan},
            /* RSQRT */ {inf, -inf, 0f, nan, nan},
            /* ABS */ {0f, 0f, inf, inf, nan},
            /* SIGN */ {0f, -0f, 1f, -1f, nan},
            /* TANH */ {0f, -0f, 1f, -1f, nan},
            /* SIGMOID */ {0.5f, 0.5f, 1f, 0f, nan},
            /* SILU: x·sigmoid(x), so -inf·0 */ {0f, -0f, inf, nan, nan},
            /* GELU: 0.5·x·erfc(-x/√2), so -inf·0 */ {0f, -0f, inf, nan, nan},
            /* GELU_TANH: x / (1 + e^(-2u)), so -inf/inf */ {0f, -0f, inf, nan, nan},
            /* SIN */ {0f, -0f, nan, nan, nan},
            /* COS */ {1f, 1f, nan, nan, nan},
            /* RECIPROCAL */ {inf, -inf, 0f, -0f, nan},
        };
        for (UnaryOp op : UnaryOp.values()) {
            float[] y = run(op, x);
            for (int i = 0; i < x.length; i++) {
                assertBits(expected[op.ordinal()][i], y[i], op + " of " + x[i]);
            }
        }
    }
}
