package dev.tensorj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Safetensors files at the edges of what is accepted: header lengths and element counts exactly at
 * their limits and one past, entries listed out of data order, empty shapes whose other dimensions
 * are huge, and what the messages then say; and a load or a save that fails, or a scalar loaded
 * and closed, leaving nothing open.
 */
class SafetensorsLimitsTest {
    @TempDir
    Path dir;

    /** A file as the specification lays it out, with {@code length} as the header length (not checked). */
    private Path file(String name, long length, String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(length).put(json).put(data);
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    private Path file(String name, String header, byte[] data) throws IOException {
        return file(name, header.getBytes(StandardCharsets.UTF_8).length, header, data);
    }

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + ","
                + end + "]}";
    }

    private static void rejected(Path p, String entry, String message) {
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Safetensors.load(p));
        assertEquals(entry, e.entry(), e.getMessage());
        assertEquals("Safetensors.load: " + p + (entry == null ? "" : ", entry '" + entry + "'") + ": " + message,
                e.getMessage());
    }

    @Test
    void headerLengthsAtTheirLimits() throws IOException {
        // 8 bytes: a header length of 0 and nothing else is a header that is no JSON object
        rejected(file("zero", 0, "", new byte[0]), null, "the header must be a JSON object, got nothing");
        rejected(file("array", "[]", new byte[0]), null, "the header must be a JSON object, got ARRAY");
        // one byte past the end, and exactly the 100 MB limit (allowed, but then past the end)
        rejected(file("past", 3, "{}", new byte[0]), null, "the header length 3 runs past the end of the file (10 bytes)");
        rejected(file("limit", 100_000_000L, "{}", new byte[0]), null,
                "the header length 100000000 runs past the end of the file (10 bytes)");
        assertEquals(Map.of(), Safetensors.load(file("empty", "{}", new byte[0])), "an empty file of tensors loads");
    }

    @Test
    void elementCountsAtTheCpuLimit() throws IOException {
        int max = dev.tensorj.backend.cpu.CpuBackend.MAX_ELEMENTS;
        rejected(file("over", "{" + entry("w", "F32", "[" + max + ",2]", 0, 4) + "}", floats(1f)), "w",
                "shape [" + max + ",2] holds more than the " + max + " elements one cpu tensor can hold");
        rejected(file("at", "{" + entry("w", "F32", "[" + max + "]", 0, 4) + "}", floats(1f)), "w",
                "shape [" + max + "] of F32 is " + max + " elements = " + 4L * max
                        + " bytes, but data_offsets [0, 4) hold 4 bytes");
        // A zero anywhere empties the tensor, however large the dimensions before it.
        Map<String, Tensor> empty = Safetensors.load(file("empty", "{" + entry("e", "F32", "[65536,65536,65536,0]", 0, 0)
                + "," + entry("x", "F32", "[1]", 0, 4) + "}", floats(5f)));
        assertArrayEquals(new int[] {65536, 65536, 65536, 0}, empty.get("e").shape());
        assertEquals(0, empty.get("e").numel());
        assertArrayEquals(new float[] {5f}, empty.get("x").toFloatArray());
    }

    @Test
    void aSizeMismatchAfterTheFirstEntryStatesTheBytesItsOffsetsHold() throws IOException {
        String header = "{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 8, 12) + "}";
        rejected(file("b", header, floats(1f, 2f, 3f)), "b",
                "shape [2] of F32 is 2 elements = 8 bytes, but data_offsets [8, 12) hold 4 bytes");
    }

    @Test
    void entriesListedOutOfOrderLoadInTheOrderOfTheirData() throws IOException {
        String header = "{" + entry("c", "F32", "[1]", 12, 16) + "," + entry("a", "F32", "[2]", 0, 8) + ","
                + entry("b", "F32", "[1]", 8, 12) + "}";
        Map<String, Tensor> t = Safetensors.load(file("order", header, floats(1f, 2f, 3f, 4f)));
        assertEquals(List.of("a", "b", "c"), List.copyOf(t.keySet()));
        assertArrayEquals(new float[] {1f, 2f}, t.get("a").toFloatArray());
        assertArrayEquals(new float[] {3f}, t.get("b").toFloatArray());
        assertArrayEquals(new float[] {4f}, t.get("c").toFloatArray());
    }

    @Test
    void aBoolByteIsReportedAsTheUnsignedByteItIs() throws IOException {
        rejected(file("bool", "{" + entry("m", "BOOL", "[2]", 0, 2) + "}", new byte[] {1, (byte) 0x80}), "m",
                "element 1 is the byte 128, not a bool (0 or 1)");
    }

    @Test
    void aLoadedScalarOnceClosedLeavesNothingOpen() throws IOException {
        Path p = dir.resolve("scalar.safetensors");
        Tensor s = Tensor.of(new float[] {2.5f}).reshape();
        Safetensors.save(Map.of("s", s), p);
        LeakReport.setEnabled(true);
        try {
            long before = LeakReport.liveCount(Device.CPU);
            Tensor loaded = Safetensors.load(p).get("s");
            assertArrayEquals(new int[] {}, loaded.shape());
            assertEquals(2.5f, loaded.item());
            loaded.close();
            assertEquals(before, LeakReport.liveCount(Device.CPU), "the 1-d tensor the scalar was read into was kept");
        } finally {
            LeakReport.setEnabled(false);
        }
    }

    @Test
    void savingAClosedTensorNamesItAndWritesNothing() throws IOException {
        Path p = dir.resolve("closed.safetensors");
        Tensor closed = Tensor.randn(2, 3);
        closed.close();
        TensorClosedException e = assertThrows(TensorClosedException.class,
                () -> Safetensors.save(Map.of("layer.weight", closed), p));
        assertEquals("Safetensors.save", e.op());
        assertTrue(e.getMessage().startsWith("Safetensors.save: layer.weight tensor [2, 3] on cpu was closed"),
                e.getMessage());
        assertFalse(Files.exists(p));
    }
}
