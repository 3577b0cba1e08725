package dev.tensorj.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tensorj.Device;
import dev.tensorj.Tensor;
import dev.tensorj.junit.DevicesSource;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * BatchNorm1d's running statistics over several training batches, against PyTorch's update in double:
 * {@code running = (1 - momentum) * running + momentum * batch} (the variance unbiased).
 */
class BatchNormRunningStatsTest {
    @ParameterizedTest
    @DevicesSource
    void runningStatisticsFollowPyTorchsUpdateOverSeveralBatches(Device device) {
        int n = 5;
        int c = 3;
        double momentum = 0.3;
        BatchNorm1d bn = new BatchNorm1d(c, 1e-5, momentum).to(device);
        double[] mean = new double[c];
        double[] var = {1, 1, 1};
        Random random = new Random(7);
        for (int step = 0; step < 4; step++) {
            float[] x = new float[n * c];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (random.nextGaussian() * (1 + step) + step);
            }
            bn.forward(Tensor.of(x, n, c).to(device)).close();
            for (int j = 0; j < c; j++) {
                double m = 0;
                for (int i = 0; i < n; i++) {
                    m += x[i * c + j];
                }
                m /= n;
                double ss = 0;
                for (int i = 0; i < n; i++) {
                    ss += (x[i * c + j] - m) * (x[i * c + j] - m);
                }
                mean[j] = (1 - momentum) * mean[j] + momentum * m;
                var[j] = (1 - momentum) * var[j] + momentum * ss / (n - 1);
            }
            float[] rm = bn.runningMean().toFloatArray();
            float[] rv = bn.runningVar().toFloatArray();
            for (int j = 0; j < c; j++) {
                assertEquals(mean[j], rm[j], 1e-5 * (1 + Math.abs(mean[j])), "running mean after step " + step);
                assertEquals(var[j], rv[j], 1e-5 * (1 + var[j]), "running var after step " + step);
            }
        }
    }
}
