package dev.tensorj;

import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;

/**
 * Double-precision reference versions of tensorj's ops, written as plainly as possible (PyTorch
 * semantics: broadcasting aligned from the right, 1-d matmul operands, empty sums of 0).
 */
final class RefOps {
    private RefOps() {}

    static int[] broadcastShape(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("reference: cannot broadcast " + Arrays.toString(a)
                        + " and " + Arrays.toString(b));
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** The flat index into {@code shape} (broadcast to {@code out}) of the output multi-index {@code idx}. */
    private static int offset(int[] idx, int[] shape, int[] out) {
        int lead = out.length - shape.length;
        int off = 0;
        for (int i = 0; i < shape.length; i++) {
            off = off * shape[i] + (shape[i] == 1 ? 0 : idx[lead + i]);
        }
        return off;
    }

    static Nd binary(Nd a, Nd b, DoubleBinaryOperator op) {
        int[] s = broadcastShape(a.shape, b.shape);
        double[] out = new double[Nd.numel(s)];
        int[] idx = new int[s.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = op.applyAsDouble(a.v[offset(idx, a.shape, s)], b.v[offset(idx, b.shape, s)]);
            for (int d = s.length - 1; d >= 0; d--) {
                if (++idx[d] < s[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return new Nd(out, s);
    }

    static Nd add(Nd a, Nd b) {
        return binary(a, b, Double::sum);
    }

    static Nd sub(Nd a, Nd b) {
        return binary(a, b, (x, y) -> x - y);
    }

    static Nd mul(Nd a, Nd b) {
        return binary(a, b, (x, y) -> x * y);
    }

    static Nd div(Nd a, Nd b) {
        return binary(a, b, (x, y) -> x / y);
    }

    static Nd abs(Nd a) {
        return a.map(Math::abs);
    }

    static Nd relu(Nd a) {
        return a.map(x -> x > 0 ? x : 0);
    }

    static Nd pow(Nd a, double e) {
        return a.map(x -> Math.pow(x, e));
    }

    /** {@code torch.matmul} for 1-d and 2-d operands. */
    /**
     * {@code torch.matmul}: a 1-d left operand is a row, a 1-d right one a column (that dimension
     * dropped), and the dimensions before the last two broadcast as a batch, matrix by matrix.
     */
    static Nd matmul(Nd a, Nd b) {
        boolean aVec = a.shape.length == 1;
        boolean bVec = b.shape.length == 1;
        int[] as = aVec ? new int[] {1, a.shape[0]} : a.shape;
        int[] bs = bVec ? new int[] {b.shape[0], 1} : b.shape;
        int m = as[as.length - 2];
        int k = as[as.length - 1];
        int n = bs[bs.length - 1];
        if (bs[bs.length - 2] != k) {
            throw new IllegalArgumentException("reference: matmul inner dimensions differ");
        }
        int[] aBatch = Arrays.copyOf(as, as.length - 2);
        int[] bBatch = Arrays.copyOf(bs, bs.length - 2);
        int[] batch = broadcastShape(aBatch, bBatch);
        int count = Nd.numel(batch);
        double[] c = new double[count * m * n];
        int[] idx = new int[batch.length];
        for (int t = 0; t < count; t++) {
            int ao = offset(idx, aBatch, batch) * m * k;
            int bo = offset(idx, bBatch, batch) * k * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) {
                        s += a.v[ao + i * k + p] * b.v[bo + p * n + j];
                    }
                    c[(t * m + i) * n + j] = s;
                }
            }
            for (int d = batch.length - 1; d >= 0; d--) {
                if (++idx[d] < batch[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        int[] shape = Arrays.copyOf(batch, batch.length + (aVec ? 0 : 1) + (bVec ? 0 : 1));
        if (!aVec) {
            shape[batch.length] = m;
        }
        if (!bVec) {
            shape[shape.length - 1] = n;
        }
        return new Nd(c, shape);
    }

    static Nd t(Nd a) {
        if (a.shape.length < 2) {
            return a;
        }
        int r = a.shape[0];
        int c = a.shape[1];
        double[] out = new double[r * c];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                out[j * r + i] = a.v[i * c + j];
            }
        }
        return new Nd(out, c, r);
    }

    static Nd sum(Nd a) {
        double s = 0;
        for (double x : a.v) {
            s += x;
        }
        return new Nd(new double[] {s});
    }

    static Nd sum(Nd a, int dim, boolean keepDim) {
        int rank = a.shape.length;
        if (rank == 0) {
            return sum(a);
        }
        int d = dim < 0 ? dim + rank : dim;
        int outer = 1;
        int inner = 1;
        for (int i = 0; i < d; i++) {
            outer *= a.shape[i];
        }
        for (int i = d + 1; i < rank; i++) {
            inner *= a.shape[i];
        }
        int len = a.shape[d];
        double[] out = new double[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int l = 0; l < len; l++) {
                for (int i = 0; i < inner; i++) {
                    out[o * inner + i] += a.v[(o * len + l) * inner + i];
                }
            }
        }
        int[] s;
        if (keepDim) {
            s = a.shape.clone();
            s[d] = 1;
        } else {
            s = new int[rank - 1];
            for (int i = 0, j = 0; i < rank; i++) {
                if (i != d) {
                    s[j++] = a.shape[i];
                }
            }
        }
        return new Nd(out, s);
    }

    static Nd mean(Nd a) {
        return sum(a).map(x -> x / a.numel());
    }

    static Nd mean(Nd a, int dim, boolean keepDim) {
        int rank = a.shape.length;
        int n = rank == 0 ? 1 : a.shape[dim < 0 ? dim + rank : dim];
        return sum(a, dim, keepDim).map(x -> x / n);
    }

    /** The same values in {@code shape}; one dimension may be -1. */
    static Nd reshape(Nd a, int... shape) {
        int[] s = shape.clone();
        int known = 1;
        int infer = -1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                infer = i;
            } else {
                known *= s[i];
            }
        }
        if (infer >= 0) {
            s[infer] = a.numel() / known;
        }
        return new Nd(a.v, s);
    }

    /** {@code x·wᵀ + b} for x of shape {@code [..., in]}; {@code b} may be null. */
    static Nd linear(Nd x, Nd w, Nd b) {
        int in = w.shape[1];
        Nd y = x.shape.length == 1 ? matmul(x, t(w)) : matmul(reshape(x, -1, in), t(w));
        if (b != null) {
            y = add(y, b);
        }
        int[] outShape = x.shape.clone();
        outShape[outShape.length - 1] = w.shape[0];
        return reshape(y, outShape);
    }

    static Nd mseLoss(Nd input, Nd target) {
        return mean(sub(input, target).map(x -> x * x));
    }
}
