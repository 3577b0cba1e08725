package dev.tensorj.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.DType;
import dev.tensorj.Device;
import dev.tensorj.Tensor;
import dev.tensorj.junit.DevicesSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * DataLoader against a reference written here: which rows each batch holds (each row's first feature
 * is its index, so a batch names its rows), on cpu and emulated cuda, with and without prefetching.
 */
class DataLoaderTest {
    private static final int N = 23;
    private static final int F = 4;

    /** x [N, F]: x[i][0] = i, the rest random; y [N] int64: 1000 + 7 i (a dtype indexSelect does not take). */
    private static float[] features() {
        SplittableRandom r = new SplittableRandom(3);
        float[] x = new float[N * F];
        for (int i = 0; i < N; i++) {
            x[i * F] = i;
            for (int j = 1; j < F; j++) {
                x[i * F + j] = (float) r.nextGaussian();
            }
        }
        return x;
    }

    private static TensorDataset dataset(Device device) {
        long[] y = IntStream.range(0, N).mapToLong(i -> 1000 + 7L * i).toArray();
        return new TensorDataset(Tensor.of(features(), N, F).to(device), Tensor.of(y, N).to(device));
    }

    /** The rows a batch holds, read from its first feature, checking every value against the reference. */
    private static int[] rowsOf(Tensor[] batch, Device device) {
        assertEquals(2, batch.length);
        assertEquals(device, batch[0].device());
        assertEquals(device, batch[1].device());
        assertEquals(DType.FLOAT32, batch[0].dtype());
        assertEquals(DType.INT64, batch[1].dtype());
        int b = batch[0].size(0);
        assertArrayEquals(new int[] {b, F}, batch[0].shape());
        assertArrayEquals(new int[] {b}, batch[1].shape());
        float[] x = batch[0].toFloatArray();
        long[] y = batch[1].toLongArray();
        float[] ref = features();
        int[] rows = new int[b];
        for (int k = 0; k < b; k++) {
            rows[k] = (int) x[k * F];
            assertArrayEquals(Arrays.copyOfRange(ref, rows[k] * F, rows[k] * F + F), Arrays.copyOfRange(x, k * F, k * F + F));
            assertEquals(1000 + 7L * rows[k], y[k]);
        }
        return rows;
    }

    /** One epoch's rows, batch by batch. */
    private static List<int[]> epoch(DataLoader<Tensor[], Tensor[]> loader, Device device) {
        List<int[]> batches = new ArrayList<>();
        for (Tensor[] batch : loader) {
            batches.add(rowsOf(batch, device));
        }
        return batches;
    }

    private static int[] flat(List<int[]> batches) {
        return batches.stream().flatMapToInt(Arrays::stream).toArray();
    }

    @ParameterizedTest
    @DevicesSource
    void batchesInOrderWithTheLastOneShort(Device device) {
        for (int prefetch : new int[] {0, 2}) {
            DataLoader<Tensor[], Tensor[]> loader = DataLoader.of(dataset(device), 5).prefetch(prefetch);
            assertEquals(5, loader.size());
            List<int[]> batches = epoch(loader, device);
            assertEquals(List.of(5, 5, 5, 5, 3), batches.stream().map(b -> b.length).collect(Collectors.toList()));
            assertArrayEquals(IntStream.range(0, N).toArray(), flat(batches));
        }
    }

    @ParameterizedTest
    @DevicesSource
    void dropLastDropsTheShortBatchOnly(Device device) {
        DataLoader<Tensor[], Tensor[]> loader = DataLoader.of(dataset(device), 5).dropLast(true);
        assertEquals(4, loader.size());
        List<int[]> batches = epoch(loader, device);
        assertEquals(4, batches.size());
        assertArrayEquals(IntStream.range(0, 20).toArray(), flat(batches));
        // A batch size that divides the dataset drops nothing; one larger than it leaves no batch.
        assertEquals(1, epoch(DataLoader.of(dataset(device), N).dropLast(true), device).size());
        assertEquals(0, epoch(DataLoader.of(dataset(device), N + 1).dropLast(true), device).size());
        assertEquals(1, epoch(DataLoader.of(dataset(device), N + 1), device).size());
    }

