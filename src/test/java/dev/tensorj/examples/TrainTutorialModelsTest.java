package dev.tensorj.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.Device;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's main command prints the device, a falling loss per epoch and where parameters live. */
class TrainTutorialModelsTest {

    @Test
    void printsDeviceLossesAndPlacement() {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            TrainTutorialModels.main(new String[0]);
        } finally {
            System.setOut(original);
        }
        String out = buffer.toString(StandardCharsets.UTF_8);
        Device best = Device.best();
        assertTrue(out.startsWith("Using device: " + best), out);
        Matcher m = Pattern.compile("Epoch: (\\d+), Loss: ([0-9.]+)").matcher(out);
        List<Double> losses = new java.util.ArrayList<>();
        while (m.find()) {
            losses.add(Double.parseDouble(m.group(2)));
        }
        assertEquals(20, losses.size(), out);
        assertTrue(losses.get(9) < losses.get(0) && losses.get(19) < losses.get(10), "losses fall: " + losses);
        assertTrue(out.contains("linear1.weight   [20, 10]   on " + best), out);
    }
}
