package dev.tensorj.data;

import dev.tensorj.Device;
import dev.tensorj.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.Function;

/**
 * Batches of a dataset, one epoch per {@link #iterator()}, as {@code torch.utils.data.DataLoader}.
 *
 * <pre>{@code
 * var loader = DataLoader.of(new TensorDataset(x, y), 64).shuffle(42).dropLast(true).to(Device.cuda(0));
 * for (int epoch = 0; epoch < 10; epoch++) {
 *     for (Tensor[] batch : loader) { ... batch[0] is [64, ...] on cuda:0 ... }
 * }
 * }</pre>
 *
 * <p>Options are set with methods that return a new loader (this one is unchanged): {@link #shuffle(long)},
 * {@link #dropLast(boolean)}, {@link #prefetch(int)}, {@link #to(Device)}. Their defaults are PyTorch's:
 * no shuffle, the last short batch kept, batches built on the calling thread, left where the data is.
 *
 * <p>A shuffled loader draws each epoch's order from its own generator: the same seed gives the same
 * sequence of epochs, and each epoch a new order. To resume such a loader, save
 * {@link #epochsDrawn()} and give it back to {@link #setEpochsDrawn(long)}. A {@link TensorDataset}
 * (or a {@link Subset} of one) with the default collate is batched by one {@code indexSelect} per
 * tensor on the tensors' device instead of stacking rows (int64 and bool tensors, which indexSelect
 * does not take, are stacked).
 *
 * @param <T> the type of one item
 * @param <B> the type of one batch
 */
public final class DataLoader<T, B> implements Iterable<B> {
    private final Dataset<T> dataset;
    private final int batchSize;
    private final Function<List<T>, B> collate; // null: the default collate, with the TensorDataset fast path
    private final Shuffle shuffle;
    private final boolean dropLast;
    private final int prefetch;
    private final Device device;

    /**
     * How an epoch's order is drawn: from tensorj's global generator, or from a seeded one that counts
     * its orders so that {@link #setEpochsDrawn} can put it back. The builder methods other than
     * {@code shuffle} hand the same object to the loaders they make, so those share the generator and
     * its count. Synchronized: iterators made on two threads each get a whole order and one count.
     */
    private static final class Shuffle {
        private final boolean seeded; // false: the global generator (Tensor.randperm)
        private final long seed;
        private Random generator;
        private long drawn;

        private Shuffle(boolean seeded, long seed) {
            this.seeded = seeded;
            this.seed = seed;
            this.generator = seeded ? new Random(seed) : null;
        }

        synchronized int[] order(int n) {
            if (!seeded) {
                try (Tensor perm = Tensor.randperm(n)) {
                    return Arrays.stream(perm.toLongArray()).mapToInt(Math::toIntExact).toArray();
                }
            }
            drawn++;
            return Permutation.draw(n, generator);
        }

        synchronized long drawn() {
            return drawn;
        }

        /** Re-seeds and draws {@code epochs} orders of {@code n} (a no-op for the global generator). */
        synchronized void redraw(long epochs, int n) {
            if (!seeded) {
                return;
            }
            generator = new Random(seed);
            for (long e = 0; e < epochs; e++) {
                Permutation.draw(n, generator);
            }
            drawn = epochs;
        }
    }

    private DataLoader(Dataset<T> dataset, int batchSize, Function<List<T>, B> collate, Shuffle shuffle,
            boolean dropLast, int prefetch, Device device) {
        this.dataset = dataset;
        this.batchSize = batchSize;
        this.collate = collate;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.prefetch = prefetch;
        this.device = device;
    }

    /**
     * Batches of {@code batchSize} items of tensors, collated by {@link #defaultCollate}: batch
     * {@code [j]} is the items' {@code [j]} stacked along a new first dimension.
     *
     * @throws IllegalArgumentException if {@code batchSize} is not positive
     */
    public static DataLoader<Tensor[], Tensor[]> of(Dataset<Tensor[]> dataset, int batchSize) {
        Objects.requireNonNull(dataset, "DataLoader: dataset is null");
        return new DataLoader<>(dataset, checkBatchSize(batchSize), null, null, false, 0, null);
    }

    /**
     * Batches of {@code batchSize} items, each batch made by {@code collate} from the list of its items
     * ({@code collate_fn}).
     *
     * @throws IllegalArgumentException if {@code batchSize} is not positive
     */
    public static <T, B> DataLoader<T, B> of(Dataset<T> dataset, int batchSize, Function<List<T>, B> collate) {
        Objects.requireNonNull(dataset, "DataLoader: dataset is null");
        Objects.requireNonNull(collate, "DataLoader: collate is null");
        return new DataLoader<>(dataset, checkBatchSize(batchSize), collate, null, false, 0, null);
    }