    @ParameterizedTest
    @DevicesSource
    void aSeedRepeatsItsEpochsAndEachEpochDiffers(Device device) {
        DataLoader<Tensor[], Tensor[]> a = DataLoader.of(dataset(device), 4).shuffle(42);
        DataLoader<Tensor[], Tensor[]> b = DataLoader.of(dataset(device), 4).shuffle(42).prefetch(3);
        // The reference: Fisher-Yates from java.util.Random(42), epoch after epoch.
        java.util.Random ref = new java.util.Random(42);
        Set<String> orders = new HashSet<>();
        for (int e = 0; e < 4; e++) {
            int[] expected = IntStream.range(0, N).toArray();
            for (int i = N - 1; i > 0; i--) {
                int j = ref.nextInt(i + 1);
                int t = expected[i];
                expected[i] = expected[j];
                expected[j] = t;
            }
            int[] got = flat(epoch(a, device));
            assertArrayEquals(expected, got, "epoch " + e);
            assertArrayEquals(expected, flat(epoch(b, device)), "epoch " + e + " with prefetching");
            orders.add(Arrays.toString(got));
        }
        assertEquals(4, orders.size(), "each epoch has its own order");
        assertNotEquals(Arrays.toString(flat(epoch(DataLoader.of(dataset(device), 4).shuffle(43), device))),
                Arrays.toString(flat(epoch(DataLoader.of(dataset(device), 4).shuffle(42), device))));
    }

    @Test
    void unseededShuffleFollowsTheGlobalGenerator() {
        DataLoader<Tensor[], Tensor[]> loader = DataLoader.of(dataset(Device.CPU), 6).shuffle(true);
        Tensor.manualSeed(5);
        int[] first = flat(epoch(loader, Device.CPU));
        int[] second = flat(epoch(loader, Device.CPU));
        assertFalse(Arrays.equals(first, second));
        Tensor.manualSeed(5);
        assertArrayEquals(first, Arrays.stream(Tensor.randperm(N).toLongArray()).mapToInt(Math::toIntExact).toArray(),
                "the order is Tensor.randperm's");
        Tensor.manualSeed(5);
        assertArrayEquals(first, flat(epoch(loader, Device.CPU)));
        assertArrayEquals(IntStream.range(0, N).toArray(),
                flat(epoch(DataLoader.of(dataset(Device.CPU), 6).shuffle(true).shuffle(false), Device.CPU)));
    }

    /** The items 0 .. n-1: a loader of it with one batch of all of them hands over each epoch's order. */
    private static DataLoader<Integer, List<Integer>> orders(int n, long seed) {
        Dataset<Integer> items = new Dataset<>() {
            @Override
            public int size() {
                return n;
            }

            @Override
            public Integer get(int index) {
                return index;
            }
        };
        return DataLoader.of(items, n, batch -> batch).shuffle(seed);
    }

