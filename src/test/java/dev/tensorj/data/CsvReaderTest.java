package dev.tensorj.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorj.DType;
import dev.tensorj.Tensor;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CsvReader against values written here (random floats printed and read back exactly) and malformed files. */
class CsvReaderTest {
    @TempDir
    Path dir;

    private TensorDataset read(CsvReader reader, String text) throws IOException {
        return reader.read(new StringReader(text), "test.csv");
    }

    @Test
    void randomValuesComeBackExactlyWithTheTargetLast() throws IOException {
        SplittableRandom r = new SplittableRandom(21);
        int rows = 37;
        float[] x = new float[rows * 3];
        long[] y = new long[rows];
        StringBuilder text = new StringBuilder("a,b,c,label\n");
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < 3; j++) {
                x[i * 3 + j] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-6, 7)));
                text.append(x[i * 3 + j]).append(',');
            }
            y[i] = r.nextInt(-3, 10);
            text.append(y[i]).append(i % 2 == 0 ? "\n" : "\r\n");
        }
        Path file = dir.resolve("data.csv");
        Files.writeString(file, text);
        TensorDataset ds = new CsvReader().target(3, DType.INT64).read(file);
        Tensor[] t = ds.tensors();
        assertEquals(DType.FLOAT32, t[0].dtype());
        assertEquals(DType.INT64, t[1].dtype());
        assertArrayEquals(new int[] {rows, 3}, t[0].shape());
        assertArrayEquals(x, t[0].toFloatArray());
        assertArrayEquals(y, t[1].toLongArray());
        // The default target: the last column, as float32.
        Tensor[] f = new CsvReader().read(file).tensors();
        assertEquals(DType.FLOAT32, f[1].dtype());
        float[] yf = new float[rows];
        for (int i = 0; i < rows; i++) {
            yf[i] = y[i];
        }
        assertArrayEquals(yf, f[1].toFloatArray());
    }

    @Test
    void columnsDelimiterHeaderAndSpecialValues() throws IOException {
        String text = "1.5; 2 ;\"3e2\";4\n-0.25;nan;-INF;7\n";
        Tensor[] t = read(new CsvReader().header(false).delimiter(';').features(2, 0).target(3, DType.INT64), text)
                .tensors();
        assertArrayEquals(new float[] {300f, 1.5f, Float.NEGATIVE_INFINITY, -0.25f}, t[0].toFloatArray());
        assertArrayEquals(new long[] {4, 7}, t[1].toLongArray());
        Tensor[] all = read(new CsvReader().header(false).delimiter(';').noTarget(), text).tensors();
        assertEquals(1, all.length);
        assertArrayEquals(new int[] {2, 4}, all[0].shape());
        assertTrue(Float.isNaN(all[0].toFloatArray()[5]));
        // A whole number written as 3.0 is a label; a header with no rows gives zero rows.
        assertArrayEquals(new long[] {3}, read(new CsvReader().target(1, DType.INT64), "x,y\n1,3.0\n").tensors()[1]
                .toLongArray());
        assertArrayEquals(new int[] {0, 2}, read(new CsvReader(), "a,b,c\n").tensors()[0].shape());
    }

    /** The message of the error reading {@code text} with {@code reader}. */
    private String error(CsvReader reader, String text) {
        return assertThrows(IllegalArgumentException.class, () -> read(reader, text)).getMessage();
    }

    private static void assertNames(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "\"" + p + "\" missing from: " + message);
        }
    }

    @Test
    void malformedInputIsRejectedNamingRowAndColumn() {
        CsvReader reader = new CsvReader();
        assertNames(error(reader, "a,b,y\n1,2,3\n4,abc,6\n"), "test.csv", "row 3", "column 1", "\"b\"", "abc",
                "not a number");
        assertNames(error(reader, "a,b,y\n1,2,3\n4,,6\n"), "row 3", "column 1", "not a number");
        assertNames(error(reader.header(false), "1,2,3\n4,5\n"), "row 2", "has 2 columns, expected 3");
        assertNames(error(reader.header(false), "1,2,3\n4,5,6,7\n"), "row 2", "has 4 columns");
        assertNames(error(reader.target(2, DType.INT64), "a,b,y\n1,2,3.5\n"), "row 2", "column 2", "\"y\"",
                "whole number");
        assertNames(error(reader, "a,b,y\n1,2,0x10\n"), "row 2", "column 2", "0x10");
        assertNames(error(reader, "a,b,y\n1,2,1f\n"), "row 2", "column 2", "1f");
        assertNames(error(reader, "a,b,y\n1,\"2,3\n"), "test.csv", "malformed CSV", "row 2");
        assertNames(error(reader, "a,b,y\n1,\"2\"x,3\n"), "test.csv", "malformed CSV", "row 2");
        assertNames(error(reader.features(0, 5), "a,b,y\n1,2,3\n"), "feature column 5", "3 columns");
        assertNames(error(reader.target(3, DType.FLOAT32), "a,b,y\n1,2,3\n"), "target column 3");
        assertNames(error(reader.features(0, 2), "a,b,y\n1,2,3\n"), "column 2 is both a feature and the target");
        assertNames(error(reader, ""), "empty file");
    }

    @Test
    void badOptionsAndMissingFiles() {
        assertThrows(IllegalArgumentException.class, () -> new CsvReader().delimiter('"'));
        assertThrows(IllegalArgumentException.class, () -> new CsvReader().delimiter('.'));
        assertThrows(IllegalArgumentException.class, () -> new CsvReader().features());
        assertThrows(IllegalArgumentException.class, () -> new CsvReader().features(1, 1));
        assertThrows(IllegalArgumentException.class, () -> new CsvReader().target(-1, DType.INT64));
        assertThrows(IllegalArgumentException.class, () -> new CsvReader().target(0, DType.BOOL));
        assertThrows(NoSuchFileException.class, () -> new CsvReader().read(dir.resolve("absent.csv")));
    }
}
