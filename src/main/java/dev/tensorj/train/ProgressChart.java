package dev.tensorj.train;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The PNG chart of {@link Progress#writeChart}: the only class that touches XChart, so that
 * {@link Progress} loads without it. Verifying this class loads XChart's, so whether XChart is there
 * is asked before this class is touched ({@link Progress#writeChart}).
 */
final class ProgressChart {
    private ProgressChart() {
    }

    static void write(List<EpochRecord> history, List<String> metrics, Path path) {
        XYChart chart = chart(history, metrics);
        try (OutputStream out = Files.newOutputStream(path)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("Progress.writeChart: cannot write " + path, e);
        }
    }

    /** The chart of a history of at least one epoch: x is each record's epoch number. */
    static XYChart chart(List<EpochRecord> history, List<String> metrics) {
        int n = history.size();
        double[] epochs = new double[n];
        double[] loss = new double[n];
        for (int i = 0; i < n; i++) {
            epochs[i] = history.get(i).epoch();
            loss[i] = history.get(i).loss();
        }
        XYChart chart = new XYChartBuilder().width(800).height(500).title("Training").xAxisTitle("epoch").build();
        chart.addSeries("loss", epochs, loss);
        chart.setYAxisGroupTitle(0, "loss");
        for (String m : metrics) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = history.get(i).metrics().getOrDefault(m, Double.NaN);
            }
            chart.addSeries(m, epochs, v).setYAxisGroup(1);
        }
        if (!metrics.isEmpty()) {
            chart.setYAxisGroupTitle(1, String.join(", ", metrics));
            chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        }
        return chart;
    }
}
