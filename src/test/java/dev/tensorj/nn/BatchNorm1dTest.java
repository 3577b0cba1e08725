package dev.tensorj.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Device;
import dev.tensorj.Tensor;
import dev.tensorj.junit.DevicesSource;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.Test;

class BatchNorm1dTest {

    /** x[n, c, l] of a [N, C, L] array. */
    private static double at(float[] x, int c, int l, int n, int C, int L) {
        return x[(n * C + c) * L + l];
    }

    @ParameterizedTest
    @DevicesSource
    void trainingUsesBatchStatisticsAndUpdatesTheRunningOnes(Device device) {
        Tensor.manualSeed(12);
        int N = 4;
        int C = 3;
        int L = 5;
        float[] xs = Tensor.randn(N, C, L).mul(2).add(0.7f).toFloatArray();
        BatchNorm1d bn = new BatchNorm1d(C, 1e-5, 0.2).to(device);
        assertEquals(List.of("running_mean", "running_var"), List.copyOf(bn.namedBuffers().keySet()));
        assertEquals(List.of("weight", "bias"), List.copyOf(bn.namedParameters().keySet()));
        assertEquals(device, bn.runningVar().device());
        Tensor x = Tensor.of(xs, N, C, L).to(device).requiresGrad(true);
        Tensor y = bn.forward(x);
        float[] got = y.toFloatArray();
        float[] rm = bn.runningMean().toFloatArray();
        float[] rv = bn.runningVar().toFloatArray();
        int m = N * L;
        for (int c = 0; c < C; c++) {
            double mean = 0;
            for (int n = 0; n < N; n++) {
                for (int l = 0; l < L; l++) {
                    mean += at(xs, c, l, n, C, L);
                }
            }
            mean /= m;
            double ss = 0;
            for (int n = 0; n < N; n++) {
                for (int l = 0; l < L; l++) {
                    ss += Math.pow(at(xs, c, l, n, C, L) - mean, 2);
                }
            }
            for (int n = 0; n < N; n++) {
                for (int l = 0; l < L; l++) {
                    double ref = (at(xs, c, l, n, C, L) - mean) / Math.sqrt(ss / m + 1e-5);
                    assertEquals(ref, got[(n * C + c) * L + l], 1e-4);
                }
            }
            assertEquals(0.2 * mean, rm[c], 1e-5, "running mean");
            assertEquals(0.8 + 0.2 * ss / (m - 1), rv[c], 1e-5, "running var is unbiased");
        }
        y.mul(x).sum().backward();
        assertEquals(C, bn.weight().grad().numel());
        assertTrue(x.grad() != null && bn.bias().grad() != null);
        // Eval mode uses the running statistics: y = (x - rm) / sqrt(rv + eps).
        float[] e = bn.eval().forward(Tensor.of(xs, N, C, L).to(device)).toFloatArray();
        for (int i = 0; i < e.length; i++) {
            int c = (i / L) % C;
            assertEquals((xs[i] - rm[c]) / Math.sqrt(rv[c] + 1e-5), e[i], 1e-4);
        }
        assertArrayEquals(rm, bn.runningMean().toFloatArray(), "eval leaves the running statistics");
    }

    @Test
    void twoDimensionalInputAndChecks() {
        BatchNorm1d bn = new BatchNorm1d(2);
        float[] y = bn.forward(Tensor.of(new float[] {1, 10, 3, 30}, 2, 2)).toFloatArray();
        double s1 = Math.sqrt(1 + 1e-5); // channel 0: 1, 3 -> mean 2, biased var 1
        double s2 = Math.sqrt(100 + 1e-5); // channel 1: 10, 30 -> mean 20, var 100
        assertArrayEquals(new float[] {(float) (-1 / s1), (float) (-10 / s2), (float) (1 / s1), (float) (10 / s2)}, y,
                1e-5f);
        assertArrayEquals(new float[] {0.2f, 2f}, bn.runningMean().toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {0.9f + 0.1f * 2, 0.9f + 0.1f * 200}, bn.runningVar().toFloatArray(), 1e-4f);
        assertThrows(IllegalArgumentException.class, () -> bn.forward(Tensor.zeros(2, 3)));
        assertThrows(IllegalArgumentException.class, () -> bn.forward(Tensor.zeros(1, 2)), "one value per channel");
        bn.eval().forward(Tensor.zeros(1, 2)); // fine in eval mode
        BatchNorm1d typed = new BatchNorm1d(3).to(Device.META).train();
        assertEquals(Device.META, typed.runningMean().device());
    }

    /**
     * {@code affine=false}: no parameters, the plain normalisation; {@code trackRunningStats=false}:
     * no buffers, batch statistics in eval mode too (as PyTorch's track_running_stats=False).
     */
    @ParameterizedTest
    @DevicesSource
    void affineAndRunningStatisticsCanBeTurnedOff(Device device) {
        Tensor.manualSeed(31);
        int N = 6;
        int C = 2;
        float[] xs = Tensor.randn(N, C).mul(3).add(-1.5f).toFloatArray();
        BatchNorm1d plain = new BatchNorm1d(C, 1e-5, 0.1, false, false).to(device);
        assertTrue(plain.namedParameters().isEmpty() && plain.namedBuffers().isEmpty());
        assertEquals(null, plain.weight());
        assertEquals(null, plain.runningMean());
        Tensor x = Tensor.of(xs, N, C).to(device);
        float[] train = plain.forward(x).toFloatArray();
        float[] eval = plain.eval().forward(x).toFloatArray();
        for (int c = 0; c < C; c++) {
            double mean = 0;
            for (int n = 0; n < N; n++) {
                mean += xs[n * C + c];
            }
            mean /= N;
            double ss = 0;
            for (int n = 0; n < N; n++) {
                ss += Math.pow(xs[n * C + c] - mean, 2);
            }
            for (int n = 0; n < N; n++) {
                double ref = (xs[n * C + c] - mean) / Math.sqrt(ss / N + 1e-5);
                assertEquals(ref, train[n * C + c], 1e-4, "train");
                assertEquals(ref, eval[n * C + c], 1e-4, "eval uses the batch's statistics");
            }
        }
        BatchNorm1d tracked = new BatchNorm1d(C, 1e-5, 0.1, false, true).to(device);
        assertEquals(List.of("running_mean", "running_var"), List.copyOf(tracked.namedBuffers().keySet()));
        assertTrue(tracked.namedParameters().isEmpty());
        BatchNorm1d affineOnly = new BatchNorm1d(C, 1e-5, 0.1, true, false);
        assertEquals(List.of("weight", "bias"), List.copyOf(affineOnly.namedParameters().keySet()));
        assertTrue(affineOnly.namedBuffers().isEmpty());
    }
}
