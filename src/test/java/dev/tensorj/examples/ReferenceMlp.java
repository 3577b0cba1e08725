package dev.tensorj.examples;

/**
 * An independent double-precision implementation of the tutorial's math, written out by hand:
 * Linear layers (y = x·Wᵀ + b) with ReLU between them, mean squared error, and SGD with
 * PyTorch's momentum rule. Used to check tensorj's float32 training step by step.
 */
final class ReferenceMlp {
    final double[][][] w; // w[layer][out][in]
    final double[][] b;   // b[layer][out]
    private final double[][][] wBuf;
    private final double[][] bBuf;
    private boolean firstStep = true;

    ReferenceMlp(double[][][] w, double[][] b) {
        this.w = w;
        this.b = b;
        this.wBuf = new double[w.length][][];
        this.bBuf = new double[b.length][];
        for (int l = 0; l < w.length; l++) {
            wBuf[l] = new double[w[l].length][w[l][0].length];
            bBuf[l] = new double[b[l].length];
        }
    }

    /** One step: forward, MSE loss, backward, SGD update. Returns the loss before the update. */
    double step(double[][] x, double[][] y, double lr, double momentum) {
        int layers = w.length;
        int n = x.length;
        double[][][] acts = new double[layers + 1][][]; // inputs to each layer, after ReLU
        double[][][] pre = new double[layers][][];      // pre-activations
        acts[0] = x;
        for (int l = 0; l < layers; l++) {
            pre[l] = affine(acts[l], w[l], b[l]);
            acts[l + 1] = l < layers - 1 ? relu(pre[l]) : pre[l];
        }
        double[][] out = acts[layers];
        int outDim = out[0].length;
        double loss = 0;
        double[][] grad = new double[n][outDim];
        double count = (double) n * outDim;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < outDim; j++) {
                double d = out[i][j] - y[i][j];
                loss += d * d / count;
                grad[i][j] = 2 * d / count; // d(mean(d²))/d out
            }
        }
        double[][][] gw = new double[layers][][];
        double[][] gb = new double[layers][];
        for (int l = layers - 1; l >= 0; l--) {
            if (l < layers - 1) {
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < grad[i].length; j++) {
                        grad[i][j] = pre[l][i][j] > 0 ? grad[i][j] : 0; // ReLU after layer l
                    }
                }
            }
            int outF = w[l].length;
            int inF = w[l][0].length;
            gw[l] = new double[outF][inF];
            gb[l] = new double[outF];
            for (int i = 0; i < n; i++) {
                for (int o = 0; o < outF; o++) {
                    gb[l][o] += grad[i][o];
                    for (int k = 0; k < inF; k++) {
                        gw[l][o][k] += grad[i][o] * acts[l][i][k];
                    }
                }
            }
            double[][] gin = new double[n][inF];
            for (int i = 0; i < n; i++) {
                for (int o = 0; o < outF; o++) {
                    for (int k = 0; k < inF; k++) {
                        gin[i][k] += grad[i][o] * w[l][o][k];
                    }
                }
            }
            grad = gin;
        }
        for (int l = 0; l < layers; l++) {
            for (int o = 0; o < w[l].length; o++) {
                for (int k = 0; k < w[l][o].length; k++) {
                    w[l][o][k] -= lr * velocity(wBuf[l][o], k, gw[l][o][k], momentum);
                }
                b[l][o] -= lr * velocity(bBuf[l], o, gb[l][o], momentum);
            }
        }
        firstStep = false;
        return loss;
    }

    /** PyTorch: buf = g on the first step, else momentum·buf + g; the update uses buf. */
    private double velocity(double[] buf, int i, double g, double momentum) {
        if (momentum == 0) {
            return g;
        }
        buf[i] = firstStep ? g : momentum * buf[i] + g;
        return buf[i];
    }

    private static double[][] affine(double[][] x, double[][] w, double[] b) {
        double[][] y = new double[x.length][w.length];
        for (int i = 0; i < x.length; i++) {
            for (int o = 0; o < w.length; o++) {
                double s = b[o];
                for (int k = 0; k < w[o].length; k++) {
                    s += x[i][k] * w[o][k];
                }
                y[i][o] = s;
            }
        }
        return y;
    }

    private static double[][] relu(double[][] x) {
        double[][] y = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            y[i] = new double[x[i].length];
            for (int j = 0; j < x[i].length; j++) {
                y[i][j] = Math.max(0, x[i][j]);
            }
        }
        return y;
    }
}
