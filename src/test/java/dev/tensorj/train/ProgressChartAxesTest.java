package dev.tensorj.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;

/**
 * What {@link Progress#writeChart} draws: the loss on the left axis, titled "loss"; each metric's values
 * (NaN where an epoch lacks it) on a right axis titled with the metric names; no right axis without metrics.
 */
class ProgressChartAxesTest {
    private static EpochRecord epoch(int n, double loss, Map<String, Double> metrics) {
        return new EpochRecord(n, loss, metrics, 10, 1.0, 10.0);
    }

    @Test
    void lossOnTheLeftAndEachMetricsValuesOnTheRight() {
        Map<String, Double> both = new LinkedHashMap<>();
        both.put("accuracy", 0.625);
        both.put("top5", 0.875);
        List<EpochRecord> h = List.of(epoch(3, 2.5, Map.of("accuracy", 0.25)), epoch(4, 1.25, both));
        XYChart chart = ProgressChart.chart(h, List.of("accuracy", "top5"));
        assertArrayEquals(new double[] {2.5, 1.25}, chart.getSeriesMap().get("loss").getYData());
        assertArrayEquals(new double[] {0.25, 0.625}, chart.getSeriesMap().get("accuracy").getYData());
        assertArrayEquals(new double[] {Double.NaN, 0.875}, chart.getSeriesMap().get("top5").getYData(),
                "an epoch without the metric has no point");
        assertArrayEquals(new double[] {3, 4}, chart.getSeriesMap().get("top5").getXData());
        assertEquals(0, chart.getSeriesMap().get("loss").getYAxisGroup());
        assertEquals(1, chart.getSeriesMap().get("accuracy").getYAxisGroup());
        assertEquals("loss", chart.getYAxisGroupTitle(0));
        assertEquals("accuracy, top5", chart.getYAxisGroupTitle(1));
        assertEquals(Styler.YAxisPosition.Right, chart.getStyler().getYAxisGroupPosistion(1));
        assertEquals("epoch", chart.getXAxisTitle());
    }

    @Test
    void withoutMetricsOnlyTheLossAxis() {
        XYChart chart = ProgressChart.chart(List.of(epoch(1, 0.5, Map.of())), List.of());
        assertEquals(List.of("loss"), List.copyOf(chart.getSeriesMap().keySet()));
        assertEquals("loss", chart.getYAxisGroupTitle(0));
        assertNotEquals(Styler.YAxisPosition.Right, chart.getStyler().getYAxisGroupPosistion(1));
    }
}
