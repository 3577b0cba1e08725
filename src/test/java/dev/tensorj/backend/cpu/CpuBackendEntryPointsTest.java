package dev.tensorj.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tensorj.backend.BinaryOp;
import dev.tensorj.backend.BroadcastPlan;
import dev.tensorj.backend.IndexPlan;
import dev.tensorj.backend.RandomKind;
import dev.tensorj.backend.ScalarType;
import dev.tensorj.backend.Storage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Each of {@link CpuBackend}'s kernel entry points hands its storages, sizes and options to its
 * kernel unchanged: its result through the backend equals the kernel's on the same arrays (the
 * kernels' values are checked against double references by their own tests), including the
 * optional weight, bias and gradient storages passed as null.
 */
class CpuBackendEntryPointsTest {
    private static final CpuBackend CPU = CpuBackend.INSTANCE;



    @Test
    void elementwiseReductionsAndIndexing() {
        var rnd = new SplittableRandom(101);
        float[] x = KernelData.uniform(rnd, 24, -2, 2);
        float[] y = KernelData.uniform(rnd, 24, -2, 2);
        BroadcastPlan plan = BroadcastPlan.of(new int[] {4, 6}, new long[] {6, 1}, new long[] {0, 1});
        Storage out = CPU.allocate(ScalarType.F32, 24);
        CPU.binary(BinaryOp.MUL, CPU.fromHost(x), CPU.fromHost(y), out, plan);
        float[] expected = new float[24];
        CpuElementwise.binary(BinaryOp.MUL, x, y, expected, plan);
        assertArrayEquals(expected, KernelData.floats(out), "binary");

        Storage sums = CPU.allocate(ScalarType.F32, 8);
        CPU.sumAxis(CPU.fromHost(x), 2, 3, 4, sums);
        float[] s = new float[8];
        CpuReduce.sumAxis(x, 2, 3, 4, s);
        assertArrayEquals(s, KernelData.floats(sums), "sumAxis");

        for (boolean max : new boolean[] {true, false}) {
            Storage values = CPU.allocate(ScalarType.F32, 8);
            Storage indices = CPU.allocate(ScalarType.I64, 8);
            CPU.extremeAxis(max, CPU.fromHost(x), 2, 3, 4, values, indices);
            float[] v = new float[8];
            long[] at = new long[8];
            CpuReduce.extremeAxis(max, x, 2, 3, 4, v, at);
            assertArrayEquals(v, KernelData.floats(values), "extremeAxis values, max " + max);
            assertArrayEquals(at, KernelData.longs(indices), "extremeAxis indices, max " + max);
        }

        long[] index = {3, 0, 5, 5, 1, 2, 0, 4};
        IndexPlan ip = IndexPlan.of(new int[] {4, 2}, 1, new long[] {2, 1}, new long[] {2, 1}, new long[] {6, 1});
        Storage gathered = CPU.allocate(ScalarType.F32, 8);
        CPU.gather(CPU.fromHost(x), CPU.fromHost(index), gathered, ip);
        float[] g = new float[8];
        CpuIndex.gather(x, index, g, ip);
        assertArrayEquals(g, KernelData.floats(gathered), "gather");
        Storage scattered = CPU.fromHost(y);
        CPU.scatterAdd(CPU.fromHost(g), CPU.fromHost(index), scattered, ip);
        float[] sc = y.clone();
        CpuIndex.scatterAdd(g, index, sc, ip);
        assertArrayEquals(sc, KernelData.floats(scattered), "scatterAdd");
    }

