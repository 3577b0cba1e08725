package dev.tensorj.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Counters;
import dev.tensorj.DType;
import dev.tensorj.Device;
import dev.tensorj.LeakReport;
import dev.tensorj.Tensor;
import dev.tensorj.junit.DevicesSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * What a DataLoader costs and leaves behind per batch: a TensorDataset (or a Subset of one) is
 * gathered by one indexSelect per float32 tensor rather than a select per row, every temporary
 * the loader makes is closed at once (none waits for the garbage collector), and batches of each
 * supported kind arrive on the target device with the values of the rows they hold.
 */
class BatchDeliveryTest {
    private static final int N = 40;
    private static final int F = 3;

    /** x [N, F] float32 with x[i][0] = i, w [N] float32 = -i / 4, y [N] int64 = 5 i + 1. */
    private static TensorDataset dataset(Device device) {
        SplittableRandom r = new SplittableRandom(17);
        float[] x = new float[N * F];
        float[] w = new float[N];
        long[] y = new long[N];
        for (int i = 0; i < N; i++) {
            x[i * F] = i;
            x[i * F + 1] = (float) r.nextGaussian();
            x[i * F + 2] = (float) r.nextGaussian();
            w[i] = -i / 4f;
            y[i] = 5L * i + 1;
        }
        return new TensorDataset(Tensor.of(x, N, F).to(device), Tensor.of(w, N).to(device), Tensor.of(y, N).to(device));
    }

    /** Checks that {@code batch} holds exactly the rows {@code rows} of {@link #dataset}, on {@code device}. */
    private static void assertRows(int[] rows, Tensor[] batch, Device device) {
        assertEquals(3, batch.length);
        float[] x = batch[0].toFloatArray();
        float[] w = batch[1].toFloatArray();
        long[] y = batch[2].toLongArray();
        assertEquals(DType.INT64, batch[2].dtype());
        for (Tensor t : batch) {
            assertEquals(device, t.device());
            assertEquals(rows.length, t.size(0));
        }
        for (int k = 0; k < rows.length; k++) {
            assertEquals(rows[k], x[k * F], "row " + k);
            assertEquals(-rows[k] / 4f, w[k], "row " + k);
            assertEquals(5L * rows[k] + 1, y[k], "row " + k);
        }
    }

    private static long ops(Device device, Runnable work) {
        long before = Counters.snapshot(device).ops() + (device.isCpu() ? 0 : Counters.snapshot(Device.CPU).ops());
        work.run();
        return Counters.snapshot(device).ops() + (device.isCpu() ? 0 : Counters.snapshot(Device.CPU).ops()) - before;
    }

    /**
     * A batch of 16 rows of a TensorDataset costs a handful of ops (one indexSelect per float32
     * tensor, the int64 one stacked), not a select per row of each tensor; so does a Subset of one.
     */
    @ParameterizedTest
    @DevicesSource
    void aTensorDatasetIsGatheredNotStackedRowByRow(Device device) {
        TensorDataset data = dataset(device);
        int[] rows = IntStream.range(0, 16).map(i -> (7 * i + 3) % N).toArray();
        Tensor[][] batch = new Tensor[1][];
        // Reference: the same rows through a dataset that is not a TensorDataset (the stacking path).
        Dataset<Tensor[]> plain = new Dataset<>() {
            @Override
            public int size() {
                return data.size();
            }

            @Override
            public Tensor[] get(int index) {
                return data.get(index);
            }
        };
        long stacked = ops(device, () -> batch[0] = DataLoader.of(new Subset<>(plain, rows), 16).iterator().next());
        assertRows(rows, batch[0], device);
        long gathered = ops(device, () -> batch[0] = DataLoader.of(new Subset<>(data, rows), 16).iterator().next());
        assertRows(rows, batch[0], device);
        // The float32 tensors cost a few ops each; only the int64 one is stacked (16 selects and a stack).
        assertTrue(gathered < stacked - 16, "a subset of a TensorDataset: " + gathered + " ops, stacking " + stacked);
        int[] first = IntStream.range(0, 16).toArray();
        long direct = ops(device, () -> batch[0] = DataLoader.of(data, 16).iterator().next());
        assertRows(first, batch[0], device);
        assertTrue(direct < stacked - 16, "a TensorDataset: " + direct + " ops, stacking " + stacked);
    }

