package dev.tensorj;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tensorj.SafetensorsHeader.Entry;
import dev.tensorj.SafetensorsHeader.FileDType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Tensors in <a href="https://huggingface.co/docs/safetensors">safetensors</a> files, the format
 * Hugging Face and PyTorch users share weights in, as the {@code safetensors.torch} functions
 * {@code save_file} and {@code load_file}. A file is an 8-byte little-endian header length, a JSON
 * header mapping each name to its {@code dtype}, {@code shape} and {@code data_offsets}
 * ({@code [begin, end)} from the first byte after the header), and an optional
 * {@code __metadata__} object of strings; then the raw little-endian data.
 * <pre>{@code
 * Safetensors.save(model.stateDict(), Path.of("model.safetensors"));
 * model.loadStateDict(Safetensors.load(Path.of("model.safetensors")));
 * }</pre>
 *
 * <p>Written: float32 as {@code F32}, int64 as {@code I64}, bool as {@code BOOL}, each tensor's
 * data in the map's order, the header padded with spaces so the data starts 8-byte aligned (as the
 * reference writer does). The file is written beside the target and moved over it when complete,
 * so a failed save leaves no partial file. It gets the permissions of any new file (on POSIX those
 * the umask leaves, as a file the reference writer creates); a file it replaces is replaced, not
 * rewritten, so that file's own permissions are not kept. Read: {@code F32}, {@code I64},
 * {@code BOOL}, and {@code F16}, {@code BF16}, {@code F64} converted to float32 (tensorj has no
 * such dtypes).
 *
 * <p>Reading maps the file into memory and trusts none of it: the whole header is checked against
 * the file before any tensor is made (a header length past the end or over 100 MB, invalid JSON,
 * duplicate names, an unknown dtype, a shape that does not match its bytes, offsets out of range,
 * overlapping or not covering the data exactly, and a {@code BOOL} byte other than 0 or 1 each
 * throw a {@link SafetensorsException} naming the file and the entry), and a load that fails
 * releases what it made: it returns everything or nothing.
 */
public final class Safetensors {
    private static final String SAVE = "Safetensors.save";
    private static final String LOAD = "Safetensors.load";
    /** Data is copied through windows of this many bytes (a multiple of 8), so no mapping or buffer is huge. */
    private static final int WINDOW = 1 << 24;
    /** Names temporary files as {@code Files.createTempFile} does (not tensorj's generator: a checkpoint saves that). */
    private static final SecureRandom TEMP_NAMES = new SecureRandom();

    private Safetensors() {}

    /**
     * Writes {@code tensors} to {@code path}, replacing the file if it exists, as {@code save_file(tensors, path)}.
     *
     * @throws SafetensorsException for the name {@code __metadata__}, or a tensor on the meta device
     * @throws TensorClosedException if a tensor is closed
     * @throws IOException if the file cannot be written
     */
    public static void save(Map<String, Tensor> tensors, Path path) throws IOException {
        save(tensors, path, Map.of());
    }