    @Test
    void softmaxAndCrossEntropy() {
        var rnd = new SplittableRandom(102);
        float[] x = KernelData.uniform(rnd, 30, -3, 3);
        float[] g = KernelData.uniform(rnd, 30, -1, 1);
        for (boolean log : new boolean[] {false, true}) {
            Storage out = CPU.allocate(ScalarType.F32, 30);
            CPU.softmax(log, CPU.fromHost(x), 2, 5, 3, out);
            float[] y = new float[30];
            CpuSoftmax.softmax(log, x, 2, 5, 3, y);
            assertArrayEquals(y, KernelData.floats(out), "softmax, log " + log);
            Storage gx = CPU.allocate(ScalarType.F32, 30);
            CPU.softmaxBackward(log, CPU.fromHost(y), CPU.fromHost(g), 2, 5, 3, gx);
            float[] d = new float[30];
            CpuSoftmax.softmaxBackward(log, y, g, 2, 5, 3, d);
            assertArrayEquals(d, KernelData.floats(gx), "softmaxBackward, log " + log);
        }
        long[] target = {4, -100, 0, 2, 1, 3};
        float[] w = KernelData.uniform(rnd, 5, 0.5, 2);
        float[] gr = KernelData.uniform(rnd, 6, -1, 1);
        for (float[] weight : new float[][] {null, w}) {
            Storage loss = CPU.allocate(ScalarType.F32, 6);
            Storage stats = CPU.allocate(ScalarType.F32, 24);
            CPU.crossEntropy(CPU.fromHost(x), CPU.fromHost(target), weight == null ? null : CPU.fromHost(weight), 6, 5,
                    -100, 0.1f, loss, stats);
            float[] l = new float[6];
            float[] st = new float[24];
            CpuSoftmax.crossEntropy(x, target, weight, 6, 5, -100, 0.1f, l, st);
            String what = weight == null ? "unweighted" : "weighted";
            assertArrayEquals(l, KernelData.floats(loss), "crossEntropy loss, " + what);
            assertArrayEquals(st, KernelData.floats(stats), "crossEntropy stats, " + what);
            Storage gx = CPU.allocate(ScalarType.F32, 30);
            CPU.crossEntropyBackward(CPU.fromHost(x), CPU.fromHost(target), weight == null ? null : CPU.fromHost(weight),
                    CPU.fromHost(st), CPU.fromHost(gr), true, 6, 5, -100, 0.1f, gx);
            float[] d = new float[30];
            CpuSoftmax.crossEntropyBackward(x, target, weight, st, gr, true, 6, 5, -100, 0.1f, d);
            assertArrayEquals(d, KernelData.floats(gx), "crossEntropyBackward, " + what);
        }
    }

    @Test
    void layerNormWithAndWithoutItsOptionalStorages() {
        var rnd = new SplittableRandom(103);
        int rows = 3;
        int len = 7;
        float[] x = KernelData.uniform(rnd, rows * len, -3, 3);
        float[] w = KernelData.uniform(rnd, len, -2, 2);
        float[] b = KernelData.uniform(rnd, len, -1, 1);
        float[] g = KernelData.uniform(rnd, rows * len, -1, 1);
        for (int variant = 0; variant < 4; variant++) {
            float[] weight = (variant & 1) != 0 ? w : null;
            float[] bias = (variant & 2) != 0 ? b : null;
            Storage out = CPU.allocate(ScalarType.F32, rows * len);
            Storage stats = CPU.allocate(ScalarType.F32, 3 * rows);
            CPU.layerNorm(CPU.fromHost(x), weight == null ? null : CPU.fromHost(weight),
                    bias == null ? null : CPU.fromHost(bias), rows, len, 1e-5f, out, stats);
            float[] o = new float[rows * len];
            float[] st = new float[3 * rows];
            CpuLayerNorm.forward(x, weight, bias, rows, len, 1e-5f, o, st);
            String what = "weight " + (weight != null) + ", bias " + (bias != null);
            assertArrayEquals(o, KernelData.floats(out), "layerNorm, " + what);
            assertArrayEquals(st, KernelData.floats(stats), "layerNorm stats, " + what);
            boolean sums = bias != null;
            Storage gx = CPU.allocate(ScalarType.F32, rows * len);
            Storage gw = sums ? CPU.allocate(ScalarType.F32, len) : null;
            Storage gb = sums ? CPU.allocate(ScalarType.F32, len) : null;
            CPU.layerNormBackward(CPU.fromHost(x), weight == null ? null : CPU.fromHost(weight), CPU.fromHost(st),
                    CPU.fromHost(g), rows, len, gx, gw, gb);
            float[] dx = new float[rows * len];
            float[] dw = sums ? new float[len] : null;
            float[] db = sums ? new float[len] : null;
            CpuLayerNorm.backward(x, weight, st, g, rows, len, dx, dw, db);
            assertArrayEquals(dx, KernelData.floats(gx), "layerNormBackward, " + what);
            if (sums) {
                assertArrayEquals(dw, KernelData.floats(gw), "layerNormBackward weight grad, " + what);
                assertArrayEquals(db, KernelData.floats(gb), "layerNormBackward bias grad, " + what);
            }
        }
    }

    @Test
    void randomDraws() {
        for (RandomKind kind : RandomKind.values()) {
            Storage out = CPU.allocate(ScalarType.F32, 9);
            CPU.random(kind, 77, 8, out, 0.3f, 2f);
            float[] r = new float[9];
            CpuRandom.random(kind, 77, 8, r, 0.3f, 2f);
            assertArrayEquals(r, KernelData.floats(out), kind.toString());
        }
        Storage ints = CPU.allocate(ScalarType.I64, 5);
        CPU.randint(78, 4, ints, -3, 9);
        long[] i = new long[5];
        CpuRandom.randint(78, 4, i, -3, 9);
        assertArrayEquals(i, KernelData.longs(ints), "randint");
    }
}
