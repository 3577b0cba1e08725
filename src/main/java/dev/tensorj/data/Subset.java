package dev.tensorj.data;

import java.util.Objects;

/**
 * The items of a dataset at the given indices, in that order, as {@code torch.utils.data.Subset}.
 * The indices are checked when the subset is made.
 *
 * @param <T> the type of one item
 */
public final class Subset<T> implements Dataset<T> {
    private final Dataset<T> dataset;
    private final int[] indices;

    /**
     * The items of {@code dataset} at {@code indices} (copied).
     *
     * @throws IndexOutOfBoundsException if an index lies outside {@code [0, dataset.size())}
     */
    public Subset(Dataset<T> dataset, int[] indices) {
        this.dataset = Objects.requireNonNull(dataset, "Subset: dataset is null");
        this.indices = Objects.requireNonNull(indices, "Subset: indices is null").clone();
        for (int i = 0; i < this.indices.length; i++) {
            Objects.checkIndex(this.indices[i], dataset.size());
        }
    }

    /** The dataset this subset reads from. */
    public Dataset<T> dataset() {
        return dataset;
    }

    /** The indices into {@link #dataset()} (a copy). */
    public int[] indices() {
        return indices.clone();
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public T get(int index) {
        return dataset.get(indices[Objects.checkIndex(index, indices.length)]);
    }
}