    /** The ids of the tracked allocations live now that are newer than {@code since}. */
    private static List<String> liveSince(long since) {
        return LeakReport.live().stream().filter(a -> a.id() > since).map(LeakReport.Allocation::toString)
                .collect(Collectors.toList());
    }

    private static long lastId() {
        return LeakReport.live().stream().mapToLong(LeakReport.Allocation::id).max().orElse(0);
    }

    /**
     * Once a batch is closed, nothing the loader allocated for it is still open: the index tensors,
     * the rows stacked for the int64 tensor, and (when the batch is moved) the copies left on the
     * data's device are all closed as soon as they are used, from the data's device to the target.
     */
    @ParameterizedTest
    @DevicesSource
    void noTemporaryOutlivesItsBatch(Device device) {
        boolean was = LeakReport.isEnabled();
        LeakReport.setEnabled(true);
        try {
            for (Device from : new Device[] {device, Device.CPU}) {
                for (int prefetch : new int[] {0, 1}) {
                    TensorDataset data = dataset(from);
                    long since = lastId();
                    int[] rows = IntStream.range(0, 10).map(i -> N - 1 - 3 * i).toArray();
                    try (BatchIterator<Tensor[]> it = DataLoader.of(new Subset<>(data, rows), 10).prefetch(prefetch)
                            .to(device).iterator()) {
                        Tensor[] batch = it.next();
                        assertRows(rows, batch, device);
                        Arrays.stream(batch).forEach(Tensor::close);
                    }
                    assertEquals(List.of(), liveSince(since), "from " + from + " to " + device + ", prefetch " + prefetch);
                }
            }
        } finally {
            LeakReport.setEnabled(was);
        }
    }

    /** A collate may return one Tensor or a List of tensors: each arrives on the device, values intact. */
    @ParameterizedTest
    @DevicesSource
    void tensorAndListBatchesAreMovedToTheDevice(Device device) {
        TensorDataset data = dataset(Device.CPU);
        DataLoader<Tensor[], Tensor> sums = DataLoader.of(data, 8, items -> {
            List<Tensor> w = items.stream().map(item -> item[1]).collect(Collectors.toList());
            return Tensor.stack(w, 0);
        }).to(device);
        List<float[]> got = new ArrayList<>();
        for (Tensor t : sums) {
            assertEquals(device, t.device());
            got.add(t.toFloatArray());
        }
        assertEquals(5, got.size());
        assertArrayEquals(new float[] {-2f, -2.25f, -2.5f, -2.75f, -3f, -3.25f, -3.5f, -3.75f}, got.get(1));

        List<Tensor> pair = DataLoader.of(data, 4, items -> List.of(items.get(0)[0], items.get(3)[1])).to(device)
                .iterator().next();
        assertEquals(2, pair.size());
        assertEquals(device, pair.get(0).device());
        assertEquals(device, pair.get(1).device());
        assertArrayEquals(data.get(0)[0].toFloatArray(), pair.get(0).toFloatArray());
        assertEquals(-0.75f, pair.get(1).item());
    }

    /** A batch the loader cannot move is rejected naming its class (or null) and the device. */
    @Test
    void aBatchThatCannotBeMovedIsNamed() {
        TensorDataset data = dataset(Device.CPU);
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> DataLoader.of(data, 4, items -> (Object) null).to(Device.META).iterator().next());
        assertTrue(none.getMessage().contains("a batch of null to meta"), none.getMessage());
        IllegalArgumentException mixed = assertThrows(IllegalArgumentException.class,
                () -> DataLoader.of(data, 4, items -> List.of(items.get(0)[0], "label")).to(Device.META).iterator()
                        .next());
        assertTrue(mixed.getMessage().contains("a batch of java.util."), mixed.getMessage());
    }

    @Test
    void theLoaderAndTheSubsetNameWhatTheyRead() {
        TensorDataset data = dataset(Device.CPU);
        DataLoader<Tensor[], Tensor[]> loader = DataLoader.of(data, 6).shuffle(3).dropLast(true).prefetch(1);
        assertEquals(6, loader.batchSize());
        assertSame(data, loader.dataset());
        Subset<Tensor[]> subset = new Subset<>(data, new int[] {4, 2});
        assertSame(data, subset.dataset());
        assertArrayEquals(new int[] {4, 2}, subset.indices());
    }
}
