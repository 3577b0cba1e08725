package dev.tensorj.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@code randomSplit} by fractions at its edges, against PyTorch's rule: each length is
 * {@code floor(n * f)}, and the items left over go one at a time to the subsets in turn.
 */
class RandomSplitFractionsTest {
    private static Dataset<Integer> numbers(int n) {
        return new Dataset<>() {
            @Override
            public int size() {
                return n;
            }

            @Override
            public Integer get(int index) {
                return index;
            }
        };
    }

    private static List<Integer> sizes(List<Subset<Integer>> parts) {
        return parts.stream().map(Subset::size).toList();
    }

    /** Fractions of exactly 0 and 1 are allowed: everything in one subset, an empty other. */
    @Test
    void fractionsZeroAndOneAreAllowed() {
        List<Subset<Integer>> parts = Dataset.randomSplit(numbers(12), new double[] {1.0, 0.0}, 4);
        assertEquals(List.of(12, 0), sizes(parts));
        assertArrayEquals(IntStream.range(0, 12).toArray(),
                IntStream.range(0, 12).map(i -> parts.get(0).get(i)).sorted().toArray());
        assertEquals(List.of(0, 12), sizes(Dataset.randomSplit(numbers(12), new double[] {0.0, 1.0}, 4)));
    }

    /** Several items left over: torch.utils.data.random_split(range(10), [0.25] * 4) has lengths 3, 3, 2, 2. */
    @Test
    void theItemsLeftOverGoToTheSubsetsInTurn() {
        assertEquals(List.of(3, 3, 2, 2), sizes(Dataset.randomSplit(numbers(10), new double[] {0.25, 0.25, 0.25, 0.25}, 1)));
        // 7 * 0.3 = 2.1 and 7 * 0.7 = 4.9: floors 2 and 4, one left for the first.
        assertEquals(List.of(3, 4), sizes(Dataset.randomSplit(numbers(7), new double[] {0.3, 0.7}, 1)));
        // 11 / 6 each: floors of 1, five left, to the first five subsets.
        double sixth = 1.0 / 6;
        assertEquals(List.of(2, 2, 2, 2, 2, 1),
                sizes(Dataset.randomSplit(numbers(11), new double[] {sixth, sixth, sixth, sixth, sixth, sixth}, 1)));
    }
}
