package dev.tensorj.bench;

import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;

/**
 * A training step's matrix products and nothing else: {@code cblas_sgemm} on native buffers
 * allocated once, with the step's transpose flags. No allocation, no copies and no elementwise
 * work, so its time is what OpenBLAS alone needs for the step: a floor under any library that
 * computes the step with it.
 */
final class BlasProducts implements AutoCloseable {
    private final List<SuiteWorker.Product> products;
    private final FloatPointer[] a;
    private final FloatPointer[] b;
    private final FloatPointer[] c;

    /** Operands random in [-1, 1) from {@code seed}, the same values {@link DjlCases.Products} gets. */
    BlasProducts(List<SuiteWorker.Product> products, long seed) {
        this.products = products;
        int n = products.size();
        a = new FloatPointer[n];
        b = new FloatPointer[n];
        c = new FloatPointer[n];
        float[][][] ops = operands(products, seed);
        for (int i = 0; i < n; i++) {
            SuiteWorker.Product p = products.get(i);
            a[i] = new FloatPointer(ops[i][0]);
            b[i] = new FloatPointer(ops[i][1]);
            c[i] = new FloatPointer((long) p.m() * p.n());
        }
    }

    /**
     * Each product's two operands as stored: A is {@code [k, m]} when transposed, else
     * {@code [m, k]}; B is {@code [n, k]} when transposed, else {@code [k, n]}.
     */
    static float[][][] operands(List<SuiteWorker.Product> products, long seed) {
        var rnd = new SplittableRandom(seed);
        float[][][] ops = new float[products.size()][][];
        for (int i = 0; i < ops.length; i++) {
            SuiteWorker.Product p = products.get(i);
            ops[i] = new float[][] {TensorjCases.random(rnd, p.m() * p.k()), TensorjCases.random(rnd, p.k() * p.n())};
        }
        return ops;
    }

    void run() {
        for (int i = 0; i < c.length; i++) {
            SuiteWorker.Product p = products.get(i);
            openblas.cblas_sgemm(openblas.CblasRowMajor, p.transA() ? openblas.CblasTrans : openblas.CblasNoTrans,
                    p.transB() ? openblas.CblasTrans : openblas.CblasNoTrans, p.m(), p.n(), p.k(), 1f,
                    a[i], p.transA() ? p.m() : p.k(), b[i], p.transB() ? p.k() : p.n(), 0f, c[i], p.n());
        }
    }

    /** The products of the last {@link #run()}. */
    float[][] results() {
        float[][] out = new float[c.length][];
        for (int i = 0; i < c.length; i++) {
            out[i] = new float[(int) c[i].capacity()];
            c[i].get(out[i]);
        }
        return out;
    }

    @Override
    public void close() {
        for (FloatPointer[] ps : new FloatPointer[][] {a, b, c}) {
            for (FloatPointer p : ps) {
                p.close();
            }
        }
    }
}
