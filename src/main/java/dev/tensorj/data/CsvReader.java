package dev.tensorj.data;

import dev.tensorj.DType;
import dev.tensorj.Tensor;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads a numeric CSV file into a {@link TensorDataset} of float32 features {@code [rows, features]}
 * and a target {@code [rows]} (int64 for class labels, or float32), parsed with Apache Commons CSV
 * (RFC 4180: quoted fields, CRLF or LF line ends).
 *
 * <pre>{@code
 * TensorDataset data = new CsvReader().target(4, DType.INT64).read(Path.of("iris.csv"));
 * }</pre>
 *
 * <p>Defaults: the first line is a header (as pandas' {@code read_csv}), the delimiter is a comma, the
 * target is the last column as float32, the features are all the other columns. Columns are counted
 * from 0. Cells may have spaces around them; {@code nan}, {@code inf} and {@code -inf} are read as
 * numbers (any case). Every data row must have the header's (or the first row's) number of columns.
 * A cell that is not a number (or, for an int64 target, not a whole number) is rejected with an
 * {@link IllegalArgumentException} naming the file, the row (counted from 1 as in the file, the
 * header being row 1) and the column; nothing is read half.
 *
 * <p>Options are set with methods that return a new reader (this one is unchanged).
 */
public final class CsvReader {
    private final boolean header;
    private final char delimiter;
    private final int[] features; // null: every column but the target
    private final int target; // -1: none; Integer.MIN_VALUE: the last column
    private final DType targetType;

    /** A reader with the defaults: a header line, commas, the last column the float32 target. */
    public CsvReader() {
        this(true, ',', null, Integer.MIN_VALUE, DType.FLOAT32);
    }

    private CsvReader(boolean header, char delimiter, int[] features, int target, DType targetType) {
        this.header = header;
        this.delimiter = delimiter;
        this.features = features;
        this.target = target;
        this.targetType = targetType;
    }

    /** This reader, taking the first line as a header of column names ({@code true}) or as data. */
    public CsvReader header(boolean header) {
        return new CsvReader(header, delimiter, features, target, targetType);
    }

    /**
     * This reader, with {@code delimiter} between cells (e.g. {@code ';'} or {@code '\t'}).
     *
     * @throws IllegalArgumentException for a quote, a line break, or a character that can be part of a number
     */
    public CsvReader delimiter(char delimiter) {
        if (delimiter == '"' || delimiter == '\r' || delimiter == '\n' || Character.isLetterOrDigit(delimiter)
                || delimiter == '.' || delimiter == '-' || delimiter == '+') {
            throw new IllegalArgumentException("CsvReader: invalid delimiter '" + delimiter + "'");
        }
        return new CsvReader(header, delimiter, features, target, targetType);
    }

    /**
     * This reader, taking the feature columns {@code columns}, in this order.
     *
     * @throws IllegalArgumentException if a column is negative or repeated, or none is given
     */
    public CsvReader features(int... columns) {
        Objects.requireNonNull(columns, "CsvReader: columns is null");
        if (columns.length == 0 || Arrays.stream(columns).anyMatch(c -> c < 0)
                || Arrays.stream(columns).distinct().count() != columns.length) {
            throw new IllegalArgumentException("CsvReader: feature columns must be distinct and non-negative, got "
                    + Arrays.toString(columns));
        }
        return new CsvReader(header, delimiter, columns.clone(), target, targetType);
    }

    /**
     * This reader, taking column {@code column} as the target, of {@code dtype} {@link DType#INT64}
     * (class labels) or {@link DType#FLOAT32}.
     *
     * @throws IllegalArgumentException if {@code column} is negative or {@code dtype} is bool
     */
    public CsvReader target(int column, DType dtype) {
        Objects.requireNonNull(dtype, "CsvReader: dtype is null");
        if (column < 0) {
            throw new IllegalArgumentException("CsvReader: target column must be non-negative, got " + column);
        }
        if (dtype != DType.INT64 && dtype != DType.FLOAT32) {
            throw new IllegalArgumentException("CsvReader: the target is int64 or float32, got " + dtype);
        }
        return new CsvReader(header, delimiter, features, column, dtype);
    }

    /** This reader, without a target: the dataset holds the features only. */
    public CsvReader noTarget() {
        return new CsvReader(header, delimiter, features, -1, targetType);
    }

