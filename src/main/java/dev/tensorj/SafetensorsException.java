package dev.tensorj;

import java.nio.file.Path;

/**
 * A safetensors file that cannot be read or written as it is: a malformed or untrusted header
 * (its length, its JSON, an entry's dtype, shape or data offsets), or a tensor that cannot be
 * stored. The message names the file and, where one is at fault, the entry.
 */
public final class SafetensorsException extends TensorjException {
    private final transient Path path;
    private final String entry;

    SafetensorsException(String op, Path path, String entry, String message, Throwable cause) {
        super(op, path + (entry == null ? "" : ", entry '" + entry + "'") + ": " + message, cause);
        this.path = path;
        this.entry = entry;
    }

    /** The file. */
    public Path path() {
        return path;
    }

    /** The tensor name at fault, or {@code null} when the fault is the file's or its header's as a whole. */
    public String entry() {
        return entry;
    }
}
