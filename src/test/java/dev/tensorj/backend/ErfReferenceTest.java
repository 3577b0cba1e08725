package dev.tensorj.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Erf and GELU on the CPU against mpmath at 60 digits: the tables in src/test/resources (written by
 * src/main/scripts/erf_coefficients.py) hold a dense grid on [-6, 6], random points, the tails to
 * ±27.5, tiny and huge arguments and each boundary of Erf's pieces with its neighbours one ulp away;
 * GELU's table holds float inputs on [-12, 12]. The bounds are the worst errors measured, rounded up.
 */
class ErfReferenceTest {
    /** Worst relative error of erf over the table: 2.24e-16 measured (at 0.5 + ulp, where 1 - erfc starts). */
    private static final double ERF_BOUND = 3e-16;
    /** Worst relative error of erfc, relative to itself: 3.65e-16 measured (at 4.31, in the tail's fit). */
    private static final double ERFC_BOUND = 5e-16;

    /** One line of a table: a double argument and two references, exact as decimals. */
    private record Row(double x, BigDecimal first, BigDecimal second) {}

    private static List<Row> table(String name) throws IOException {
        List<Row> rows = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                ErfReferenceTest.class.getResourceAsStream(name), StandardCharsets.US_ASCII))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.startsWith("#")) {
                    String[] f = line.trim().split(" ");
                    rows.add(new Row(Double.parseDouble(f[0]), new BigDecimal(f[1]), new BigDecimal(f[2])));
                }
            }
        }
        return rows;
    }

    /** |actual - expected| / |expected|, computed exactly enough not to add error of its own. */
    private static double relative(double actual, BigDecimal expected) {
        if (expected.signum() == 0) {
            return actual == 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        return new BigDecimal(actual).subtract(expected).divide(expected, MathContext.DECIMAL64).abs().doubleValue();
    }

    /** The error of a float result in units of the float spacing at the reference. */
    private static double floatUlps(float actual, BigDecimal expected) {
        double ulp = Math.ulp(expected.floatValue());
        return new BigDecimal(actual).subtract(expected).abs().doubleValue() / ulp;
    }

    @Test
    void erfAndErfcMatchHighPrecisionReferences() throws IOException {
        List<Row> rows = table("erf-reference.txt");
        assertTrue(rows.size() > 1500, "table too short: " + rows.size());
        double worstErf = 0;
        double worstErfc = 0;
        double atErf = 0;
        double atErfc = 0;
        for (Row r : rows) {
            double erf = Erf.erf(r.x());
            double errErf = relative(erf, r.first());
            if (errErf > worstErf) {
                worstErf = errErf;
                atErf = r.x();
            }
            double erfc = Erf.erfc(r.x());
            if (r.second().abs().doubleValue() < Double.MIN_NORMAL) { // subnormal: rounding is absolute there
                assertTrue(Math.abs(new BigDecimal(erfc).subtract(r.second()).doubleValue()) <= 2 * Double.MIN_VALUE,
                        "erfc(" + r.x() + ") = " + erfc + ", expected " + r.second());
                continue;
            }
            double errErfc = relative(erfc, r.second());
            if (errErfc > worstErfc) {
                worstErfc = errErfc;
                atErfc = r.x();
            }
        }
        assertTrue(worstErf <= ERF_BOUND, "erf: worst relative error " + worstErf + " at " + atErf);
        assertTrue(worstErfc <= ERFC_BOUND, "erfc: worst relative error " + worstErfc + " at " + atErfc);
    }

    @Test
    void geluAndItsGradientRoundCorrectlyToFloat() throws IOException {
        List<Row> rows = table("gelu-reference.txt");
        assertTrue(rows.size() > 800, "table too short: " + rows.size());
        for (Row r : rows) {
            float x = (float) r.x();
            // the double result is within ~1e-16 of the true value, so the float is the nearest one
            // but for a true value within that of a midpoint between two floats: half an ulp, and a hair
            float y = Activations.gelu(x);
            assertTrue(floatUlps(y, r.first()) <= 0.5 + 1e-6, "gelu(" + x + ") = " + y + ", expected " + r.first());
            float d = Activations.geluBackward(x, 1f);
            assertTrue(floatUlps(d, r.second()) <= 0.5 + 1e-6, "gelu'(" + x + ") = " + d + ", expected " + r.second());
        }
    }

    @Test
    void cpuTensorGeluForwardAndBackwardMatchTheReferences() throws IOException {
        List<Row> rows = table("gelu-reference.txt");
        int n = rows.size();
        float[] xs = new float[n];
        float[] ones = new float[n];
        for (int i = 0; i < n; i++) {
            xs[i] = (float) rows.get(i).x();
            ones[i] = 1f;
        }
        Tensor x = Tensor.of(xs, n).requiresGrad(true);
        Tensor y = x.gelu();
        y.backward(Tensor.of(ones, n), false);
        float[] out = y.toFloatArray();
        float[] grad = x.grad().toFloatArray();
        assertEquals(n, out.length);
        for (int i = 0; i < n; i++) {
            Row r = rows.get(i);
            assertTrue(floatUlps(out[i], r.first()) <= 0.5 + 1e-6, "gelu(" + xs[i] + ") = " + out[i]);
            assertTrue(floatUlps(grad[i], r.second()) <= 0.5 + 1e-6, "gelu'(" + xs[i] + ") = " + grad[i]);
        }
    }
}