    /**
     * The file's rows as a dataset: features {@code [rows, features]} float32, then (unless
     * {@link #noTarget()}) the target {@code [rows]} in its dtype, on the CPU. Read as UTF-8.
     *
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if the file is malformed: named with its row and column
     */
    public TensorDataset read(Path file) throws IOException {
        Objects.requireNonNull(file, "CsvReader: file is null");
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(in, file.toString());
        }
    }

    /**
     * As {@link #read(Path)}, from {@code in} (not closed here); {@code source} names it in errors.
     *
     * @throws IOException if {@code in} cannot be read
     * @throws IllegalArgumentException if the text is malformed: named with its row and column
     */
    public TensorDataset read(Reader in, String source) throws IOException {
        Objects.requireNonNull(in, "CsvReader: in is null");
        Objects.requireNonNull(source, "CsvReader: source is null");
        CSVFormat format = CSVFormat.RFC4180.builder().setDelimiter(delimiter).setIgnoreSurroundingSpaces(true).get();
        List<String> names = null;
        int width = -1;
        int[] featureCols = null;
        int targetCol = -1;
        float[] x = new float[0];
        long[] labels = new long[0]; // int64 target
        float[] values = new float[0]; // float32 target
        int rows = 0;
        long row = 0;
        try {
            CSVParser parser = CSVParser.builder().setFormat(format).setReader(in).get();
            for (CSVRecord record : parser) {
                row = record.getRecordNumber();
                if (width < 0) {
                    width = record.size();
                    targetCol = target == Integer.MIN_VALUE ? width - 1 : target;
                    featureCols = features != null ? features : allBut(width, targetCol);
                    check(source, width, featureCols, targetCol);
                    if (header) {
                        names = record.toList();
                        continue;
                    }
                }
                if (record.size() != width) {
                    throw new IllegalArgumentException(source + ": row " + row + " has " + record.size()
                            + " columns, expected " + width + (header ? " (as the header)" : " (as row 1)"));
                }
                if ((rows + 1L) * featureCols.length > Integer.MAX_VALUE - 8) {
                    throw new IllegalArgumentException(source + ": too many cells for one tensor at row " + row);
                }
                if ((rows + 1) * featureCols.length > x.length) {
                    x = Arrays.copyOf(x, Math.max(16, Math.max((rows + 1) * featureCols.length, x.length * 2)));
                }
                for (int j = 0; j < featureCols.length; j++) {
                    x[rows * featureCols.length + j] = (float) number(source, row, featureCols[j], names, record);
                }
                if (targetCol >= 0 && targetType == DType.INT64) {
                    labels = rows < labels.length ? labels : Arrays.copyOf(labels, Math.max(16, rows * 2));
                    labels[rows] = whole(source, row, targetCol, names, record);
                } else if (targetCol >= 0) {
                    values = rows < values.length ? values : Arrays.copyOf(values, Math.max(16, rows * 2));
                    values[rows] = (float) number(source, row, targetCol, names, record);
                }
                rows++;
            }
        } catch (UncheckedIOException e) {
            // Commons CSV reports malformed quoting this way, with its line number.
            throw new IllegalArgumentException(source + ": malformed CSV at row " + (row + 1) + ": "
                    + e.getCause().getMessage(), e);
        }
        if (width < 0) {
            throw new IllegalArgumentException(source + ": no rows (an empty file)");
        }
        Tensor features = Tensor.of(Arrays.copyOf(x, rows * featureCols.length), rows, featureCols.length);
        if (targetCol < 0) {
            return new TensorDataset(features);
        }
        return new TensorDataset(features, targetType == DType.INT64 ? Tensor.of(Arrays.copyOf(labels, rows), rows)
                : Tensor.of(Arrays.copyOf(values, rows), rows));
    }

    private static int[] allBut(int width, int column) {
        return java.util.stream.IntStream.range(0, width).filter(c -> c != column).toArray();
    }

    private static void check(String source, int width, int[] featureCols, int targetCol) {
        for (int c : featureCols) {
            if (c >= width) {
                throw new IllegalArgumentException(source + ": feature column " + c + " does not exist: the file has "
                        + width + " columns (0 to " + (width - 1) + ")");
            }
            if (c == targetCol) {
                throw new IllegalArgumentException(source + ": column " + c + " is both a feature and the target");
            }
        }
        if (targetCol >= width) {
            throw new IllegalArgumentException(source + ": target column " + targetCol + " does not exist: the file has "
                    + width + " columns (0 to " + (width - 1) + ")");
        }
        if (featureCols.length == 0) {
            throw new IllegalArgumentException(source + ": no feature columns (the file has " + width + " columns)");
        }
    }

    /** The cell as a number: a decimal, or nan/inf/-inf; no Java suffixes ({@code 1f}) or hex. */
    private static double number(String source, long row, int column, List<String> names, CSVRecord record) {
        String cell = record.get(column).trim();
        switch (cell.toLowerCase(java.util.Locale.ROOT)) {
            case "nan": case "+nan": case "-nan":
                return Double.NaN;
            case "inf": case "+inf": case "infinity": case "+infinity":
                return Double.POSITIVE_INFINITY;
            case "-inf": case "-infinity":
                return Double.NEGATIVE_INFINITY;
            default:
                break;
        }
        if (!cell.isEmpty() && cell.chars().allMatch(ch -> (ch >= '0' && ch <= '9') || ".eE+-".indexOf(ch) >= 0)) {
            try {
                return Double.parseDouble(cell);
            } catch (NumberFormatException e) {
                // falls through to the error below
            }
        }
        throw bad(source, row, column, names, cell, "is not a number");
    }

    /** The cell as a whole number (an int64 target): {@code 3} or {@code 3.0}, not {@code 3.5}. */
    private static long whole(String source, long row, int column, List<String> names, CSVRecord record) {
        String cell = record.get(column).trim();
        try {
            return Long.parseLong(cell);
        } catch (NumberFormatException e) {
            double v = number(source, row, column, names, record);
            if (v == Math.rint(v) && Math.abs(v) < 0x1p63) {
                return (long) v;
            }
            throw bad(source, row, column, names, cell, "is not a whole number (an int64 target)");
        }
    }

    private static IllegalArgumentException bad(String source, long row, int column, List<String> names, String cell,
            String what) {
        String name = names != null && column < names.size() ? " (\"" + names.get(column) + "\")" : "";
        return new IllegalArgumentException(source + ": row " + row + ", column " + column + name + ": \"" + cell
                + "\" " + what);
    }
}