    private static int checkBatchSize(int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("DataLoader: batchSize should be a positive integer, got " + batchSize);
        }
        return batchSize;
    }

    /**
     * PyTorch's {@code default_collate} for items of tensors: element {@code j} of the batch is
     * {@code Tensor.stack} of the items' element {@code j} along a new dimension 0.
     *
     * @throws IllegalArgumentException if the list is empty or the items have different lengths
     * @throws dev.tensorj.ShapeMismatchException if the tensors at one position differ in shape
     */
    public static Tensor[] defaultCollate(List<Tensor[]> items) {
        Objects.requireNonNull(items, "default_collate: items is null");
        if (items.isEmpty()) {
            throw new IllegalArgumentException("default_collate: no items to collate");
        }
        int width = items.get(0).length;
        Tensor[] batch = new Tensor[width];
        for (int j = 0; j < width; j++) {
            List<Tensor> column = new ArrayList<>(items.size());
            for (Tensor[] item : items) {
                if (item.length != width) {
                    throw new IllegalArgumentException("default_collate: each item in the batch should be of equal "
                            + "size, got " + width + " and " + item.length + " tensors");
                }
                column.add(item[j]);
            }
            batch[j] = Tensor.stack(column, 0);
        }
        return batch;
    }

    /**
     * This loader, shuffled each epoch by its own generator seeded with {@code seed}
     * ({@code shuffle=True, generator=torch.Generator().manual_seed(seed)}): two loaders with the
     * same seed give the same orders, epoch after epoch, and each epoch's order differs from the last.
     */
    public DataLoader<T, B> shuffle(long seed) {
        return new DataLoader<>(dataset, batchSize, collate, new Shuffle(true, seed), dropLast, prefetch, device);
    }

    /**
     * This loader, shuffled each epoch ({@code shuffle=True}) from tensorj's global generator when
     * {@code shuffle} is true (reproducible after {@code Tensor.manualSeed}), or in index order when false.
     */
    public DataLoader<T, B> shuffle(boolean shuffle) {
        return new DataLoader<>(dataset, batchSize, collate, shuffle ? new Shuffle(false, 0) : null, dropLast,
                prefetch, device);
    }

    /** This loader, dropping the last batch when it is smaller than the batch size ({@code drop_last}). */
    public DataLoader<T, B> dropLast(boolean dropLast) {
        return new DataLoader<>(dataset, batchSize, collate, shuffle, dropLast, prefetch, device);
    }

    /**
     * This loader, building up to {@code batches} batches ahead on one background thread (0: none, on
     * the calling thread). The batches come in the same order; an exception thrown while building one is
     * thrown again, unchanged, by the {@code next()} that would have returned it. The thread ends with the
     * epoch, when its iterator is {@linkplain BatchIterator#close() closed}, or when the iterator is
     * garbage collected. PyTorch's nearest is {@code num_workers=1, prefetch_factor=batches}, with a
     * thread instead of a process.
     *
     * @throws IllegalArgumentException if {@code batches} is negative
     */
    public DataLoader<T, B> prefetch(int batches) {
        if (batches < 0) {
            throw new IllegalArgumentException("DataLoader: prefetch should be a non-negative integer, got " + batches);
        }
        return new DataLoader<>(dataset, batchSize, collate, shuffle, dropLast, batches, device);
    }

    /**
     * This loader, delivering each batch on {@code device} with {@code Tensor.to(device)} (as
     * {@code batch.to(device)} in a PyTorch loop). A batch must then be a {@link Tensor}, a {@code Tensor[]}
     * or a {@code List} of tensors; with prefetching the copy happens on the background thread.
     */
    public DataLoader<T, B> to(Device device) {
        Objects.requireNonNull(device, "DataLoader: device is null");
        return new DataLoader<>(dataset, batchSize, collate, shuffle, dropLast, prefetch, device);
    }

    /** The number of batches in an epoch ({@code len(loader)}). */
    public int size() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /**
     * How many epoch orders this loader's seeded generator has drawn: one per {@link #iterator()}
     * call (an epoch stopped early, or never iterated, counts too), or the count set by
     * {@link #setEpochsDrawn}. Always 0 for a loader that is not shuffled and for
     * {@link #shuffle(boolean) shuffle(true)}, whose global generator a checkpoint saves through
     * {@code Tensor.getRngState()}. The count belongs to the generator that {@link #shuffle(long)}
     * made, which the loaders made from this one by {@link #dropLast}, {@link #prefetch} and
     * {@link #to} share (they draw from it too); a new {@code shuffle(seed)} starts a new generator at 0.
     * Save it with a checkpoint to resume a run in the middle (for a loop of one iterator per epoch
     * it is the number of epochs done). PyTorch has no such counter: there one saves the
     * generator's state ({@code generator.get_state()}).
     *
     * @return the orders drawn, or 0
     */
    public long epochsDrawn() {
        return shuffle == null ? 0 : shuffle.drawn();
    }

    /**
     * Puts the seeded generator where it would be after drawing {@code n} epoch orders: it is seeded
     * again and draws {@code n} orders of the dataset's current size, so the next {@link #iterator()}
     * gives the order that epoch {@code n + 1} would have had, exactly as if this loader had drawn
     * those epochs; {@link #epochsDrawn()} is then {@code n}. It takes as long as drawing {@code n}
     * orders (no batch is built). The loaders that share this one's generator (see
     * {@link #epochsDrawn()}) move with it. For a loader that is not shuffled, or is shuffled from the
     * global generator ({@link #shuffle(boolean) shuffle(true)}; restore that with
     * {@code Tensor.setRngState}), it checks {@code n} and does nothing else, so a resumed loop can
     * call it whatever its loader.
     *
     * @param n the number of epoch orders already drawn, such as a checkpoint's epoch
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public void setEpochsDrawn(long n) {
        if (n < 0) {
            throw new IllegalArgumentException(
                    "DataLoader.setEpochsDrawn: n should be a non-negative integer, got " + n);
        }
        if (shuffle != null) {
            shuffle.redraw(n, dataset.size());
        }
    }

    /** The batch size. */
    public int batchSize() {
        return batchSize;
    }

    /** The dataset. */
    public Dataset<T> dataset() {
        return dataset;
    }

    /**
     * A new epoch: its order is drawn now (on the calling thread; counted by {@link #epochsDrawn()}
     * when seeded), and its batches are built as they are asked for, or ahead on a background thread
     * with {@link #prefetch(int)}. Close the iterator to stop an epoch early. Iterators may be made on
     * several threads at once: each draws a whole order of the generator's sequence, and each is counted.
     */
    @Override
    public BatchIterator<B> iterator() {
        int n = dataset.size();
        int[] order = shuffle == null ? null : shuffle.order(n);
        List<int[]> batches = new ArrayList<>(size());
        for (int start = 0; start < n && (!dropLast || start + batchSize <= n); start += batchSize) {
            int[] indices = new int[Math.min(batchSize, n - start)];
            for (int i = 0; i < indices.length; i++) {
                indices[i] = order == null ? start + i : order[start + i];
            }
            batches.add(indices);
        }
        return new BatchIterator<>(batches, this::load, prefetch);
    }

    /** The batch of these items: collated, then moved. */
    @SuppressWarnings("unchecked")
    private B load(int[] indices) {
        if (collate != null) {
            List<T> items = new ArrayList<>(indices.length);
            for (int i : indices) {
                items.add(dataset.get(i));
            }
            return deliver(collate.apply(items), false);
        }
        // Default collate: items are Tensor[] (of(Dataset<Tensor[]>, int) is the only way here).
        Tensor[] batch = fastRows(indices);
        if (batch == null) {
            List<Tensor[]> items = new ArrayList<>(indices.length);
            for (int i : indices) {
                items.add((Tensor[]) dataset.get(i));
            }
            batch = defaultCollate(items);
        }
        return deliver((B) batch, true);
    }

    /** The TensorDataset fast path, or null when the dataset is not one (nor a subset of one). */
    private Tensor[] fastRows(int[] indices) {
        if (dataset instanceof TensorDataset) {
            return ((TensorDataset) dataset).rows(indices);
        }
        if (dataset instanceof Subset && ((Subset<?>) dataset).dataset() instanceof TensorDataset) {
            int[] inner = ((Subset<?>) dataset).indices();
            int[] mapped = new int[indices.length];
            for (int i = 0; i < indices.length; i++) {
                mapped[i] = inner[indices[i]];
            }
            return ((TensorDataset) ((Subset<?>) dataset).dataset()).rows(mapped);
        }
        return null;
    }

    /**
     * {@code batch} on the target device. {@code owned}: the batch's tensors were made here, so the
     * copies left behind are closed at once rather than when collected.
     */
    @SuppressWarnings("unchecked")
    private B deliver(B batch, boolean owned) {
        if (device == null) {
            return batch;
        }
        if (batch instanceof Tensor) {
            return (B) move((Tensor) batch, owned);
        }
        if (batch instanceof Tensor[]) {
            Tensor[] tensors = ((Tensor[]) batch).clone();
            for (int j = 0; j < tensors.length; j++) {
                tensors[j] = move(tensors[j], owned);
            }
            return (B) tensors;
        }
        if (batch instanceof List && ((List<?>) batch).stream().allMatch(Tensor.class::isInstance)) {
            List<Tensor> moved = new ArrayList<>();
            for (Object t : (List<?>) batch) {
                moved.add(move((Tensor) t, owned));
            }
            return (B) moved;
        }
        throw new IllegalArgumentException("DataLoader: cannot move a batch of "
                + (batch == null ? "null" : batch.getClass().getName()) + " to " + device
                + ": a collate for a loader with a device returns a Tensor, a Tensor[] or a List of tensors");
    }

    private Tensor move(Tensor t, boolean owned) {
        Tensor moved = t.to(device);
        if (owned && moved != t) {
            t.close();
        }
        return moved;
    }
}
