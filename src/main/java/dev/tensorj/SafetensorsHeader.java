package dev.tensorj;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tensorj.backend.cpu.CpuBackend;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of a safetensors file, read and checked against the file before any tensor is made:
 * the 8-byte little-endian header length, the JSON object of entries and {@code __metadata__},
 * and data offsets that tile the data buffer exactly. Nothing in the file is trusted.
 */
final class SafetensorsHeader {
    /** The largest header accepted, as the reference implementation's limit: 100 MB. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    static final String METADATA = "__metadata__";

    /** Jackson, strict: a duplicate name or anything after the object is an error, not the last one wins. */
    static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    /** The dtypes tensorj reads; F16, BF16 and F64 become float32. */
    enum FileDType {
        F32(4, DType.FLOAT32), I64(8, DType.INT64), BOOL(1, DType.BOOL),
        F16(2, DType.FLOAT32), BF16(2, DType.FLOAT32), F64(8, DType.FLOAT32);

        final int bytes;
        final DType target;

        FileDType(int bytes, DType target) {
            this.bytes = bytes;
            this.target = target;
        }

        static FileDType of(DType t) {
            switch (t) {
                case FLOAT32: return F32;
                case INT64: return I64;
                case BOOL: return BOOL;
                default: throw new AssertionError(t);
            }
        }
    }

    /** One tensor: its bytes are {@code [begin, end)} of the data buffer. */
    record Entry(String name, FileDType dtype, int[] shape, int numel, long begin, long end) {}

    /** The entries by data offset (the order the data lies in the file). */
    final List<Entry> entries;
    final Map<String, String> metadata;
    /** Where the data buffer starts in the file: 8 + the header length. */
    final long dataStart;

    private SafetensorsHeader(List<Entry> entries, Map<String, String> metadata, long dataStart) {
        this.entries = entries;
        this.metadata = metadata;
        this.dataStart = dataStart;
    }

    static SafetensorsHeader read(String op, Path path, FileChannel channel) throws IOException {
        long size = channel.size();
        if (size < 8) {
            throw fail(op, path, null, "the file has " + size + " bytes, fewer than the 8 of the header length");
        }
        ByteBuffer lengthBytes = channel.map(FileChannel.MapMode.READ_ONLY, 0, 8).order(ByteOrder.LITTLE_ENDIAN);
        long length = lengthBytes.getLong(0);
        if (length < 0 || length > MAX_HEADER_BYTES) { // negative: an unsigned length over 2^63
            throw fail(op, path, null, "the header length " + Long.toUnsignedString(length)
                    + " is over the limit of " + MAX_HEADER_BYTES + " bytes (100 MB)");
        }
        if (length > size - 8) {
            throw fail(op, path, null, "the header length " + length + " runs past the end of the file ("
                    + size + " bytes)");
        }
        byte[] json = new byte[(int) length];
        channel.map(FileChannel.MapMode.READ_ONLY, 8, length).get(json);
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new SafetensorsException(op, path, null, "the header is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw fail(op, path, null, "the header must be a JSON object, got "
                    + (root == null || root.isMissingNode() ? "nothing" : root.getNodeType()));
        }
        long dataLength = size - 8 - length;
        Map<String, String> metadata = Map.of();
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals(METADATA)) {
                metadata = metadata(op, path, field.getValue());
            } else {
                entries.add(entry(op, path, field.getKey(), field.getValue(), dataLength));
            }
        }
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        checkTiling(op, path, entries, dataLength);
        return new SafetensorsHeader(List.copyOf(entries), metadata, 8 + length);
    }

    private static Map<String, String> metadata(String op, Path path, JsonNode node) {
        if (!node.isObject()) {
            throw fail(op, path, METADATA, "must be an object of strings, got " + node.getNodeType());
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!f.getValue().isTextual()) {
                throw fail(op, path, METADATA, "the value of '" + f.getKey() + "' must be a string, got "
                        + f.getValue().getNodeType());
            }
            out.put(f.getKey(), f.getValue().textValue());
        }
        return Collections.unmodifiableMap(out);
    }

    private static Entry entry(String op, Path path, String name, JsonNode node, long dataLength) {
        if (!node.isObject()) {
            throw fail(op, path, name, "expected an object with dtype, shape and data_offsets, got " + node.getNodeType());
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw fail(op, path, name, "dtype is missing or not a string");
        }
        FileDType dtype;
        try {
            dtype = FileDType.valueOf(dtypeNode.textValue());
        } catch (IllegalArgumentException e) {
            throw fail(op, path, name, "dtype '" + dtypeNode.textValue()
                    + "' is unknown or not supported; tensorj reads F32, I64, BOOL, and F16, BF16, F64 as float32");
        }
        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw fail(op, path, name, "shape is missing or not an array");
        }
        int[] shape = new int[shapeNode.size()];
        long numel = 1;
        boolean empty = false;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < 0) {
                throw fail(op, path, name, "shape " + shapeNode + " must hold non-negative ints");
            }
            shape[i] = d.intValue();
            empty |= shape[i] == 0;
            numel = numel > CpuBackend.MAX_ELEMENTS ? numel : numel * shape[i]; // once over the limit, stays over
        }
        numel = empty ? 0 : numel;
        JsonNode offsets = node.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2
                || !isOffset(offsets.get(0)) || !isOffset(offsets.get(1))) {
            throw fail(op, path, name, "data_offsets must be [begin, end] of two non-negative integers, got " + offsets);
        }
        long begin = offsets.get(0).longValue();
        long end = offsets.get(1).longValue();
        if (begin > end || end > dataLength) {
            throw fail(op, path, name, "data_offsets [" + begin + ", " + end + ") are out of range of the "
                    + dataLength + " bytes of data");
        }
        if (numel > CpuBackend.MAX_ELEMENTS) {
            throw fail(op, path, name, "shape " + shapeNode + " holds more than the " + CpuBackend.MAX_ELEMENTS
                    + " elements one cpu tensor can hold");
        }
        if (numel * dtype.bytes != end - begin) {
            throw fail(op, path, name, "shape " + shapeNode + " of " + dtype + " is " + numel + " elements = "
                    + numel * dtype.bytes + " bytes, but data_offsets [" + begin + ", " + end + ") hold "
                    + (end - begin) + " bytes");
        }
        return new Entry(name, dtype, shape, (int) numel, begin, end);
    }

    private static boolean isOffset(JsonNode n) {
        return n.isIntegralNumber() && n.canConvertToLong() && n.longValue() >= 0;
    }

    /** The entries, sorted by offset, must cover the data buffer exactly: no gap, no overlap, nothing left over. */
    private static void checkTiling(String op, Path path, List<Entry> sorted, long dataLength) {
        long expected = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin < expected) {
                throw fail(op, path, e.name, "data_offsets [" + e.begin + ", " + e.end + ") overlap those of '"
                        + previous.name + "' [" + previous.begin + ", " + previous.end + ")");
            }
            if (e.begin > expected) {
                throw fail(op, path, e.name, "data_offsets [" + e.begin + ", " + e.end + ") leave bytes ["
                        + expected + ", " + e.begin + ") of the data to no tensor");
            }
            expected = e.end;
            previous = e;
        }
        if (expected != dataLength) {
            throw fail(op, path, null, "bytes [" + expected + ", " + dataLength
                    + ") at the end of the data belong to no tensor");
        }
    }

    static SafetensorsException fail(String op, Path path, String entry, String message) {
        return new SafetensorsException(op, path, entry, message, null);
    }
}
