package dev.tensorj.examples;

import dev.tensorj.Device;
import dev.tensorj.Tensor;
import dev.tensorj.data.DataLoader;
import dev.tensorj.data.Subset;
import dev.tensorj.nn.CrossEntropyLoss;
import dev.tensorj.nn.Sequential;
import dev.tensorj.optim.Adam;
import dev.tensorj.optim.CosineAnnealingLR;
import dev.tensorj.optim.LRScheduler;
import dev.tensorj.optim.LinearLR;
import dev.tensorj.optim.OneCycleLR;
import dev.tensorj.optim.SequentialLR;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * How {@link Digits}' schedule was chosen, without looking at its test images: each candidate
 * (Adam with a one-cycle schedule or with a linear warm-up then a cosine decay, at a few peak rates,
 * and Adam at a constant 1e-3 for reference; all stepped per batch over {@value Digits#EPOCHS}
 * epochs) trains on four fifths of the training images and is scored on the other fifth (every
 * fifth image of each digit among them, as the test split is made), over seeds 0-7; the final
 * accuracy on that validation fifth picks the schedule. The test accuracy of each candidate trained
 * on all the training images is printed beside it, for the record only. Run with
 * {@code mvn -q test-compile exec:exec -Dexec.mainClass=dev.tensorj.examples.DigitsSchedules}.
 */
final class DigitsSchedules {
    private static final int SEEDS = 8;

    private DigitsSchedules() {}

    public static void main(String[] args) throws IOException {
        Digits.Split split = Digits.load();
        Digits.Split validation = validationSplit(split.train());
        Map<String, BiFunction<Adam, Integer, LRScheduler>> candidates = new LinkedHashMap<>();
        candidates.put("constant 1e-3", (adam, steps) -> null);
        for (double peak : new double[] {0.003, 0.01, 0.02, 0.03}) {
            candidates.put("OneCycleLR max " + peak, (adam, steps) -> new OneCycleLR(adam, peak, steps));
            candidates.put("LinearLR 1 epoch + Cosine, lr " + peak, (adam, steps) -> warmupCosine(adam, peak, steps));
        }
        System.out.println("schedule                              validation (seeds 0-7)          test (seeds 0-7)");
        candidates.forEach((name, schedule) -> {
            List<Double> val = new ArrayList<>();
            List<Double> test = new ArrayList<>();
            for (int seed = 0; seed < SEEDS; seed++) {
                val.add(train(validation, schedule, seed));
                test.add(train(split, schedule, seed));
            }
            System.out.printf(Locale.ROOT, "%-37s %s   %s%n", name, summary(val), summary(test));
        });
    }

    /** Linear warm-up from a tenth of {@code lr} over the first epoch, then a cosine decay to 0. */
    private static LRScheduler warmupCosine(Adam adam, double lr, int steps) {
        adam.setLr((float) lr);
        int warmup = steps / Digits.EPOCHS;
        return new SequentialLR(adam, List.of(new LinearLR(adam, 0.1, 1.0, warmup),
                new CosineAnnealingLR(adam, steps - warmup)), new int[] {warmup});
    }

    /** The training images split as the test images are split from all: every fifth of each digit held out. */
    private static Digits.Split validationSplit(Subset<Tensor[]> train) {
        int[] rows = train.indices();
        long[] digits = new long[rows.length];
        for (int i = 0; i < rows.length; i++) {
            digits[i] = train.get(i)[1].toLongArray()[0];
        }
        int[] seen = new int[Digits.CLASSES];
        List<Integer> fit = new ArrayList<>();
        List<Integer> held = new ArrayList<>();
        for (int i = 0; i < rows.length; i++) {
            (seen[(int) digits[i]]++ % 5 == 4 ? held : fit).add(rows[i]);
        }
        return new Digits.Split(new Subset<>(train.dataset(), fit.stream().mapToInt(Integer::intValue).toArray()),
                new Subset<>(train.dataset(), held.stream().mapToInt(Integer::intValue).toArray()));
    }

    /** Digits' training loop without its reports and files: the final accuracy on {@code data.test()}. */
    private static double train(Digits.Split data, BiFunction<Adam, Integer, LRScheduler> makeSchedule, long seed) {
        Tensor.manualSeed(seed);
        Sequential model = Digits.model();
        DataLoader<Tensor[], Tensor[]> loader = DataLoader.of(data.train(), Digits.BATCH_SIZE).shuffle(seed);
        Adam optimizer = new Adam(model.parameters(), Adam.Options.defaults());
        LRScheduler schedule = makeSchedule.apply(optimizer, Digits.EPOCHS * loader.size());
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        for (int epoch = 1; epoch <= Digits.EPOCHS; epoch++) {
            model.train();
            for (Tensor[] batch : loader) {
                optimizer.zeroGrad();
                lossFn.forward(model.forward(batch[0]), batch[1]).backward();
                optimizer.step();
                if (schedule != null) {
                    schedule.step();
                }
            }
        }
        Tensor[] test = DataLoader.of(data.test(), data.test().size()).iterator().next();
        return Digits.accuracy(model, test[0], test[1]);
    }

    private static String summary(List<Double> accuracies) {
        double mean = accuracies.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "mean %.4f [", mean));
        accuracies.forEach(a -> s.append(String.format(Locale.ROOT, " %.4f", a)));
        return s.append(" ]").toString();
    }
}
