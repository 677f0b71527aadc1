package dev.strata.engine.gguf;

import dev.strata.engine.EngineException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An open GGUF file: its metadata, its tensor table and its tensor data, memory-mapped read-only
 * (zero copy; no 2 GB limit). Closing it unmaps the file; segments handed out before are then invalid.
 */
public final class GgufFile implements AutoCloseable {
    public static final int MAGIC = 0x46554747; // "GGUF" read little-endian
    public static final int DEFAULT_ALIGNMENT = 32;
    public static final String ALIGNMENT_KEY = "general.alignment";

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapped;
    private final int version;
    private final Map<String, GgufValue> metadata;
    private final List<GgufTensorInfo> tensors;
    private final Map<String, GgufTensorInfo> tensorsByName;
    private final int alignment;
    private final long dataOffset;

    private GgufFile(Path path, Arena arena, MemorySegment mapped, GgufHeader header) {
        this.path = path;
        this.arena = arena;
        this.mapped = mapped;
        this.version = header.version();
        this.metadata = Collections.unmodifiableMap(header.metadata());
        this.tensors = List.copyOf(header.tensors());
        Map<String, GgufTensorInfo> byName = new LinkedHashMap<>();
        for (GgufTensorInfo t : tensors) {
            byName.put(t.name(), t);
        }
        this.tensorsByName = Collections.unmodifiableMap(byName);
        this.alignment = header.alignment();
        this.dataOffset = header.dataOffset();
    }

    /**
     * Maps and parses {@code path}.
     *
     * @throws EngineException.InvalidModelFile if the file is missing, unreadable, not GGUF, or corrupt
     * @throws EngineException.Unsupported for GGUF versions other than 2 and 3
     */
    public static GgufFile open(Path path) {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            MemorySegment mapped = size == 0 ? MemorySegment.NULL.reinterpret(0)
                    : channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            GgufHeader header = GgufHeader.parse(mapped);
            return new GgufFile(path, arena, mapped, header);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new EngineException.InvalidModelFile("no such file: " + path);
        } catch (IOException e) {
            arena.close();
            throw new EngineException.InvalidModelFile("cannot read " + path + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public long sizeBytes() {
        return mapped.byteSize();
    }

    /** All metadata in file order. */
    public Map<String, GgufValue> metadata() {
        return metadata;
    }

    /** All tensors in file order. */
    public List<GgufTensorInfo> tensors() {
        return tensors;
    }

    public Optional<GgufTensorInfo> tensor(String name) {
        return Optional.ofNullable(tensorsByName.get(name));
    }

    public int alignment() {
        return alignment;
    }

    /** File offset of the tensor data section. */
    public long dataOffset() {
        return dataOffset;
    }

    /** The bytes of {@code tensor}, a read-only slice of the mapping (no copy). */
    public MemorySegment tensorData(GgufTensorInfo tensor) {
        return mapped.asSlice(dataOffset + tensor.offset(), tensor.sizeBytes());
    }

    // ---- typed metadata access -------------------------------------------------------------

    public Optional<GgufValue> get(String key) {
        return Optional.ofNullable(metadata.get(key));
    }

    public Optional<String> getString(String key) {
        return scalar(key).map(v -> v instanceof String s ? s : null);
    }

    /** An integer value of any integer type; empty if absent, an error if present with another type. */
    public Optional<Long> getLong(String key) {
        return scalar(key).map(v -> switch (v) {
            case Long l -> l;
            case Integer i -> (long) i;
            case Short s -> (long) s;
            case Byte b -> (long) b;
            default -> throw wrongType(key, "an integer");
        });
    }

    public Optional<Integer> getInt(String key) {
        return getLong(key).map(l -> {
            if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
                throw new EngineException.InvalidModelFile("metadata " + key + " = " + l + " is out of range");
            }
            return l.intValue();
        });
    }

    public Optional<Double> getDouble(String key) {
        return scalar(key).map(v -> switch (v) {
            case Float f -> (double) f;
            case Double d -> d;
            case Long l -> (double) l;
            case Integer i -> (double) i;
            default -> throw wrongType(key, "a number");
        });
    }

    public Optional<Boolean> getBoolean(String key) {
        return scalar(key).map(v -> {
            if (v instanceof Boolean b) {
                return b;
            }
            throw wrongType(key, "a bool");
        });
    }

    public Optional<GgufValue.Array> getArray(String key) {
        GgufValue v = metadata.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof GgufValue.Array a) {
            return Optional.of(a);
        }
        throw wrongType(key, "an array");
    }

    private Optional<Object> scalar(String key) {
        GgufValue v = metadata.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof GgufValue.Scalar s) {
            return Optional.of(s.value());
        }
        throw wrongType(key, "a scalar");
    }

    private EngineException.InvalidModelFile wrongType(String key, String expected) {
        return new EngineException.InvalidModelFile("metadata " + key + " should be " + expected + " but is "
                + metadata.get(key).type());
    }

    @Override
    public void close() {
        arena.close();
    }
}
