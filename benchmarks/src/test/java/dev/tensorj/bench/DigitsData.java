package dev.tensorj.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * The digits data set of the library's digits example ({@code dev.tensorj.examples.Digits}, in the
 * test tree, which this project cannot depend on), read from the checkout and split by the same
 * seed-free rule: in file order every fifth image of each digit is a test image, the others
 * ({@link #TRAIN_ROWS}) train; pixels divided by 16. A training case's batch is the first rows of
 * that train split, so both libraries see the same real images.
 */
record DigitsData(float[] pixels, long[] labels) {
    static final Path CSV = Path.of("..", "src", "test", "resources", "dev", "tensorj", "examples", "digits",
            "digits.csv.gz");
    static final int FEATURES = 64;
    /** The example's train split: 1,442 of the 1,797 images (scikit-learn's 80/20 train_test_split has 1,437). */
    static final int TRAIN_ROWS = 1442;

    /** The first {@code n} images of the train split and their digits. */
    static DigitsData firstTrainRows(int n) {
        float[] pixels = new float[n * FEATURES];
        long[] labels = new long[n];
        int[] seenOfDigit = new int[10];
        int kept = 0;
        int trainRows = 0;
        try (var in = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(CSV)),
                StandardCharsets.US_ASCII))) {
            for (String line; (line = in.readLine()) != null; ) {
                String[] cells = line.split(",");
                int digit = Integer.parseInt(cells[FEATURES]);
                if (seenOfDigit[digit]++ % 5 == 4) {
                    continue; // a test image
                }
                trainRows++;
                if (kept < n) {
                    for (int j = 0; j < FEATURES; j++) {
                        pixels[kept * FEATURES + j] = Integer.parseInt(cells[j]) / 16f;
                    }
                    labels[kept++] = digit;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("digits: cannot read " + CSV.toAbsolutePath().normalize(), e);
        }
        if (trainRows != TRAIN_ROWS || kept < n) {
            throw new IllegalStateException("digits: " + CSV + " has " + trainRows + " train rows, expected "
                    + TRAIN_ROWS + " (and at least " + n + ")");
        }
        return new DigitsData(pixels, labels);
    }
}
