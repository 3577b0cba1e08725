package dev.tensorj.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tensorj.Tensor;
import java.lang.reflect.Method;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A product large enough for OpenBLAS, against a double-precision reference, in whichever way this
 * JVM multiplies: on the tensors' own arrays through the jar's JNI glue, or on copies where the
 * glue is turned off ({@code -Dtensorj.cpu.jniBlas=false}, the pom's second test run) or where the
 * jar was built without a C compiler and has none.
 */
class CpuMatmulPathTest {
    private static final String GLUE = "/dev/tensorj/native/linux-x86_64/libtensorj_blas.so";

    @Test
    void aLargeProductMatchesTheReference() {
        int m = 67;
        int k = 129;
        int n = 45;
        var rnd = new SplittableRandom(16);
        float[] a = random(rnd, m * k);
        float[] b = random(rnd, k * n);
        float[] c = Tensor.of(a, m, k).matmul(Tensor.of(b, k, n)).toFloatArray();
        float[] expected = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    sum += (double) a[i * k + p] * b[p * n + j];
                }
                expected[i * n + j] = (float) sum;
            }
        }
        assertArrayEquals(expected, c, 1e-4f);
    }

    /** Which path ran: with the glue where the jar has it and it is not turned off, else copies. */
    @Test
    void theProductsRanOnThePathThisJvmShouldUse() throws ReflectiveOperationException {
        assumeTrue(System.getProperty("os.name").startsWith("Linux") && System.getProperty("os.arch").equals("amd64"),
                "OpenBLAS and the glue are for linux-x86_64 here");
        boolean jarHasGlue = Tensor.class.getResource(GLUE) != null;
        boolean turnedOff = "false".equals(System.getProperty("tensorj.cpu.jniBlas"));
        Tensor.of(new float[64 * 64], 64, 64).matmul(Tensor.of(new float[64 * 64], 64, 64));
        String path = blasPath();
        String expected = jarHasGlue && !turnedOff ? "on the tensors' own arrays" : "OpenBLAS on native copies";
        assertEquals(true, path.contains(expected), "expected \"" + expected + "\", got: " + path);
        System.out.println("CPU matmul here: " + path + " (jar has the glue: " + jarHasGlue + ")");
    }

    /**
     * The internal description of the CPU matmul path. No API names it, and the runtime log names it only
     * when the glue loads or fails to; this test reaches in on the class path, as users must not.
     */
    private static String blasPath() throws ReflectiveOperationException {
        Method describe = Class.forName("dev.tensorj.backend.cpu.JniBlas").getDeclaredMethod("describe");
        describe.setAccessible(true);
        return (String) describe.invoke(null);
    }

    private static float[] random(SplittableRandom rnd, int size) {
        float[] out = new float[size];
        for (int i = 0; i < size; i++) {
            out[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return out;
    }
}