    /**
     * Writes {@code tensors} and the string pairs {@code metadata} (the header's
     * {@code __metadata__}, left out when empty) to {@code path}, as
     * {@code save_file(tensors, path, metadata)}.
     *
     * @throws SafetensorsException for the name {@code __metadata__}, or a tensor on the meta device
     * @throws TensorClosedException if a tensor is closed
     * @throws IOException if the file cannot be written
     */
    public static void save(Map<String, Tensor> tensors, Path path, Map<String, String> metadata) throws IOException {
        Dispatch.nonNull(SAVE, "tensors", tensors);
        Dispatch.nonNull(SAVE, "path", path);
        Dispatch.nonNull(SAVE, "metadata", metadata);
        ObjectNode header = SafetensorsHeader.JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject(SafetensorsHeader.METADATA);
            metadata.forEach((k, v) -> meta.put(Objects.requireNonNull(k, SAVE + ": a metadata key is null"),
                    Objects.requireNonNull(v, SAVE + ": the metadata value of '" + k + "' is null")));
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), SAVE + ": a tensor name is null");
            Tensor t = Objects.requireNonNull(e.getValue(), SAVE + ": the tensor '" + name + "' is null");
            if (name.equals(SafetensorsHeader.METADATA)) {
                throw SafetensorsHeader.fail(SAVE, path, name, "the name is reserved for the metadata");
            }
            t.checkOpen(SAVE, name);
            if (t.device().isMeta()) {
                throw SafetensorsHeader.fail(SAVE, path, name, "a meta tensor holds no data to write");
            }
            ObjectNode entry = header.putObject(name);
            entry.put("dtype", FileDType.of(t.dtype()).name());
            Arrays.stream(t.shape()).forEach(entry.putArray("shape")::add);
            long end = offset + t.numel() * t.dtype().byteSize();
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = headerBytes(path, header);
        Path target = path.toAbsolutePath();
        Path temp = createTemp(target);
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.allocate(WINDOW).order(ByteOrder.LITTLE_ENDIAN);
                buf.putLong(json.length).put(json);
                for (Tensor t : tensors.values()) {
                    writeData(out, buf, t);
                }
                flush(out, buf);
            }
            move(temp, target);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * A new empty file beside {@code target} under a random name. Made as any new file is
     * ({@code O_CREAT | O_EXCL}, the default permissions: the umask's on POSIX), not with
     * {@code Files.createTempFile}, which makes it readable by its owner only (0600) and would pass
     * that on to the saved file. {@code O_EXCL} never opens a file or link that is already there.
     */
    private static Path createTemp(Path target) throws IOException {
        String prefix = target.getFileName().toString();
        for (int attempt = 1; ; attempt++) {
            Path temp = target.resolveSibling(prefix + Long.toUnsignedString(TEMP_NAMES.nextLong()) + ".tmp");
            try {
                return Files.createFile(temp);
            } catch (FileAlreadyExistsException e) {
                if (attempt == 100) {
                    throw e;
                }
            }
        }
    }

    /** The header as JSON, padded with spaces to a multiple of 8 bytes. */
    private static byte[] headerBytes(Path path, ObjectNode header) {
        byte[] json;
        try {
            json = SafetensorsHeader.JSON.writeValueAsBytes(header);
        } catch (JsonProcessingException e) {
            throw new SafetensorsException(SAVE, path, null, "the header cannot be written as JSON", e);
        }
        int padded = (json.length + 7) / 8 * 8;
        if (padded > SafetensorsHeader.MAX_HEADER_BYTES) {
            throw SafetensorsHeader.fail(SAVE, path, null, "the header would be " + padded
                    + " bytes, over the 100 MB that readers accept");
        }
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static void writeData(FileChannel out, ByteBuffer buf, Tensor t) throws IOException {
        switch (t.dtype()) {
            case FLOAT32:
                for (float v : t.toFloatArray()) {
                    room(out, buf, 4).putFloat(v);
                }
                break;
            case INT64:
                for (long v : t.toLongArray()) {
                    room(out, buf, 8).putLong(v);
                }
                break;
            case BOOL:
                for (boolean v : t.toBooleanArray()) {
                    room(out, buf, 1).put((byte) (v ? 1 : 0));
                }
                break;
            default:
                throw new AssertionError(t.dtype());
        }
    }

    private static ByteBuffer room(FileChannel out, ByteBuffer buf, int bytes) throws IOException {
        if (buf.remaining() < bytes) {
            flush(out, buf);
        }
        return buf;
    }

    private static void flush(FileChannel out, ByteBuffer buf) throws IOException {
        buf.flip();
        while (buf.hasRemaining()) {
            out.write(buf);
        }
        buf.clear();
    }

    private static void move(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * The tensors of a safetensors file, on the cpu, in the order their data lies in the file, as
     * {@code load_file(path)}.
     *
     * @throws SafetensorsException if the file is malformed (see the class description)
     * @throws IOException if the file cannot be read
     */
    public static Map<String, Tensor> load(Path path) throws IOException {
        return load(path, Device.CPU);
    }

    /**
     * The tensors of a safetensors file, on {@code device}, as {@code load_file(path, device)}: each is
     * read on the host and moved to the device; on any failure every tensor made so far is closed.
     *
     * @throws SafetensorsException if the file is malformed (see the class description)
     * @throws IOException if the file cannot be read
     * @throws CudaUnavailableException if {@code device} cannot be used
     */
    public static Map<String, Tensor> load(Path path, Device device) throws IOException {
        Dispatch.nonNull(LOAD, "path", path);
        Dispatch.nonNull(LOAD, "device", device);
        try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ)) {
            SafetensorsHeader header = SafetensorsHeader.read(LOAD, path, in);
            Map<String, Tensor> out = new LinkedHashMap<>();
            try {
                for (Entry e : header.entries) {
                    Tensor host = read(path, in, header.dataStart, e);
                    try {
                        out.put(e.name(), host.to(device));
                    } finally {
                        if (!device.isCpu()) {
                            host.close();
                        }
                    }
                }
            } catch (IOException | RuntimeException | Error failure) {
                out.values().forEach(Tensor::close);
                throw failure;
            }
            return Collections.unmodifiableMap(out);
        }
    }

    /**
     * The {@code __metadata__} of a safetensors file (empty when it has none), read from its checked header.
     *
     * @throws SafetensorsException if the file is malformed (see the class description)
     * @throws IOException if the file cannot be read
     */
    public static Map<String, String> metadata(Path path) throws IOException {
        Dispatch.nonNull("Safetensors.metadata", "path", path);
        try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ)) {
            return SafetensorsHeader.read("Safetensors.metadata", path, in).metadata;
        }
    }

    /** One entry's data as a cpu tensor, read through memory-mapped windows of the file. */
    private static Tensor read(Path path, FileChannel in, long dataStart, Entry e) throws IOException {
        int n = e.numel();
        int size = e.dtype().bytes;
        float[] floats = e.dtype().target == DType.FLOAT32 ? new float[n] : null;
        long[] longs = e.dtype() == FileDType.I64 ? new long[n] : null;
        boolean[] bools = e.dtype() == FileDType.BOOL ? new boolean[n] : null;
        int perWindow = WINDOW / size;
        for (int first = 0; first < n; first += perWindow) {
            int count = Math.min(perWindow, n - first);
            ByteBuffer b = in.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin() + (long) first * size,
                    (long) count * size).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = first; i < first + count; i++) {
                switch (e.dtype()) {
                    case F32: floats[i] = b.getFloat(); break;
                    case F64: floats[i] = (float) b.getDouble(); break;
                    case F16: floats[i] = halfToFloat(b.getShort()); break;
                    case BF16: floats[i] = Float.intBitsToFloat((b.getShort() & 0xffff) << 16); break;
                    case I64: longs[i] = b.getLong(); break;
                    case BOOL: bools[i] = bool(path, e, i, b.get()); break;
                    default: throw new AssertionError(e.dtype());
                }
            }
        }
        Tensor t = floats != null ? Tensor.of(floats, e.shape())
                : longs != null ? Tensor.of(longs, e.shape()) : Tensor.of(bools, e.shape());
        if (e.shape().length > 0) {
            return t;
        }
        Tensor scalar = t.reshape(); // Tensor.of makes a 1-d tensor of an empty shape
        t.close();
        return scalar;
    }

    private static boolean bool(Path path, Entry e, int index, byte b) {
        if (b != 0 && b != 1) {
            throw SafetensorsHeader.fail(LOAD, path, e.name(), "element " + index + " is the byte " + (b & 0xff)
                    + ", not a bool (0 or 1)");
        }
        return b == 1;
    }

    /** An IEEE 754 half (binary16) as a float, exactly: every half is a float. */
    static float halfToFloat(short half) {
        int bits = half & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) { // infinity or NaN (its payload kept)
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) { // zero or subnormal: mantissa · 2^-24
            float v = mantissa * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }
}
