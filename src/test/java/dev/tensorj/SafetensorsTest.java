package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tensorj.junit.DevicesSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;

/** Safetensors files against the format's specification: bytes written by hand, round trips, and every malformed header. */
class SafetensorsTest {
    @TempDir
    Path dir;

    /** A file as the specification lays it out: 8-byte little-endian header length, header, data. */
    private Path file(String name, String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json).put(data);
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    private static byte[] le(int bytes, long... values) {
        ByteBuffer b = ByteBuffer.allocate(bytes * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            switch (bytes) {
                case 1: b.put((byte) v); break;
                case 2: b.putShort((short) v); break;
                case 4: b.putInt((int) v); break;
                default: b.putLong(v);
            }
        }
        return b.array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuffer b = ByteBuffer.allocate(java.util.Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    // ------------------------------------------------------------ round trips

    @ParameterizedTest
    @DevicesSource
    void everyDtypeRoundTripsIncludingScalarsAndEmptyTensors(Device device) throws IOException {
        Random rng = new Random(1401);
        Nd w = Nd.randn(rng, 3, 4);
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, Float.MIN_VALUE, Float.MAX_VALUE};
        long[] longs = {Long.MIN_VALUE, -1, 0, 1, Long.MAX_VALUE, rng.nextLong()};
        boolean[] bools = {true, false, false, true, true, false};
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("w", w.tensor(device));
        tensors.put("special", Tensor.of(special, 2, 3).to(device));
        tensors.put("scalar", Tensor.scalar(-2.5f).to(device));
        tensors.put("empty", Tensor.zeros(device, 0, 5));
        tensors.put("ids", Tensor.of(longs, 3, 2).to(device));
        tensors.put("step", Tensor.of(new long[] {42}, 1).reshape().to(device));
        tensors.put("mask", Tensor.of(bools, 2, 1, 3).to(device));
        tensors.put("no.mask", Tensor.zeros(device, DType.BOOL, 0));
        Path p = dir.resolve("all.safetensors");
        Safetensors.save(tensors, p);

        Map<String, Tensor> back = Safetensors.load(p, device);
        assertEquals(List.copyOf(tensors.keySet()), List.copyOf(back.keySet()), "the data's order is the map's");
        for (var e : tensors.entrySet()) {
            Tensor t = back.get(e.getKey());
            assertEquals(device, t.device(), e.getKey());
            assertEquals(e.getValue().dtype(), t.dtype(), e.getKey());
            assertArrayEquals(e.getValue().shape(), t.shape(), e.getKey());
        }
        assertArrayEquals(w.floats(), back.get("w").toFloatArray());
        assertArrayEquals(special, back.get("special").toFloatArray()); // bit for bit, NaN and -0 included
        assertEquals(-2.5f, back.get("scalar").item());
        assertArrayEquals(longs, back.get("ids").toLongArray());
        assertEquals(42L, back.get("step").longItem());
        assertArrayEquals(bools, back.get("mask").toBooleanArray());
        assertEquals(Map.of(), Safetensors.metadata(p));
    }

    @ParameterizedTest
    @DevicesSource
    void aTensorLargerThanOneReadWindowRoundTrips(Device device) throws IOException {
        Nd big = Nd.randn(new Random(1402), 2049, 2049); // 16.8 MB of float32: more than one 16 MiB window
        Path p = dir.resolve("big.safetensors");
        Safetensors.save(Map.of("big", big.tensor(device)), p);
        long headerLength;
        try (var in = Files.newInputStream(p)) {
            headerLength = ByteBuffer.wrap(in.readNBytes(8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
        }
        assertEquals(0, headerLength % 8, "the header pads to 8-byte alignment");
        assertEquals(8 + headerLength + 2049L * 2049 * 4, Files.size(p));
        assertArrayEquals(big.floats(), Safetensors.load(p, device).get("big").toFloatArray());
    }

    @Test
    void loadsOntoTheMetaDeviceWithShapesOnly() throws IOException {
        Path p = dir.resolve("m.safetensors");
        Safetensors.save(Map.of("a", Tensor.randn(2, 3)), p);
        Tensor a = Safetensors.load(p, Device.META).get("a");
        assertEquals(Device.META, a.device());
        assertArrayEquals(new int[] {2, 3}, a.shape());
    }

    @Test
    void metadataRoundTripsAndIsWrittenFirst() throws IOException {
        Path p = dir.resolve("meta.safetensors");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("note", "ünïcode \"quoted\"");
        Safetensors.save(Map.of("x", Tensor.of(new float[] {1, 2})), p, meta);
        assertEquals(meta, Safetensors.metadata(p));
        String header = new String(Files.readAllBytes(p), 8, 20, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":"), header);
        assertArrayEquals(new float[] {1, 2}, Safetensors.load(p).get("x").toFloatArray());
    }

    // ------------------------------------------------------------ the format, byte for byte

    @Test
    void writesExactlyTheBytesTheSpecificationDescribes() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("a", Tensor.of(new float[] {1.5f, -2f}, 2));
        tensors.put("b", Tensor.of(new long[] {-3, 258}, 2, 1));
        tensors.put("c", Tensor.of(new boolean[] {true, false, true}, 3));
        Path p = dir.resolve("spec.safetensors");
        Safetensors.save(tensors, p);
        String json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"I64\",\"shape\":[2,1],\"data_offsets\":[8,24]},"
                + "\"c\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[24,27]}}";
        String padded = json + " ".repeat((8 - json.length() % 8) % 8);
        byte[] expected = concat(le(8, padded.length()), padded.getBytes(StandardCharsets.US_ASCII),
                le(4, Float.floatToIntBits(1.5f), Float.floatToIntBits(-2f)), le(8, -3, 258), le(1, 1, 0, 1));
        assertArrayEquals(expected, Files.readAllBytes(p));
    }

    @Test
    void readsAFileWrittenByHandWithEveryDtype() throws IOException {
        // F16: 1, -2, 65504 (largest), 2^-24 (smallest subnormal), +Inf, -Inf, NaN, -0.
        // BF16: 1, -3, 1.5·2^100. F64: 0.1 (rounded to float), -1e300 (overflows to -Inf).
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[2,4],\"data_offsets\":[0,16]},"
                + "\"bf\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[16,22]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[22,38]},"
                + "\"i\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[38,46]},"
                + "\"m\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[46,48]},"
                + "\"f\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[48,52]},"
                + "\"__metadata__\":{\"format\":\"pt\"}}";
        byte[] data = concat(le(2, 0x3C00, 0xC000, 0x7BFF, 0x0001, 0x7C00, 0xFC00, 0x7E00, 0x8000),
                le(2, 0x3F80, 0xC040, 0x71C0), le(8, Double.doubleToLongBits(0.1), Double.doubleToLongBits(-1e300)),
                le(8, -7), le(1, 0, 1), le(4, Float.floatToIntBits(3.25f)));
        Map<String, Tensor> t = Safetensors.load(file("hand.safetensors", header, data));
        assertEquals(List.of("h", "bf", "d", "i", "m", "f"), List.copyOf(t.keySet()));
        assertEquals(DType.FLOAT32, t.get("h").dtype());
        assertArrayEquals(new int[] {2, 4}, t.get("h").shape());
        assertArrayEquals(new float[] {1, -2, 65504, 0x1p-24f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                Float.NaN, -0f}, t.get("h").toFloatArray());
        assertArrayEquals(new float[] {1, -3, 0x1.8p100f}, t.get("bf").toFloatArray());
        assertArrayEquals(new float[] {(float) 0.1, Float.NEGATIVE_INFINITY}, t.get("d").toFloatArray());
        assertArrayEquals(new int[0], t.get("i").shape());
        assertEquals(-7L, t.get("i").longItem());
        assertArrayEquals(new boolean[] {false, true}, t.get("m").toBooleanArray());
        assertArrayEquals(new float[] {3.25f}, t.get("f").toFloatArray());
    }

    @Test
    void everyHalfConvertsToItsExactValue() {
        for (int bits = 0; bits < 1 << 16; bits++) {
            int sign = bits >>> 15;
            int e = (bits >>> 10) & 0x1f;
            int m = bits & 0x3ff;
            double v = e == 0 ? m * Math.pow(2, -24) : e == 31 ? (m == 0 ? Double.POSITIVE_INFINITY : Double.NaN)
                    : (1 + m / 1024.0) * Math.pow(2, e - 15);
            float expected = (float) (sign == 1 ? -v : v);
            float actual = Safetensors.halfToFloat((short) bits);
            assertEquals(Float.isNaN(expected), Float.isNaN(actual), "half 0x" + Integer.toHexString(bits));
            if (!Float.isNaN(expected)) {
                assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(actual), "half 0x" + Integer.toHexString(bits));
            }
        }
    }

