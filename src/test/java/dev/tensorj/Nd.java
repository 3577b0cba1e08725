package dev.tensorj;

import java.util.Arrays;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;

/**
 * A row-major double-precision n-d array: the reference side of the value and gradient checks.
 * Inputs are drawn as floats and held exactly, so the tensor and the reference see the same numbers.
 */
final class Nd {
    final double[] v;
    final int[] shape;

    Nd(double[] v, int... shape) {
        if (numel(shape) != v.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " for " + v.length + " values");
        }
        this.v = v;
        this.shape = shape.clone();
    }

    static int numel(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /** Standard normal samples, rounded to float. */
    static Nd randn(Random rng, int... shape) {
        double[] v = new double[numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rng.nextGaussian();
        }
        return new Nd(v, shape);
    }

    /** Normal samples pushed at least {@code margin} away from 0 (for relu kinks and divisors). */
    static Nd randnAwayFromZero(Random rng, double margin, int... shape) {
        return randn(rng, shape).map(x -> (float) (x >= 0 ? x + margin : x - margin));
    }

    /** Positive samples {@code |z| + margin} (for fractional powers). */
    static Nd randnPositive(Random rng, double margin, int... shape) {
        return randn(rng, shape).map(x -> (float) (Math.abs(x) + margin));
    }

    static Nd zeros(int... shape) {
        return new Nd(new double[numel(shape)], shape);
    }

    int numel() {
        return v.length;
    }

    Nd map(DoubleUnaryOperator f) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = f.applyAsDouble(v[i]);
        }
        return new Nd(out, shape);
    }

    Nd copy() {
        return new Nd(v.clone(), shape);
    }

    float[] floats() {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    /** These values as a tensor: built on the CPU, then moved to {@code device}. */
    Tensor tensor(Device device) {
        // Tensor.of with an empty shape array means "1-d"; a 0-d tensor comes from Tensor.scalar.
        Tensor t = shape.length == 0 ? Tensor.scalar(floats()[0]) : Tensor.of(floats(), shape);
        return t.to(device);
    }

    static long[] strides(int[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    @Override
    public String toString() {
        return "Nd" + Arrays.toString(shape);
    }
}
