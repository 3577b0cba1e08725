package dev.tensorj.examples;

import dev.tensorj.DType;
import dev.tensorj.Device;
import dev.tensorj.NoGrad;
import dev.tensorj.Tensor;
import dev.tensorj.nn.CrossEntropyLoss;
import dev.tensorj.nn.Dropout;
import dev.tensorj.nn.Linear;
import dev.tensorj.nn.ReLU;
import dev.tensorj.nn.Sequential;
import dev.tensorj.optim.SGD;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;

/**
 * The 8×8 handwritten digits (1,797 images, 64 pixels of 0..16, 10 classes; see the README beside
 * {@code digits.csv.gz}) classified by an MLP {@code 64→128→ReLU→Dropout(0.2)→10} with
 * cross-entropy and SGD with momentum 0.9 (learning rate 0.05, annealed towards 0 along a cosine over
 * 20 epochs), mini-batches of 32, on {@link Device#best()}. Prints the train loss, the test
 * accuracy and the device per epoch. Run with
 * {@code mvn -q test-compile exec:exec -Dexec.mainClass=dev.tensorj.examples.Digits}.
 *
 * <p>The held-out split needs no seed, so that any other program can rebuild it from the csv
 * (benchmarks/digits_sklearn.py does): in file order, every fifth image of each digit (its 5th,
 * 10th, ...) is a test image, the others train. That is a stratified 80/20 split: 1,442 train and
 * 355 test images. Pixels are divided by 16.
 */
public final class Digits {
    /** The committed data set, on the test classpath. */
    static final String RESOURCE = "/dev/tensorj/examples/digits/digits.csv.gz";
    static final int FEATURES = 64;
    static final int CLASSES = 10;
    static final int EPOCHS = 20;
    static final int BATCH_SIZE = 32;
    static final float LR = 0.05f;
    static final float MOMENTUM = 0.9f;
    static final double DROPOUT = 0.2;
    /** Seeds the weights and dropout masks ({@link Tensor#manualSeed}) and the batch order. */
    static final long SEED = 0;

    private Digits() {}

    public static void main(String[] args) {
        Device device = Device.best();
        System.out.println("Using device: " + device);
        train(load(), device, EPOCHS, System.out);
    }

    /** Images as rows of {@code FEATURES} pixels scaled to [0, 1], with their digits. */
    record Images(float[] pixels, long[] labels) {
        int count() {
            return labels.length;
        }

        Tensor features(Device device) {
            return Tensor.of(pixels, count(), FEATURES).to(device);
        }

        Tensor targets(Device device) {
            return Tensor.of(labels, count()).to(device);
        }

        /** These images in the order of {@code permutation}. */
        Images reordered(int[] permutation) {
            float[] p = new float[pixels.length];
            long[] l = new long[labels.length];
            for (int i = 0; i < permutation.length; i++) {
                System.arraycopy(pixels, permutation[i] * FEATURES, p, i * FEATURES, FEATURES);
                l[i] = labels[permutation[i]];
            }
            return new Images(p, l);
        }
    }

    /** The fixed split (see the class comment). */
    record Split(Images train, Images test) {}

    /** What a training run reached: the mean train loss and the test accuracy of each epoch. */
    record Result(List<Double> trainLosses, List<Double> testAccuracies) {
        double finalAccuracy() {
            return testAccuracies.get(testAccuracies.size() - 1);
        }
    }