    private static List<List<Integer>> draw(DataLoader<Integer, List<Integer>> loader, int epochs) {
        List<List<Integer>> out = new ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            out.add(loader.iterator().next());
        }
        return out;
    }

    /**
     * A loader set to n epochs drawn gives the orders of one that drew n epochs, whatever it drew
     * before (more, fewer, or none); the count is shared with the loaders made from it by the other
     * builder methods, and a new seed starts a new count.
     */
    @Test
    void aResumedLoaderGivesTheOrdersOfOneThatDrewThoseEpochs() {
        DataLoader<Integer, List<Integer>> reference = orders(N, 7);
        List<List<Integer>> all = draw(reference, 8);
        assertEquals(8, reference.epochsDrawn());
        assertEquals(8, new HashSet<>(all).size(), "each epoch its own order");
        for (int n : new int[] {0, 1, 3, 5}) {
            for (int before : new int[] {0, 2, 6}) {
                DataLoader<Integer, List<Integer>> resumed = orders(N, 7);
                draw(resumed, before);
                resumed.setEpochsDrawn(n);
                assertEquals(n, resumed.epochsDrawn());
                assertEquals(all.subList(n, n + 3), draw(resumed, 3), "resumed at " + n + " after drawing " + before);
                assertEquals(n + 3, resumed.epochsDrawn());
            }
        }
        // A TensorDataset loader: its epochs are the same orders (same seed, same size), batch by batch.
        DataLoader<Tensor[], Tensor[]> base = DataLoader.of(dataset(Device.CPU), 5).shuffle(7);
        DataLoader<Tensor[], Tensor[]> derived = base.dropLast(false).prefetch(0).to(Device.CPU);
        epoch(derived, Device.CPU);
        epoch(derived, Device.CPU);
        assertEquals(2, base.epochsDrawn(), "the derived loader draws from the same generator");
        base.setEpochsDrawn(4);
        assertEquals(4, derived.epochsDrawn());
        assertEquals(all.get(4), rows(epoch(derived, Device.CPU)));
        assertEquals(0, base.shuffle(7).epochsDrawn(), "a new seed, a new generator");
        assertEquals(all.get(0), rows(epoch(base.shuffle(7), Device.CPU)));
    }

    private static List<Integer> rows(List<int[]> batches) {
        return Arrays.stream(flat(batches)).boxed().collect(Collectors.toList());
    }

    /** Not seeded: nothing is counted, and setting the count changes no order and no generator. */
    @Test
    void aLoaderWithoutItsOwnGeneratorCountsNothing() {
        DataLoader<Tensor[], Tensor[]> inOrder = DataLoader.of(dataset(Device.CPU), 6);
        epoch(inOrder, Device.CPU);
        assertEquals(0, inOrder.epochsDrawn());
        inOrder.setEpochsDrawn(3);
        assertEquals(0, inOrder.epochsDrawn());
        assertArrayEquals(IntStream.range(0, N).toArray(), flat(epoch(inOrder, Device.CPU)));

        DataLoader<Tensor[], Tensor[]> global = DataLoader.of(dataset(Device.CPU), 6).shuffle(true);
        Tensor.manualSeed(5);
        int[] first = flat(epoch(global, Device.CPU));
        assertEquals(0, global.epochsDrawn());
        Tensor.manualSeed(5);
        global.setEpochsDrawn(3);
        assertEquals(0, global.epochsDrawn());
        assertArrayEquals(first, flat(epoch(global, Device.CPU)), "the global generator is left where it was");
    }

    @Test
    void aNegativeEpochCountIsRejectedAndChangesNothing() {
        DataLoader<Integer, List<Integer>> loader = orders(N, 7);
        List<List<Integer>> expected = draw(orders(N, 7), 3).subList(2, 3);
        draw(loader, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loader.setEpochsDrawn(-1));
        assertTrue(e.getMessage().contains("DataLoader.setEpochsDrawn") && e.getMessage().contains("-1"),
                e.getMessage());
        assertEquals(2, loader.epochsDrawn());
        assertEquals(expected, draw(loader, 1));
        assertThrows(IllegalArgumentException.class, () -> DataLoader.of(dataset(Device.CPU), 2).setEpochsDrawn(-1));
    }

    /**
     * Iterators made on two threads at once: each gets a whole order of the generator's sequence (no
     * order is drawn from two threads' interleaved numbers), every order once, and each is counted.
     */
    @Test
    void iteratorsMadeOnTwoThreadsEachGetAWholeOrder() throws Exception {
        int n = 2_000;
        int perThread = 150;
        List<List<Integer>> expected = draw(orders(n, 11), 2 * perThread);
        DataLoader<Integer, List<Integer>> shared = orders(n, 11);
        CyclicBarrier start = new CyclicBarrier(2);
        Callable<List<List<Integer>>> task = () -> {
            start.await();
            return draw(shared, perThread);
        };
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            var one = pool.submit(task);
            var two = pool.submit(task);
            List<List<Integer>> got = new ArrayList<>(one.get());
            got.addAll(two.get());
            Set<List<Integer>> sequence = new HashSet<>(expected);
            assertEquals(0, got.stream().filter(o -> !sequence.contains(o)).count(), "orders not of the sequence");
            assertEquals(sequence, new HashSet<>(got), "every order of the sequence, once");
        } finally {
            pool.shutdownNow();
        }
        assertEquals(2 * perThread, shared.epochsDrawn());
        assertEquals(draw(orders(n, 11), 2 * perThread + 1).get(2 * perThread), shared.iterator().next(),
                "the next epoch is the next order of the sequence");
    }

    /** A dataset that is not a TensorDataset: the default collate stacks its rows, with the fast path's result. */
    @ParameterizedTest
    @DevicesSource
    void theDefaultCollateStacksRowsAsTheFastPathGathersThem(Device device) {
        TensorDataset tensors = dataset(device);
        Dataset<Tensor[]> plain = new Dataset<>() {
            @Override
            public int size() {
                return tensors.size();
            }

            @Override
            public Tensor[] get(int index) {
                return tensors.get(index);
            }
        };
        assertArrayEquals(flat(epoch(DataLoader.of(tensors, 5).shuffle(9), device)),
                flat(epoch(DataLoader.of(plain, 5).shuffle(9), device)));
        // A subset of a TensorDataset takes the fast path through its indices.
        Subset<Tensor[]> subset = new Subset<>(tensors, new int[] {7, 3, 19, 0, 22});
        assertArrayEquals(new int[] {7, 3, 19, 0, 22}, flat(epoch(DataLoader.of(subset, 2), device)));
        Tensor[] stacked = DataLoader.defaultCollate(List.of(tensors.get(4), tensors.get(1)));
        assertArrayEquals(new int[] {4, 1}, rowsOf(stacked, device));
    }

    @Test
    void aCustomCollateGetsTheItemsOfEachBatch() {
        TensorDataset tensors = dataset(Device.CPU);
        DataLoader<Tensor[], Long> sums = DataLoader.of(tensors, 10, items -> {
            long s = 0;
            for (Tensor[] item : items) {
                s += item[1].toLongArray()[0];
            }
            return s;
        });
        List<Long> got = new ArrayList<>();
        sums.forEach(got::add);
        // 1000 + 7 i summed over rows 0-9, 10-19, 20-22
        assertEquals(List.of(10_000L + 7 * 45, 10_000L + 7 * 145, 3_000L + 7 * 63), got);
        assertThrows(IllegalArgumentException.class, () -> sums.to(Device.CPU).iterator().next(),
                "a Long batch cannot be moved");
        List<Tensor> list = DataLoader.of(tensors, 4, items -> List.of(items.get(0)[0])).to(Device.CPU).iterator().next();
        assertEquals(1, list.size());
    }

    @ParameterizedTest
    @DevicesSource
    void batchesArriveOnTheTargetDevice(Device device) {
        for (int prefetch : new int[] {0, 2}) {
            DataLoader<Tensor[], Tensor[]> loader = DataLoader.of(dataset(Device.CPU), 6).shuffle(1).prefetch(prefetch)
                    .to(device);
            int[] rows = flat(epoch(loader, device));
            assertArrayEquals(flat(epoch(DataLoader.of(dataset(Device.CPU), 6).shuffle(1), Device.CPU)), rows);
            // And back: from the device's data to the CPU.
            assertArrayEquals(IntStream.range(0, N).toArray(),
                    flat(epoch(DataLoader.of(dataset(device), 6).prefetch(prefetch).to(Device.CPU), Device.CPU)));
        }
    }

    private static boolean loaderThreadsAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().startsWith("tensorj-data-loader-"));
    }

    /** A dataset whose item {@code bad} throws. */
    private static Dataset<Tensor[]> failingAt(int bad, RuntimeException error) {
        TensorDataset tensors = dataset(Device.CPU);
        return new Dataset<>() {
            @Override
            public int size() {
                return tensors.size();
            }

            @Override
            public Tensor[] get(int index) {
                if (index == bad) {
                    throw error;
                }
                return tensors.get(index);
            }
        };
    }

    @Test
    void aPrefetchFailureIsThrownToTheConsumerInItsPlace() {
        IllegalStateException error = new IllegalStateException("row 12 is unreadable");
        BatchIterator<Tensor[]> it = DataLoader.of(failingAt(12, error), 5).prefetch(2).iterator();
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, rowsOf(it.next(), Device.CPU));
        assertArrayEquals(new int[] {5, 6, 7, 8, 9}, rowsOf(it.next(), Device.CPU));
        assertTrue(it.hasNext());
        assertSame(error, assertThrows(IllegalStateException.class, it::next));
        assertFalse(it.hasNext());
        assertThrows(NoSuchElementException.class, it::next);
        assertFalse(loaderThreadsAlive(), "the thread ended with the failure");
        // Without prefetching the same exception comes from next() directly.
        BatchIterator<Tensor[]> plain = DataLoader.of(failingAt(0, error), 5).iterator();
        assertSame(error, assertThrows(IllegalStateException.class, plain::next));
        plain.close();
        assertFalse(plain.hasNext(), "a closed epoch has no more batches, with or without a thread");
    }

    @Test
    void closingAnEpochEarlyStopsItsThread() {
        DataLoader<Tensor[], Tensor[]> loader = DataLoader.of(dataset(Device.CPU), 1).prefetch(2);
        try (BatchIterator<Tensor[]> it = loader.iterator()) {
            assertArrayEquals(new int[] {0}, rowsOf(it.next(), Device.CPU));
            assertTrue(loaderThreadsAlive(), "the thread waits for room in its queue");
        }
        assertFalse(loaderThreadsAlive());
        BatchIterator<Tensor[]> it = loader.iterator();
        it.close();
        it.close(); // twice: nothing
        assertFalse(it.hasNext());
        assertFalse(loaderThreadsAlive());
        // Run to the end: the thread ends by itself.
        assertEquals(N, epoch(loader, Device.CPU).size());
        assertFalse(loaderThreadsAlive());
    }

    /** An epoch left behind without close(): its thread ends once the iterator is collected. */
    @Test
    void anAbandonedEpochsThreadEndsWhenItIsCollected() throws InterruptedException {
        abandonAnEpoch();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (loaderThreadsAlive() && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50);
        }
        assertFalse(loaderThreadsAlive(), "the prefetch thread outlived its collected iterator");
    }

    private static void abandonAnEpoch() {
        BatchIterator<Tensor[]> it = DataLoader.of(dataset(Device.CPU), 1).prefetch(1).iterator();
        it.next();
        assertTrue(loaderThreadsAlive());
    }

    @Test
    void anEmptyDatasetHasNoBatches() {
        TensorDataset empty = new TensorDataset(Tensor.zeros(0, 3));
        assertEquals(0, DataLoader.of(empty, 4).size());
        assertFalse(DataLoader.of(empty, 4).shuffle(1).prefetch(2).iterator().hasNext());
        assertFalse(loaderThreadsAlive());
    }

    @Test
    void badOptionsAreRejected() {
        TensorDataset tensors = dataset(Device.CPU);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DataLoader.of(tensors, 0)).getMessage()
                .contains("batchSize"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DataLoader.of(tensors, 2).prefetch(-1))
                .getMessage().contains("prefetch"));
        assertThrows(IllegalArgumentException.class, () -> DataLoader.defaultCollate(List.of()));
        assertThrows(IllegalArgumentException.class, () -> DataLoader.defaultCollate(
                List.of(tensors.get(0), new Tensor[] {Tensor.zeros(4)})));
    }
}
