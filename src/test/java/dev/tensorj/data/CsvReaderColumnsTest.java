package dev.tensorj.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.DType;
import dev.tensorj.Tensor;
import java.io.IOException;
import java.io.StringReader;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * CsvReader at the edges of its columns: the target in column 0, files wider than the reader's
 * first buffer, a column just past the last one, the largest int64 labels, infinities, and the
 * messages that say what a short or long row was compared with.
 */
class CsvReaderColumnsTest {
    private static Tensor[] read(CsvReader reader, String text) throws IOException {
        return reader.read(new StringReader(text), "cols.csv").tensors();
    }

    private static String error(CsvReader reader, String text) {
        return assertThrows(IllegalArgumentException.class, () -> read(reader, text)).getMessage();
    }

    @Test
    void theTargetMayBeTheFirstColumn() throws IOException {
        String text = "y,a,b\n3,0.5,-1.25\n-2,8,1e-3\n7,-0,6\n";
        Tensor[] labels = read(new CsvReader().target(0, DType.INT64), text);
        assertArrayEquals(new int[] {3, 2}, labels[0].shape());
        assertArrayEquals(new float[] {0.5f, -1.25f, 8f, 1e-3f, -0f, 6f}, labels[0].toFloatArray());
        assertArrayEquals(new long[] {3, -2, 7}, labels[1].toLongArray());
        Tensor[] values = read(new CsvReader().target(0, DType.FLOAT32), text);
        assertEquals(DType.FLOAT32, values[1].dtype());
        assertArrayEquals(new float[] {3f, -2f, 7f}, values[1].toFloatArray());
        assertArrayEquals(labels[0].toFloatArray(), values[0].toFloatArray());
    }

    /** More feature columns than the reader's first buffer holds (16 cells), over several rows. */
    @Test
    void wideFilesComeBackExactly() throws IOException {
        SplittableRandom r = new SplittableRandom(5);
        for (int width : new int[] {17, 40}) {
            int rows = 6;
            float[] x = new float[rows * width];
            float[] y = new float[rows];
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < width; j++) {
                    x[i * width + j] = (float) r.nextGaussian();
                    text.append(x[i * width + j]).append(',');
                }
                y[i] = (float) r.nextGaussian();
                text.append(y[i]).append('\n');
            }
            Tensor[] t = read(new CsvReader().header(false), text.toString());
            assertArrayEquals(new int[] {rows, width}, t[0].shape());
            assertArrayEquals(x, t[0].toFloatArray(), "width " + width);
            assertArrayEquals(y, t[1].toFloatArray(), "width " + width);
        }
    }

    @Test
    void aColumnJustPastTheLastIsNamedWithTheRange() {
        String text = "a,b,y\n1,2,3\n";
        String feature = error(new CsvReader().features(0, 3), text);
        assertTrue(feature.contains("feature column 3 does not exist: the file has 3 columns (0 to 2)"), feature);
        String target = error(new CsvReader().features(0).target(3, DType.INT64), text);
        assertTrue(target.contains("target column 3 does not exist: the file has 3 columns (0 to 2)"), target);
    }

    @Test
    void aRowOfAnotherWidthNamesWhatItWasComparedWith() {
        String withHeader = error(new CsvReader(), "a,b,y\n1,2,3\n4,5\n");
        assertTrue(withHeader.contains("row 3 has 2 columns, expected 3 (as the header)"), withHeader);
        String without = error(new CsvReader().header(false), "1,2,3\n4,5\n");
        assertTrue(without.contains("row 2 has 2 columns, expected 3 (as row 1)"), without);
    }

    /** Labels up to the largest whole double below 2^63 are read exactly; 2^63 itself is not an int64. */
    @Test
    void int64LabelsStopAtTwoToTheSixtyThree() throws IOException {
        CsvReader labels = new CsvReader().target(1, DType.INT64);
        assertArrayEquals(new long[] {1L << 62, -(1L << 62), 9223372036854774784L},
                read(labels, "x,y\n1,4.611686018427387904e18\n2,-4611686018427387904.0\n3,9.223372036854774784e18\n")[1]
                        .toLongArray());
        String tooBig = error(labels, "x,y\n1,9.223372036854775808e18\n");
        assertTrue(tooBig.contains("row 2, column 1 (\"y\")") && tooBig.contains("not a whole number"), tooBig);
    }

    @Test
    void infinitiesInEveryAcceptedSpelling() throws IOException {
        Tensor[] t = read(new CsvReader().header(false).noTarget(), "inf,+Inf,INFINITY,+infinity,-Infinity,-inf\n");
        float p = Float.POSITIVE_INFINITY;
        float n = Float.NEGATIVE_INFINITY;
        assertArrayEquals(new float[] {p, p, p, p, n, n}, t[0].toFloatArray());
    }
}
