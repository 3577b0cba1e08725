package dev.tensorj.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A map-style dataset, as {@code torch.utils.data.Dataset}: {@link #size()} items addressed by
 * index ({@code __len__} and {@code __getitem__}).
 *
 * @param <T> the type of one item (for a {@link TensorDataset}, one row of each tensor)
 */
public interface Dataset<T> {
    /** The number of items ({@code len(dataset)}). */
    int size();

    /**
     * The item at {@code index}, {@code 0 <= index < size()}.
     *
     * @throws IndexOutOfBoundsException if {@code index} is out of range
     */
    T get(int index);

    /**
     * {@code dataset} split into non-overlapping subsets of the given lengths, as
     * {@code torch.utils.data.random_split}: the indices are a random permutation drawn from a
     * generator seeded with {@code seed} (the same seed gives the same split).
     *
     * @throws IllegalArgumentException if a length is negative or the lengths do not sum to {@code dataset.size()}
     */
    static <T> List<Subset<T>> randomSplit(Dataset<T> dataset, int[] lengths, long seed) {
        Objects.requireNonNull(dataset, "random_split: dataset is null");
        Objects.requireNonNull(lengths, "random_split: lengths is null");
        long sum = 0;
        for (int length : lengths) {
            if (length < 0) {
                throw new IllegalArgumentException("random_split: lengths must be non-negative, got "
                        + java.util.Arrays.toString(lengths));
            }
            sum += length;
        }
        if (sum != dataset.size()) {
            throw new IllegalArgumentException("random_split: sum of input lengths " + java.util.Arrays.toString(lengths)
                    + " = " + sum + " does not equal the length of the input dataset (" + dataset.size() + ")");
        }
        int[] order = Permutation.draw(dataset.size(), new java.util.Random(seed));
        List<Subset<T>> subsets = new ArrayList<>(lengths.length);
        int offset = 0;
        for (int length : lengths) {
            subsets.add(new Subset<>(dataset, java.util.Arrays.copyOfRange(order, offset, offset + length)));
            offset += length;
        }
        return subsets;
    }

    /**
     * As {@link #randomSplit(Dataset, int[], long)} with fractions that sum to 1, as PyTorch's: each
     * length is {@code floor(size * fraction)}, and what is left is handed out one item at a time
     * to the subsets in turn, starting with the first.
     *
     * @throws IllegalArgumentException if a fraction lies outside {@code [0, 1]} or they do not sum to 1
     */
    static <T> List<Subset<T>> randomSplit(Dataset<T> dataset, double[] fractions, long seed) {
        Objects.requireNonNull(dataset, "random_split: dataset is null");
        Objects.requireNonNull(fractions, "random_split: fractions is null");
        double sum = 0;
        for (double f : fractions) {
            if (!(f >= 0 && f <= 1)) {
                throw new IllegalArgumentException("random_split: fractions must lie in [0, 1], got "
                        + java.util.Arrays.toString(fractions));
            }
            sum += f;
        }
        if (Math.abs(sum - 1) > 1e-9 || fractions.length == 0) {
            throw new IllegalArgumentException("random_split: fractions must sum to 1, got "
                    + java.util.Arrays.toString(fractions) + " (sum " + sum + ")");
        }
        int n = dataset.size();
        int[] lengths = new int[fractions.length];
        int left = n;
        for (int i = 0; i < fractions.length; i++) {
            lengths[i] = (int) Math.floor(n * fractions[i]);
            left -= lengths[i];
        }
        for (int i = 0; i < left; i++) {
            lengths[i % lengths.length]++;
        }
        return randomSplit(dataset, lengths, seed);
    }
}
