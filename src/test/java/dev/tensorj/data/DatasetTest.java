package dev.tensorj.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Device;
import dev.tensorj.Tensor;
import dev.tensorj.junit.DevicesSource;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/** TensorDataset, Subset and randomSplit against references written here. */
class DatasetTest {

    @ParameterizedTest
    @DevicesSource
    void aTensorDatasetItemIsOneRowOfEachTensor(Device device) {
        SplittableRandom r = new SplittableRandom(11);
        float[] x = new float[6 * 2 * 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        long[] y = {5, -1, 7, 0, 3, 9};
        TensorDataset ds = new TensorDataset(Tensor.of(x, 6, 2, 3).to(device), Tensor.of(y, 6).to(device));
        assertEquals(6, ds.size());
        for (int i = 0; i < 6; i++) {
            Tensor[] item = ds.get(i);
            assertEquals(2, item.length);
            assertArrayEquals(new int[] {2, 3}, item[0].shape());
            assertArrayEquals(new int[] {}, item[1].shape());
            assertEquals(device, item[0].device());
            assertArrayEquals(Arrays.copyOfRange(x, i * 6, i * 6 + 6), item[0].toFloatArray());
            assertEquals(y[i], item[1].toLongArray()[0]);
        }
        assertThrows(IndexOutOfBoundsException.class, () -> ds.get(6));
        assertThrows(IndexOutOfBoundsException.class, () -> ds.get(-1));
    }

    @Test
    void tensorsOfDifferentLengthsAreRejectedByShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TensorDataset(Tensor.zeros(4, 2), Tensor.zeros(3)));
        assertTrue(e.getMessage().contains("[4, 2]") && e.getMessage().contains("[3]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TensorDataset(Tensor.zeros(4), Tensor.scalar(1f)));
        assertThrows(IllegalArgumentException.class, TensorDataset::new);
        assertEquals(0, new TensorDataset(Tensor.zeros(0, 5)).size());
    }

    @Test
    void aSubsetReadsItsIndicesInOrder() {
        TensorDataset ds = new TensorDataset(Tensor.arange(10).to(dev.tensorj.DType.FLOAT32));
        Subset<Tensor[]> s = new Subset<>(ds, new int[] {9, 2, 2, 5});
        assertEquals(4, s.size());
        float[] got = new float[4];
        for (int i = 0; i < 4; i++) {
            got[i] = s.get(i)[0].item();
        }
        assertArrayEquals(new float[] {9, 2, 2, 5}, got);
        assertThrows(IndexOutOfBoundsException.class, () -> s.get(4));
        assertThrows(IndexOutOfBoundsException.class, () -> new Subset<>(ds, new int[] {10}));
        assertThrows(IndexOutOfBoundsException.class, () -> new Subset<>(ds, new int[] {-1}));
    }

    private static final Dataset<Integer> NUMBERS = new Dataset<>() {
        @Override
        public int size() {
            return 50;
        }

        @Override
        public Integer get(int index) {
            return index;
        }
    };

    private static int[] items(Subset<Integer> s) {
        return IntStream.range(0, s.size()).map(s::get).toArray();
    }

    @Test
    void randomSplitPartitionsByASeededPermutation() {
        List<Subset<Integer>> parts = Dataset.randomSplit(NUMBERS, new int[] {30, 0, 20}, 7);
        assertEquals(List.of(30, 0, 20), parts.stream().map(Subset::size).toList());
        // Reference: Fisher-Yates from java.util.Random(7), cut in order.
        java.util.Random r = new java.util.Random(7);
        int[] perm = IntStream.range(0, 50).toArray();
        for (int i = 49; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        assertArrayEquals(Arrays.copyOfRange(perm, 0, 30), items(parts.get(0)));
        assertArrayEquals(Arrays.copyOfRange(perm, 30, 50), items(parts.get(2)));
        int[] all = IntStream.concat(Arrays.stream(items(parts.get(0))), Arrays.stream(items(parts.get(2)))).sorted()
                .toArray();
        assertArrayEquals(IntStream.range(0, 50).toArray(), all, "disjoint and covering");
        assertArrayEquals(items(parts.get(0)), items(Dataset.randomSplit(NUMBERS, new int[] {30, 0, 20}, 7).get(0)));
        assertNotEquals(Arrays.toString(items(parts.get(0))),
                Arrays.toString(items(Dataset.randomSplit(NUMBERS, new int[] {30, 0, 20}, 8).get(0))));
    }

    @Test
    void fractionsAreFlooredAndTheRestHandedOutInTurn() {
        // PyTorch: 50 * [0.33, 0.33, 0.34] = 16.5, 16.5, 17 -> 16, 16, 17, one left -> 17, 16, 17
        assertEquals(List.of(17, 16, 17), Dataset.randomSplit(NUMBERS, new double[] {0.33, 0.33, 0.34}, 1).stream()
                .map(Subset::size).toList());
        assertEquals(List.of(40, 10), Dataset.randomSplit(NUMBERS, new double[] {0.8, 0.2}, 1).stream()
                .map(Subset::size).toList());
        // The same split as the lengths it stands for.
        assertArrayEquals(items(Dataset.randomSplit(NUMBERS, new int[] {40, 10}, 3).get(1)),
                items(Dataset.randomSplit(NUMBERS, new double[] {0.8, 0.2}, 3).get(1)));
    }

    @Test
    void badLengthsAreRejected() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Dataset.randomSplit(NUMBERS, new int[] {30, 19}, 1)).getMessage().contains("(50)"));
        assertThrows(IllegalArgumentException.class, () -> Dataset.randomSplit(NUMBERS, new int[] {60, -10}, 1));
        assertThrows(IllegalArgumentException.class, () -> Dataset.randomSplit(NUMBERS, new double[] {0.5, 0.4}, 1));
        assertThrows(IllegalArgumentException.class, () -> Dataset.randomSplit(NUMBERS, new double[] {1.5, -0.5}, 1));
        assertThrows(IllegalArgumentException.class, () -> Dataset.randomSplit(NUMBERS, new double[] {Double.NaN}, 1));
    }
}
