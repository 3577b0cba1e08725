package dev.tensorj.examples;

import dev.tensorj.DType;
import dev.tensorj.Device;
import dev.tensorj.NoGrad;
import dev.tensorj.Safetensors;
import dev.tensorj.Tensor;
import dev.tensorj.data.CsvReader;
import dev.tensorj.data.DataLoader;
import dev.tensorj.data.Subset;
import dev.tensorj.data.TensorDataset;
import dev.tensorj.nn.CrossEntropyLoss;
import dev.tensorj.nn.Dropout;
import dev.tensorj.nn.Linear;
import dev.tensorj.nn.ReLU;
import dev.tensorj.nn.Sequential;
import dev.tensorj.optim.Adam;
import dev.tensorj.optim.Checkpoint;
import dev.tensorj.optim.OneCycleLR;
import dev.tensorj.train.EpochRecord;
import dev.tensorj.train.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;

/**
 * The 8×8 handwritten digits (1,797 images, 64 pixels of 0..16, 10 classes; see the README beside
 * {@code digits.csv.gz}) classified by an MLP {@code 64→128→ReLU→Dropout(0.2)→10} with
 * cross-entropy, trained for 20 epochs with Adam under a one-cycle learning-rate schedule stepped
 * after every batch ({@code OneCycleLR}, peak {@value #MAX_LR}; chosen on a validation fifth of the
 * training images, see {@link DigitsSchedules}), on {@link Device#best()}. Run with
 * {@code mvn -q test-compile exec:exec -Dexec.mainClass=dev.tensorj.examples.Digits}.
 *
 * <p>A {@link DataLoader} shuffles the training set each epoch with its own generator (seed
 * {@value #SEED}) and hands over batches of 32 on the device. {@link Progress} logs each epoch's
 * loss, test accuracy, samples per second and device, and the run ends by writing its history as
 * CSV and PNG. After each epoch a {@link Checkpoint} (model, optimizer, schedule, epoch and random
 * generator) replaces the last one; {@code --resume} continues from it (the loader put back to
 * the epochs done with {@link DataLoader#setEpochsDrawn}, the progress numbered on from there with
 * {@link Progress#startingAt}), and {@code --stop-after K} stops after epoch K, as if interrupted. The trained model is saved with {@link Safetensors},
 * loaded into a new model and evaluated again. Every file goes under {@code target/digits/}.
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
    static final double MAX_LR = 0.02;
    static final double DROPOUT = 0.2;
    /** Seeds the weights and dropout masks ({@link Tensor#manualSeed}) and the loader's shuffle. */
    static final long SEED = 0;

    private Digits() {}

    /** {@code [--resume] [--stop-after K]}. */
    public static void main(String[] args) throws IOException {
        List<String> flags = Arrays.asList(args);
        int stop = flags.indexOf("--stop-after");
        int stopAfter = stop < 0 ? EPOCHS : Integer.parseInt(args[stop + 1]);
        Run run = new Run(Path.of("target", "digits"), EPOCHS, stopAfter, flags.contains("--resume"));
        train(load(), Device.best(), run, System.out);
    }

    /** The fixed split (see the class comment): rows of 64 float32 pixels in [0, 1] and int64 digits. */
    record Split(Subset<Tensor[]> train, Subset<Tensor[]> test) {}

    /**
     * What to run: a schedule of {@code epochs}, stopping after epoch {@code stopAfter} (as if
     * interrupted; {@code epochs} to finish), continuing from the checkpoint in {@code dir} when
     * {@code resume}. The files are written to {@code dir}.
     */
    record Run(Path dir, int epochs, int stopAfter, boolean resume) {
        Path checkpoint() {
            return dir.resolve("checkpoint.safetensors");
        }
    }

    /** What a run did: its epochs (this run's, when resumed), the model at its end, its test accuracy and the reloaded copy's. */
    record Result(List<EpochRecord> history, Sequential model, double accuracy, double reloadedAccuracy) {}

    /** Reads the committed csv (64 pixels and the digit per line) and splits it. */
    static Split load() throws IOException {
        TensorDataset all;
        try (InputStream in = Digits.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("digits: " + RESOURCE + " is not on the classpath");
            }
            InputStreamReader csv = new InputStreamReader(new GZIPInputStream(in), StandardCharsets.US_ASCII);
            all = new CsvReader().header(false).target(FEATURES, DType.INT64).read(csv, RESOURCE);
        }
        Tensor[] columns = all.tensors(); // pixels [1797, 64] float32, digits [1797] int64
        long[] digits = columns[1].toLongArray();
        int[] seenOfDigit = new int[CLASSES];
        boolean[] isTest = new boolean[digits.length];
        for (int i = 0; i < digits.length; i++) {
            isTest[i] = seenOfDigit[(int) digits[i]]++ % 5 == 4;
        }
        TensorDataset scaled = new TensorDataset(columns[0].div(16f), columns[1]);
        return new Split(new Subset<>(scaled, IntStream.range(0, digits.length).filter(i -> !isTest[i]).toArray()),
                new Subset<>(scaled, IntStream.range(0, digits.length).filter(i -> isTest[i]).toArray()));
    }

    /** The model: {@code 64→128→ReLU→Dropout(0.2)→10}, logits out. */
    static Sequential model() {
        return new Sequential(new Linear(FEATURES, 128), new ReLU(), new Dropout(DROPOUT), new Linear(128, CLASSES));
    }

    /** Trains as the class comment says, on {@code device}; prints what it does and where its files go to {@code out}. */
    static Result train(Split data, Device device, Run run, PrintStream out) throws IOException {
        Files.createDirectories(run.dir());
        Tensor.manualSeed(SEED);
        Sequential model = model().to(device);
        DataLoader<Tensor[], Tensor[]> loader = DataLoader.of(data.train(), BATCH_SIZE).shuffle(SEED).to(device);
        Adam optimizer = new Adam(model.parameters(), Adam.Options.defaults());
        OneCycleLR schedule = new OneCycleLR(optimizer, MAX_LR, run.epochs() * loader.size());
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        Tensor[] test = DataLoader.of(data.test(), data.test().size()).to(device).iterator().next(); // one batch: all

        int done = 0;
        if (run.resume()) {
            try (Checkpoint checkpoint = Checkpoint.load(run.checkpoint())) {
                checkpoint.restore(model, optimizer, schedule); // and the generator of the dropout masks
                done = checkpoint.epoch();
            }
            loader.setEpochsDrawn(done); // one order per epoch: the next is the one epoch done + 1 had
            out.println("Resumed after epoch " + done + " from " + run.checkpoint());
        }
        out.println("Training on " + device + ", a checkpoint after each epoch: " + run.checkpoint());
        Progress progress = new Progress(device).stepsPerEpoch(loader.size()).startingAt(done + 1);
        for (int epoch = done + 1; epoch <= run.stopAfter(); epoch++) {
            model.train();
            for (Tensor[] batch : loader) {
                optimizer.zeroGrad();
                Tensor loss = lossFn.forward(model.forward(batch[0]), batch[1]);
                loss.backward();
                optimizer.step();
                schedule.step();
                progress.step(loss.item(), batch[0].size(0));
            }
            progress.endEpoch(Map.of("test_accuracy", accuracy(model, test[0], test[1])));
            Checkpoint.save(run.checkpoint(), model, optimizer, schedule, epoch, Map.of());
        }
        if (!progress.history().isEmpty()) { // empty when resuming a finished run
            progress.writeCsv(run.dir().resolve("history.csv"));
            progress.writeChart(run.dir().resolve("history.png")); // XChart: an optional dependency, on the test class path
            out.println("History: " + run.dir().resolve("history.csv") + ", " + run.dir().resolve("history.png"));
        }

        Path saved = run.dir().resolve("model.safetensors");
        Safetensors.save(model.stateDict(), saved);
        Sequential reloaded = model().to(device);
        reloaded.loadStateDict(Safetensors.load(saved));
        double accuracy = accuracy(model, test[0], test[1]);
        double reloadedAccuracy = accuracy(reloaded, test[0], test[1]);
        out.printf("Test accuracy %.4f; saved to %s, reloaded into a new model: %.4f%n", accuracy, saved,
                reloadedAccuracy);
        return new Result(progress.history(), model, accuracy, reloadedAccuracy);
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
}