    // ------------------------------------------------------------ untrusted files

    /** Loading {@code p} fails with a SafetensorsException naming the file, {@code entry} and {@code words}, and nothing is left allocated. */
    private static SafetensorsException rejected(Path p, String entry, String words) {
        LeakReport.setEnabled(true);
        long before = LeakReport.liveCount(Device.CPU);
        SafetensorsException e;
        try {
            e = assertThrows(SafetensorsException.class, () -> Safetensors.load(p));
            assertEquals(before, LeakReport.liveCount(Device.CPU), "tensors made before the error were released");
        } finally {
            LeakReport.setEnabled(false);
        }
        assertEquals(p, e.path());
        assertEquals(entry, e.entry(), e.getMessage());
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(words), e.getMessage());
        if (entry != null) {
            assertTrue(e.getMessage().contains("'" + entry + "'"), e.getMessage());
        }
        assertEquals("Safetensors.load", e.op());
        return e;
    }

    private static final String A = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
    private static final byte[] A_DATA = le(4, Float.floatToIntBits(1f), Float.floatToIntBits(2f));

    @Test
    void headerLengthsThatDoNotFitAreRejected() throws IOException {
        Path tiny = dir.resolve("tiny");
        Files.write(tiny, new byte[] {1, 0, 0});
        rejected(tiny, null, "fewer than the 8");
        Path past = dir.resolve("past");
        Files.write(past, concat(le(8, 1000), "{}".getBytes(StandardCharsets.US_ASCII)));
        rejected(past, null, "runs past the end of the file");
        Path huge = dir.resolve("huge");
        Files.write(huge, concat(le(8, 100_000_001L), "{}".getBytes(StandardCharsets.US_ASCII)));
        rejected(huge, null, "100 MB");
        Path negative = dir.resolve("negative");
        Files.write(negative, concat(le(8, -1L), "{}".getBytes(StandardCharsets.US_ASCII)));
        rejected(negative, null, "18446744073709551615");
    }

    @Test
    void headersThatAreNotTheRightJsonAreRejected() throws IOException {
        rejected(file("bad", "{\"a\": {", new byte[0]), null, "not valid JSON");
        rejected(file("trail", "{} x", new byte[0]), null, "not valid JSON");
        rejected(file("array", "[1, 2]", new byte[0]), null, "must be a JSON object");
        rejected(file("empty", "", new byte[0]), null, "must be a JSON object");
        rejected(file("dup", "{" + A + "," + A + "}", A_DATA), null, "Duplicate field 'a'");
        rejected(file("notobj", "{\"a\": 3}", new byte[0]), "a", "expected an object");
        rejected(file("meta", "{\"__metadata__\":{\"k\":1}}", new byte[0]), "__metadata__", "must be a string");
        rejected(file("meta2", "{\"__metadata__\":[]}", new byte[0]), "__metadata__", "must be an object");
    }

    @Test
    void entriesThatDoNotDescribeTheirDataAreRejected() throws IOException {
        String e = "\"a\":{\"dtype\":\"%s\",\"shape\":%s,\"data_offsets\":%s}";
        rejected(file("dtype", "{" + String.format(e, "Q7", "[2]", "[0,8]") + "}", A_DATA), "a", "dtype 'Q7'");
        rejected(file("i32", "{" + String.format(e, "I32", "[2]", "[0,8]") + "}", A_DATA), "a", "not supported");
        rejected(file("nodtype", "{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", A_DATA), "a", "dtype is missing");
        rejected(file("noshape", "{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", A_DATA), "a", "shape is missing");
        rejected(file("negshape", "{" + String.format(e, "F32", "[-2]", "[0,8]") + "}", A_DATA), "a", "non-negative ints");
        rejected(file("fshape", "{" + String.format(e, "F32", "[2.0]", "[0,8]") + "}", A_DATA), "a", "non-negative ints");
        rejected(file("count", "{" + String.format(e, "F32", "[3]", "[0,8]") + "}", A_DATA), "a",
                "3 elements = 12 bytes, but data_offsets [0, 8) hold 8 bytes");
        rejected(file("i64count", "{" + String.format(e, "I64", "[2]", "[0,8]") + "}", A_DATA), "a", "16 bytes");
        rejected(file("giant", "{" + String.format(e, "F32", "[100000,100000,100000]", "[0,8]") + "}", A_DATA), "a",
                "more than the");
        rejected(file("nooff", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", A_DATA), "a", "data_offsets must be");
        rejected(file("off3", "{" + String.format(e, "F32", "[2]", "[0,4,8]") + "}", A_DATA), "a", "data_offsets must be");
        rejected(file("negoff", "{" + String.format(e, "F32", "[2]", "[-8,0]") + "}", A_DATA), "a", "data_offsets must be");
        rejected(file("range", "{" + String.format(e, "F32", "[2]", "[8,16]") + "}", A_DATA), "a", "out of range");
        rejected(file("reversed", "{" + String.format(e, "F32", "[0]", "[8,0]") + "}", A_DATA), "a", "out of range");
        rejected(file("bigoff", "{" + String.format(e, "F32", "[2]", "[0,99999999999999999999]") + "}", A_DATA), "a",
                "data_offsets must be");
    }

    @Test
    void offsetsMustTileTheDataExactly() throws IOException {
        String b = "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[%d,%d]}";
        byte[] twelve = concat(A_DATA, le(4, Float.floatToIntBits(3f)));
        rejected(file("overlap", "{" + A + "," + String.format(b, 4, 8) + "}", A_DATA), "b", "overlap those of 'a'");
        rejected(file("gap", "{" + A + "," + String.format(b, 12, 16) + "}", concat(twelve, le(4, 0))), "b",
                "leave bytes [8, 12)");
        rejected(file("hole", "{" + String.format(b, 4, 8) + "}", A_DATA), "b", "leave bytes [0, 4)");
        rejected(file("tail", "{" + A + "}", twelve), null, "bytes [8, 12) at the end of the data belong to no tensor");
        rejected(file("none", "{}", le(1, 7)), null, "bytes [0, 1)");
    }

    @Test
    void aBoolByteOtherThanZeroOrOneIsRejectedAndWhatWasLoadedIsReleased() throws IOException {
        String header = "{" + A + ",\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[8,11]}}";
        rejected(file("bool", header, concat(A_DATA, le(1, 1, 0, 2))), "m", "element 2 is the byte 2");
    }

    @Test
    void savingRejectsWhatCannotBeWrittenAndLeavesNoFile() throws IOException {
        Path p = dir.resolve("x.safetensors");
        SafetensorsException reserved = assertThrows(SafetensorsException.class,
                () -> Safetensors.save(Map.of("__metadata__", Tensor.randn(2)), p));
        assertEquals("__metadata__", reserved.entry());
        SafetensorsException meta = assertThrows(SafetensorsException.class,
                () -> Safetensors.save(Map.of("m", Tensor.zeros(Device.META, 2)), p));
        assertTrue(meta.getMessage().contains("meta tensor"), meta.getMessage());
        Tensor closed = Tensor.randn(2);
        closed.close();
        assertThrows(TensorClosedException.class, () -> Safetensors.save(Map.of("c", closed), p));
        assertFalse(Files.exists(p));
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "no temporary file is left");
        }
    }

    @Test
    void aSaveReplacesAnExistingFile() throws IOException {
        Path p = dir.resolve("r.safetensors");
        Safetensors.save(Map.of("old", Tensor.randn(100)), p);
        Safetensors.save(Map.of("new", Tensor.of(new float[] {4})), p);
        assertEquals(List.of("new"), List.copyOf(Safetensors.load(p).keySet()));
    }

    /**
     * A saved file has the permissions of a file made with {@code Files.createFile} in the same
     * directory (the umask's), not a temporary file's owner-only 0600, also when it replaces a file
     * whose permissions were narrowed; and no temporary file is left beside it.
     */
    @Test
    void aSavedFileGetsThePermissionsOfAnyNewFile() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"),
                "not a POSIX file system: files have no permission bits to compare");
        Path ordinary = Files.createFile(dir.resolve("ordinary"));
        Set<PosixFilePermission> expected = Files.getPosixFilePermissions(ordinary);
        Path p = dir.resolve("m.safetensors");
        Safetensors.save(Map.of("w", Tensor.randn(3)), p);
        assertEquals(expected, Files.getPosixFilePermissions(p));
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("r--------"));
        Safetensors.save(Map.of("w", Tensor.randn(4)), p);
        assertEquals(expected, Files.getPosixFilePermissions(p), "a replaced file is a new file");
        try (var files = Files.list(dir)) {
            assertEquals(Set.of(ordinary, p), files.collect(Collectors.toSet()), "no temporary file is left");
        }
    }

    @Test
    void aNullNameOrTensorIsNamed() {
        Path p = dir.resolve("n");
        Map<String, Tensor> nullValue = new LinkedHashMap<>();
        nullValue.put("a", null);
        assertEquals("Safetensors.save: the tensor 'a' is null",
                assertThrows(NullPointerException.class, () -> Safetensors.save(nullValue, p)).getMessage());
    }
}
