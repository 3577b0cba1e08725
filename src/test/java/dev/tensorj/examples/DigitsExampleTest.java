package dev.tensorj.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Device;
import dev.tensorj.TestDevices;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The digits example, run through its own {@link Digits#train}: the committed data set is the one
 * its README describes, and the example's full run (20 epochs) reaches 0.97 test accuracy on the
 * CPU and on a GPU, and agrees with the CPU's run on cuda.
 *
 * <p>On the CUDA emulator the cuda run is shortened to {@value #EMULATED_EPOCHS} epochs (the
 * learning rate annealed over those) and compared with a CPU run of the same length; it does not
 * have to reach 0.97 there (5 epochs reach about 0.96). Why: the emulator runs the CUDA suite twice,
 * once with every stream task delayed, and there the 20 epochs took 41 s (12 s undelayed) on the
 * shared 2-core machine, against 6-12 s for the CPU run. The emulator computes the same float32
 * operations as the CPU, summing in nearly the same order, so there every epoch must agree: the mean
 * loss to 1e-4 relative (it agreed to 1.5e-5 or better) and the test accuracy to one image. A GPU's cuBLAS
 * sums in another order, so there the runs drift apart after the first epoch as two seeds would (the
 * final accuracy over seeds 0-3 on the CPU: 0.9746 to 0.9803); there the first epoch's loss must
 * agree to 1e-3 relative and the final accuracy to 0.01 (3 of the 355 test images).
 *
 * <p>Time on the shared 2-core machine: the class took 7 s, 9 s and 12 s in the three surefire
 * runs of a full {@code mvn verify} (CPU; emulated; emulated with delayed streams), 28 s in all.
 */
class DigitsExampleTest {
    private static final double TARGET = 0.97;
    static final int EMULATED_EPOCHS = 5;
    private static final Map<Integer, Digits.Result> CPU_RUNS = new HashMap<>();

    /** The CPU run of {@code epochs}, once per JVM: the CPU case asserts on it, the cuda case compares with it. */
    private static synchronized Digits.Result cpuRun(int epochs) {
        return CPU_RUNS.computeIfAbsent(epochs, e -> run(Device.CPU, e));
    }

    private static Digits.Result run(Device device, int epochs) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        Digits.Result result;
        try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            result = Digits.train(Digits.load(), device, epochs, out);
        }
        String[] lines = buffer.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(epochs, lines.length, Arrays.toString(lines));
        for (String line : lines) {
            assertTrue(line.matches("epoch +\\d+  train loss [0-9.]+  test accuracy [0-9.]+  \\(\\d+/355\\)  on "
                    + device), line);
        }
        return result;
    }

    @Test
    void theCommittedDataIsTheDescribedSet() {
        Digits.Split split = Digits.load();
        assertEquals(1442, split.train().count());
        assertEquals(355, split.test().count());
        int[] perDigit = new int[Digits.CLASSES];
        for (Digits.Images images : new Digits.Images[] {split.train(), split.test()}) {
            for (long label : images.labels()) {
                perDigit[(int) label]++;
            }
            for (float pixel : images.pixels()) {
                assertTrue(pixel >= 0 && pixel <= 1 && pixel * 16 == Math.rint(pixel * 16), "pixel " + pixel);
            }
        }
        assertEquals("[178, 182, 177, 183, 181, 182, 181, 179, 174, 180]", Arrays.toString(perDigit));
    }

    @ParameterizedTest
    @MethodSource("dev.tensorj.TestDevices#devices")
    void trainsToTheTargetAccuracy(Device device) {
        TestDevices.assumeAvailable(device);
        int epochs = device.isCuda() && TestDevices.emulatedRun() ? EMULATED_EPOCHS : Digits.EPOCHS;
        Digits.Result cpu = cpuRun(epochs);
        Digits.Result result = device.isCpu() ? cpu : run(device, epochs);
        if (epochs == Digits.EPOCHS) {
            assertTrue(result.finalAccuracy() >= TARGET, "test accuracy on " + device + ": " + result.testAccuracies());
            double firstLoss = result.trainLosses().get(0);
            double lastLoss = result.trainLosses().get(epochs - 1);
            assertTrue(lastLoss < firstLoss / 10, "train loss on " + device + ": " + result.trainLosses());
        }
        if (device.isCuda() && TestDevices.emulatedRun()) {
            for (int e = 0; e < epochs; e++) {
                double cpuLoss = cpu.trainLosses().get(e);
                assertEquals(cpuLoss, result.trainLosses().get(e), 1e-4 * cpuLoss, "loss of epoch " + (e + 1) + ", cpu vs " + device);
                assertEquals(cpu.testAccuracies().get(e), result.testAccuracies().get(e), 1.5 / 355,
                        "accuracy of epoch " + (e + 1) + ", cpu vs " + device);
            }
        } else if (device.isCuda()) {
            double cpuFirst = cpu.trainLosses().get(0);
            assertEquals(cpuFirst, result.trainLosses().get(0), 1e-3 * cpuFirst, "first epoch's loss, cpu vs " + device);
            assertEquals(cpu.finalAccuracy(), result.finalAccuracy(), 0.01, "final accuracy, cpu vs " + device);
        }
    }
}
