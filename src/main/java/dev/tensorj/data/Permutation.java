package dev.tensorj.data;

import java.util.Random;

/** The one way this package draws a permutation, so that a seed means the same order everywhere. */
final class Permutation {
    private Permutation() {}

    /**
     * {@code 0 .. n-1} shuffled by Fisher–Yates from {@code random}. {@link java.util.Random}'s
     * algorithm is fixed by its specification, so a seed gives the same order on every JVM.
     */
    static int[] draw(int n, Random random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