    /** Reads the committed csv (64 pixels and the digit per line) and splits it. */
    static Split load() {
        List<int[]> rows = new ArrayList<>();
        try (InputStream in = Digits.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("digits: " + RESOURCE + " is not on the classpath");
            }
            BufferedReader reader = new BufferedReader(
                    new InputStreamReader(new GZIPInputStream(in), StandardCharsets.US_ASCII));
            for (String line; (line = reader.readLine()) != null; ) {
                String[] cells = line.split(",");
                if (cells.length != FEATURES + 1) {
                    throw new IllegalStateException("digits: expected " + (FEATURES + 1) + " columns, got "
                            + cells.length + " in row " + rows.size());
                }
                int[] row = new int[FEATURES + 1];
                for (int j = 0; j <= FEATURES; j++) {
                    row[j] = Integer.parseInt(cells[j]);
                }
                rows.add(row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int[] seenOfDigit = new int[CLASSES];
        List<int[]> train = new ArrayList<>();
        List<int[]> test = new ArrayList<>();
        for (int[] row : rows) {
            int digit = row[FEATURES];
            boolean isTest = seenOfDigit[digit]++ % 5 == 4;
            (isTest ? test : train).add(row);
        }
        return new Split(images(train), images(test));
    }

    private static Images images(List<int[]> rows) {
        float[] pixels = new float[rows.size() * FEATURES];
        long[] labels = new long[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            int[] row = rows.get(i);
            for (int j = 0; j < FEATURES; j++) {
                pixels[i * FEATURES + j] = row[j] / 16f;
            }
            labels[i] = row[FEATURES];
        }
        return new Images(pixels, labels);
    }

    /** The model: {@code 64→128→ReLU→Dropout(0.2)→10}, logits out. */
    static Sequential model() {
        return new Sequential(new Linear(FEATURES, 128), new ReLU(), new Dropout(DROPOUT), new Linear(128, CLASSES));
    }

    /**
     * Trains a fresh, seeded model on {@code device} for {@code epochs} epochs of shuffled
     * mini-batches and prints one line per epoch to {@code out}. The model and the data live on
     * {@code device}: each epoch shuffles the training set on the host and copies it there once
     * (as a loader with its own sampler would; {@code indexSelect} takes float32 only, and the
     * labels are int64), the batches are copies of its rows, and the epoch reads back its loss and
     * its test accuracy; besides, cross-entropy checks each batch's class indices on the host.
     */
    static Result train(Split data, Device device, int epochs, PrintStream out) {
        Tensor.manualSeed(SEED);
        Random shuffle = new Random(SEED);
        Sequential model = model().to(device);
        SGD optimizer = new SGD(model.parameters(), SGD.Options.lr(LR).withMomentum(MOMENTUM));
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        Tensor testX = data.test().features(device);
        Tensor testY = data.test().targets(device);
        int n = data.train().count();
        List<Double> losses = new ArrayList<>();
        List<Double> accuracies = new ArrayList<>();
        for (int epoch = 1; epoch <= epochs; epoch++) {
            model.train();
            optimizer.setLr(learningRate(epoch, epochs));
            Images epochData = data.train().reordered(permutation(n, shuffle));
            Tensor x = epochData.features(device);
            Tensor y = epochData.targets(device);
            Tensor lossSum = Tensor.zeros(device);
            for (int start = 0; start < n; start += BATCH_SIZE) {
                int size = Math.min(BATCH_SIZE, n - start);
                optimizer.zeroGrad();
                Tensor loss = lossFn.forward(model.forward(x.narrow(0, start, size)), y.narrow(0, start, size));
                loss.backward();
                optimizer.step();
                try (NoGrad g = NoGrad.enter()) {
                    lossSum.add_(loss, size); // summed on the device, read once per epoch
                }
            }
            double trainLoss = lossSum.item() / n;
            double accuracy = accuracy(model, testX, testY);
            losses.add(trainLoss);
            accuracies.add(accuracy);
            out.printf("epoch %2d  train loss %.4f  test accuracy %.4f  (%d/%d)  on %s%n", epoch, trainLoss,
                    accuracy, Math.round(accuracy * data.test().count()), data.test().count(), device);
        }
        return new Result(losses, accuracies);
    }

    /** The share of {@code x}'s rows whose largest logit is at their label; argmax and count on the device. */
    static double accuracy(Sequential model, Tensor x, Tensor labels) {
        model.eval(); // dropout off; the next epoch turns training mode back on
        try (NoGrad g = NoGrad.enter()) {
            Tensor predicted = model.forward(x).argmax(1, false);
            long correct = Math.round(predicted.eq(labels).to(DType.FLOAT32).sum().item());
            return (double) correct / labels.size(0);
        }
    }

    /**
     * {@code LR} annealed along half a cosine towards 0 over the run, per epoch, as PyTorch's
     * {@code CosineAnnealingLR(T_max=epochs)}: large steps first, small ones to settle at the end.
     */
    static float learningRate(int epoch, int epochs) {
        return (float) (LR * 0.5 * (1 + Math.cos(Math.PI * (epoch - 1) / epochs)));
    }

    private static int[] permutation(int n, Random random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) { // Fisher-Yates
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
