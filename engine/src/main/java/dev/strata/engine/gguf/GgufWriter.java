package dev.strata.engine.gguf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a GGUF v3 file: metadata in insertion order, then the tensor table, then tensor data,
 * each tensor aligned to {@link #alignment(int)}. A tensor added with {@code data == null} is left as
 * a hole (all zeros, sparse on file systems that support it). The file is written to a temporary
 * name beside the target and moved into place, so a failed write never leaves a half file.
 */
public final class GgufWriter {
    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<PendingTensor> tensors = new ArrayList<>();
    private int alignment = GgufFile.DEFAULT_ALIGNMENT;

    private record PendingTensor(String name, GgmlType type, long[] shape, long sizeBytes, MemorySegment data) {}

    /** Sets the data alignment and records it as {@code general.alignment} when not the default. */
    public GgufWriter alignment(int alignment) {
        if (alignment <= 0 || Integer.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two, got " + alignment);
        }
        this.alignment = alignment;
        if (alignment != GgufFile.DEFAULT_ALIGNMENT) {
            metadata.put(GgufFile.ALIGNMENT_KEY, new GgufValue.Scalar(GgufValueType.UINT32, (long) alignment));
        } else {
            metadata.remove(GgufFile.ALIGNMENT_KEY);
        }
        return this;
    }

    public GgufWriter put(String key, GgufValue value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        metadata.put(key, value);
        return this;
    }

    public GgufWriter putString(String key, String value) {
        return put(key, new GgufValue.Scalar(GgufValueType.STRING, value));
    }

    public GgufWriter putUInt32(String key, long value) {
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(key + ": " + value + " does not fit a uint32");
        }
        return put(key, new GgufValue.Scalar(GgufValueType.UINT32, value));
    }

    public GgufWriter putInt32(String key, int value) {
        return put(key, new GgufValue.Scalar(GgufValueType.INT32, value));
    }

    public GgufWriter putFloat32(String key, float value) {
        return put(key, new GgufValue.Scalar(GgufValueType.FLOAT32, value));
    }

    public GgufWriter putBool(String key, boolean value) {
        return put(key, new GgufValue.Scalar(GgufValueType.BOOL, value));
    }

    public GgufWriter putArray(String key, GgufValueType elementType, Object javaArray) {
        return put(key, new GgufValue.Array(elementType, javaArray));
    }

    /** Copies all metadata of {@code source} except its alignment. */
    public GgufWriter putAll(Map<String, GgufValue> source) {
        source.forEach((k, v) -> {
            if (!k.equals(GgufFile.ALIGNMENT_KEY)) {
                put(k, v);
            }
        });
        return this;
    }

    /**
     * Adds a tensor. {@code shape} is in ggml order (innermost first); {@code data} must hold
     * exactly the tensor's bytes, or be null for an all-zero tensor.
     */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, MemorySegment data) {
        long elements = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(name + ": negative dimension");
            }
            elements = Math.multiplyExact(elements, d);
        }
        if (shape.length == 0 || shape.length > GgufHeader.MAX_DIMS) {
            throw new IllegalArgumentException(name + ": " + shape.length + " dimensions");
        }
        long size = type.sizeBytes(elements);
        if (size < 0 || shape[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException(name + ": row length " + shape[0] + " is not a multiple of "
                    + type + "'s block size " + type.blockSize());
        }
        if (data != null && data.byteSize() != size) {
            throw new IllegalArgumentException(name + ": expected " + size + " bytes of data, got " + data.byteSize());
        }
        tensors.add(new PendingTensor(name, type, shape.clone(), size, data));
        return this;
    }

    public GgufWriter addTensor(String name, GgmlType type, long[] shape, byte[] data) {
        return addTensor(name, type, shape, MemorySegment.ofArray(data));
    }

    /** The metadata as it will be written (tests compare it with what a reader gets back). */
    Map<String, GgufValue> metadataForTest() {
        return java.util.Collections.unmodifiableMap(metadata);
    }

    /** Writes the file; returns its size in bytes. */
    public long write(Path target) {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            long size = writeTo(tmp);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return size;
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    private long writeTo(Path path) throws IOException {
        HeaderBuffer header = new HeaderBuffer();
        header.i32(GgufFile.MAGIC).i32(3).i64(tensors.size()).i64(metadata.size());
        metadata.forEach((key, value) -> {
            header.string(key).i32(value.type().id());
            header.value(value);
        });
        long offset = 0;
        long[] offsets = new long[tensors.size()];
        for (int i = 0; i < tensors.size(); i++) {
            PendingTensor t = tensors.get(i);
            offset = GgufHeader.alignUp(offset, alignment);
            offsets[i] = offset;
            header.string(t.name()).i32(t.shape().length);
            for (long d : t.shape()) {
                header.i64(d);
            }
            header.i32(t.type().id()).i64(offset);
            offset += t.sizeBytes();
        }
        long dataOffset = GgufHeader.alignUp(header.size(), alignment);
        long fileSize = dataOffset + GgufHeader.alignUp(offset, alignment);
        try (FileChannel out = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(out, header.toBuffer(), 0);
            for (int i = 0; i < tensors.size(); i++) {
                MemorySegment data = tensors.get(i).data();
                if (data != null) {
                    writeSegment(out, data, dataOffset + offsets[i]);
                }
            }
            if (out.size() < fileSize) {
                writeFully(out, ByteBuffer.allocate(1), fileSize - 1); // extends the file, leaving holes sparse
            }
        }
        return fileSize;
    }

    /** Writes a segment of any size and backing (native, byte[] or another primitive array) in chunks. */
    private static void writeSegment(FileChannel out, MemorySegment data, long position) throws IOException {
        final int chunk = 1 << 20;
        boolean byteBacked = data.isNative() || data.heapBase().map(b -> b instanceof byte[]).orElse(false);
        byte[] copy = byteBacked ? null : new byte[(int) Math.min(chunk, data.byteSize())];
        for (long done = 0; done < data.byteSize(); done += chunk) {
            MemorySegment part = data.asSlice(done, Math.min(chunk, data.byteSize() - done));
            ByteBuffer buffer;
            if (byteBacked) {
                buffer = part.asByteBuffer();
            } else {
                MemorySegment.copy(part, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, copy, 0, (int) part.byteSize());
                buffer = ByteBuffer.wrap(copy, 0, (int) part.byteSize());
            }
            writeFully(out, buffer, position + done);
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += out.write(buffer, at);
        }
    }

    /** Growable little-endian byte buffer for the header. */
    private static final class HeaderBuffer {
        private ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

        private void ensure(int bytes) {
            if (buf.remaining() < bytes) {
                int capacity = Math.max(buf.capacity() * 2, buf.position() + bytes);
                ByteBuffer bigger = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
        }

        int size() {
            return buf.position();
        }

        ByteBuffer toBuffer() {
            return buf.duplicate().flip();
        }

        HeaderBuffer i8(int v) {
            ensure(1);
            buf.put((byte) v);
            return this;
        }

        HeaderBuffer i16(int v) {
            ensure(2);
            buf.putShort((short) v);
            return this;
        }

        HeaderBuffer i32(int v) {
            ensure(4);
            buf.putInt(v);
            return this;
        }

        HeaderBuffer i64(long v) {
            ensure(8);
            buf.putLong(v);
            return this;
        }

        HeaderBuffer string(String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            i64(bytes.length);
            ensure(bytes.length);
            buf.put(bytes);
            return this;
        }

        void value(GgufValue value) {
            switch (value) {
                case GgufValue.Scalar s -> scalar(s.type(), s.value());
                case GgufValue.Array a -> array(a);
            }
        }

        private void scalar(GgufValueType type, Object v) {
            switch (type) {
                case UINT8, INT8 -> i8(((Number) v).intValue());
                case UINT16, INT16 -> i16(((Number) v).intValue());
                case UINT32, INT32 -> i32((int) ((Number) v).longValue());
                case UINT64, INT64 -> i64(((Number) v).longValue());
                case FLOAT32 -> i32(Float.floatToRawIntBits(((Number) v).floatValue()));
                case FLOAT64 -> i64(Double.doubleToRawLongBits(((Number) v).doubleValue()));
                case BOOL -> i8((Boolean) v ? 1 : 0);
                case STRING -> string((String) v);
                case ARRAY -> throw new IllegalArgumentException("array passed as scalar");
            }
        }

        private void array(GgufValue.Array a) {
            i32(a.elementType().id());
            int n = a.length();
            i64(n);
            Object values = a.values();
            for (int i = 0; i < n; i++) {
                switch (values) {
                    case byte[] b -> i8(b[i]);
                    case short[] s -> i16(s[i]);
                    case int[] x -> i32(x[i]);
                    case long[] l -> i64(l[i]);
                    case float[] f -> i32(Float.floatToRawIntBits(f[i]));
                    case double[] d -> i64(Double.doubleToRawLongBits(d[i]));
                    case boolean[] z -> i8(z[i] ? 1 : 0);
                    case String[] s -> string(s[i]);
                    case GgufValue.Array[] nested -> array(nested[i]);
                    default -> throw new IllegalArgumentException("unsupported array " + values.getClass());
                }
            }
        }
    }
}
