package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.junit.DevicesSource;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/** repeat (torch.repeat) against a tiling reference: values, gradients (sums of tiles), dtypes, meta, errors. */
class RepeatTest {
    /** out[..i..] = x[..i mod size..] after prepending size-1 dims to x. */
    static Nd refRepeat(Nd x, int[] repeats) {
        int m = repeats.length;
        int lead = m - x.shape.length;
        int[] padded = new int[m];
        int[] shape = new int[m];
        for (int d = 0; d < m; d++) {
            padded[d] = d < lead ? 1 : x.shape[d - lead];
            shape[d] = padded[d] * repeats[d];
        }
        double[] out = new double[Nd.numel(shape)];
        for (int t = 0; t < out.length; t++) {
            int rem = t;
            int src = 0;
            int[] idx = new int[m];
            for (int d = m - 1; d >= 0; d--) {
                idx[d] = rem % shape[d];
                rem /= shape[d];
            }
            for (int d = 0; d < m; d++) {
                src = src * padded[d] + idx[d] % padded[d];
            }
            out[t] = x.v[src];
        }
        return new Nd(out, shape);
    }

    @ParameterizedTest
    @DevicesSource
    void valuesAndGradients(Device device) {
        Random rng = new Random(41);
        Object[][] cases = {{new int[] {2, 3}, new int[] {2, 1}}, {new int[] {2, 3}, new int[] {3, 1, 2}},
                {new int[] {1, 4, 1}, new int[] {2, 1, 3}}, {new int[] {3}, new int[] {0}},
                {new int[] {2, 0}, new int[] {2, 3}}, {new int[] {}, new int[] {}}, {new int[] {}, new int[] {2, 3}},
                {new int[] {2, 1, 2, 1, 2}, new int[] {1, 2, 1, 2, 1, 2}}}; // 12-d view: more than a kernel's rank
        for (Object[] c : cases) {
            Nd x = Nd.randn(rng, (int[]) c[0]);
            int[] r = (int[]) c[1];
            String what = "repeat " + x + " by " + Arrays.toString(r);
            Approx.assertClose(what, x.tensor(device).repeat(r), refRepeat(x, r));
            if (x.numel() > 0) {
                GradCheck.check(what + " grad", device, 42, xs -> xs[0].repeat(r), xs -> refRepeat(xs[0], r), x);
            }
        }
        // int64 and bool tiles move as they are
        Tensor l = Tensor.of(new long[] {5, -7}, 2).to(device);
        assertArrayEquals(new long[] {5, -7, 5, -7, 5, -7, 5, -7}, l.repeat(2, 2).toLongArray());
        Tensor b = Tensor.of(new boolean[] {true, false}, 2, 1).to(device);
        assertArrayEquals(new boolean[] {true, true, true, false, false, false}, b.repeat(1, 3).toBooleanArray());
    }

    @Test
    void metaShapes() {
        Tensor x = Tensor.randn(Device.META, 50_000, 128).requiresGrad(true);
        Tensor y = x.repeat(2, 3, 1);
        assertArrayEquals(new int[] {2, 150_000, 128}, y.shape());
        y.sum().backward();
        assertArrayEquals(new int[] {50_000, 128}, x.grad().shape());
    }

    @Test
    void badRepeatsAreRejected() {
        Tensor x = Tensor.randn(2, 3);
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> x.repeat(2));
        assertEquals("repeat", e.op());
        assertTrue(e.getMessage().contains("[2, 3]"), e.getMessage());
        IllegalArgumentException n = assertThrows(IllegalArgumentException.class, () -> x.repeat(1, -1));
        assertTrue(n.getMessage().startsWith("repeat:") && n.getMessage().contains("negative"), n.getMessage());
        assertThrows(IllegalArgumentException.class, () -> x.repeat(1, Integer.MAX_VALUE));
    }
}
