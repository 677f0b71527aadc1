package dev.strata.engine.gguf;

import dev.strata.engine.EngineException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The parsed front of a GGUF file: version, metadata, tensor table and where the data starts. */
record GgufHeader(int version, Map<String, GgufValue> metadata, List<GgufTensorInfo> tensors, int alignment,
        long dataOffset) {

    /** ggml's GGML_MAX_DIMS. */
    static final int MAX_DIMS = 4;
    /** Nesting limit for arrays of arrays, so a hostile file cannot recurse deeply. */
    private static final int MAX_ARRAY_DEPTH = 8;
    /** Smallest tensor info: empty name (8), n_dims (4), type (4), offset (8). */
    private static final int MIN_TENSOR_INFO_BYTES = 24;
    /** Smallest key/value pair: empty key (8), type (4), one byte of value. */
    private static final int MIN_KV_BYTES = 13;

    static GgufHeader parse(MemorySegment file) {
        GgufCursor in = new GgufCursor(file);
        if (file.byteSize() < 4) {
            throw new EngineException.InvalidModelFile("not a GGUF file: only " + file.byteSize() + " bytes");
        }
        int magic = in.i32("magic");
        if (magic != GgufFile.MAGIC) {
            throw new EngineException.InvalidModelFile(String.format("not a GGUF file: magic 0x%08x, expected 0x%08x (\"GGUF\")",
                    magic, GgufFile.MAGIC));
        }
        int version = in.i32("version");
        if (version != 2 && version != 3) {
            throw new EngineException.Unsupported("unsupported GGUF version " + Integer.toUnsignedString(version)
                    + " (Strata reads versions 2 and 3)");
        }
        int tensorCount = in.count("tensor count", MIN_TENSOR_INFO_BYTES);
        int kvCount = in.count("metadata count", MIN_KV_BYTES);

        Map<String, GgufValue> metadata = new LinkedHashMap<>();
        for (int i = 0; i < kvCount; i++) {
            String key = in.string("metadata key #" + i);
            int typeId = in.i32("type of " + key);
            GgufValueType type = GgufValueType.fromId(typeId)
                    .orElseThrow(() -> in.corrupt("metadata " + key + " has unknown value type " + typeId));
            GgufValue value = readValue(in, type, key, 0);
            if (metadata.putIfAbsent(key, value) != null) {
                throw in.corrupt("duplicate metadata key " + key);
            }
        }
        int alignment = alignment(metadata, in);

        List<GgufTensorInfo> infos = new ArrayList<>(tensorCount);
        long[] rawOffsets = new long[tensorCount];
        GgmlType[] types = new GgmlType[tensorCount];
        String[] names = new String[tensorCount];
        long[][] shapes = new long[tensorCount][];
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < tensorCount; i++) {
            String name = in.string("name of tensor #" + i);
            if (!seen.add(name)) {
                throw in.corrupt("duplicate tensor " + name);
            }
            int numDims = in.i32("dimension count of " + name);
            if (numDims < 1 || numDims > MAX_DIMS) {
                throw in.corrupt("tensor " + name + " has " + Integer.toUnsignedString(numDims)
                        + " dimensions (1 to " + MAX_DIMS + " allowed)");
            }
            long[] shape = new long[numDims];
            for (int d = 0; d < numDims; d++) {
                shape[d] = in.i64("dimension " + d + " of " + name);
                if (shape[d] < 0) {
                    throw in.corrupt("tensor " + name + " dimension " + d + " is " + Long.toUnsignedString(shape[d]));
                }
            }
            int typeId = in.i32("type of " + name);
            types[i] = GgmlType.fromId(typeId)
                    .orElseThrow(() -> new EngineException.Unsupported("tensor " + name + " has unknown ggml type " + typeId));
            rawOffsets[i] = in.i64("offset of " + name);
            names[i] = name;
            shapes[i] = shape;
        }
        long dataOffset = alignUp(in.position(), alignment);
        long dataSize = file.byteSize() - dataOffset;
        for (int i = 0; i < tensorCount; i++) {
            long elements = numElements(shapes[i], names[i], in);
            long size = types[i].sizeBytes(elements);
            if (size < 0 || shapes[i][0] % types[i].blockSize() != 0) {
                throw in.corrupt("tensor " + names[i] + " of type " + types[i] + " has row length " + shapes[i][0]
                        + ", not a multiple of its block size " + types[i].blockSize());
            }
            long offset = rawOffsets[i];
            if (offset < 0 || offset % alignment != 0) {
                throw in.corrupt("tensor " + names[i] + " offset " + Long.toUnsignedString(offset)
                        + " is not a multiple of the alignment " + alignment);
            }
            if (dataSize < 0 || offset > dataSize || size > dataSize - offset) {
                throw new EngineException.InvalidModelFile("truncated GGUF file: tensor " + names[i] + " needs bytes "
                        + offset + ".." + (offset + size) + " of the data section, which has " + Math.max(0, dataSize));
            }
            infos.add(new GgufTensorInfo(names[i], types[i], shapes[i], offset, size));
        }
        return new GgufHeader(version, metadata, infos, alignment, dataOffset);
    }

    private static int alignment(Map<String, GgufValue> metadata, GgufCursor in) {
        GgufValue value = metadata.get(GgufFile.ALIGNMENT_KEY);
        if (value == null) {
            return GgufFile.DEFAULT_ALIGNMENT;
        }
        if (!(value instanceof GgufValue.Scalar s) || s.type() != GgufValueType.UINT32) {
            throw in.corrupt(GgufFile.ALIGNMENT_KEY + " must be a uint32, found " + value.type());
        }
        long a = (Long) s.value();
        if (a <= 0 || a > (1 << 30) || Long.bitCount(a) != 1) {
            throw in.corrupt(GgufFile.ALIGNMENT_KEY + " = " + a + " is not a power of two");
        }
        return (int) a;
    }

    private static long numElements(long[] shape, String name, GgufCursor in) {
        long n = 1;
        for (long d : shape) {
            if (d != 0 && n > Long.MAX_VALUE / d) {
                throw in.corrupt("tensor " + name + " has too many elements");
            }
            n *= d;
        }
        return n;
    }

    static long alignUp(long offset, int alignment) {
        return (offset + alignment - 1) / alignment * alignment;
    }

    private static GgufValue readValue(GgufCursor in, GgufValueType type, String key, int depth) {
        if (type == GgufValueType.ARRAY) {
            return readArray(in, key, depth);
        }
        Object value = switch (type) {
            case UINT8 -> in.i8(key) & 0xFF;
            case INT8 -> in.i8(key);
            case UINT16 -> in.i16(key) & 0xFFFF;
            case INT16 -> in.i16(key);
            case UINT32 -> in.i32(key) & 0xFFFF_FFFFL;
            case INT32 -> in.i32(key);
            case FLOAT32 -> in.f32(key);
            case BOOL -> readBool(in, key);
            case STRING -> in.string(key);
            case UINT64, INT64 -> in.i64(key);
            case FLOAT64 -> in.f64(key);
            case ARRAY -> throw new AssertionError();
        };
        return new GgufValue.Scalar(type, value);
    }

    private static boolean readBool(GgufCursor in, String key) {
        byte b = in.i8(key);
        if (b != 0 && b != 1) {
            throw in.corrupt("metadata " + key + " is a bool with value " + (b & 0xFF));
        }
        return b == 1;
    }

    private static GgufValue.Array readArray(GgufCursor in, String key, int depth) {
        if (depth >= MAX_ARRAY_DEPTH) {
            throw in.corrupt("metadata " + key + " nests arrays deeper than " + MAX_ARRAY_DEPTH);
        }
        int typeId = in.i32("element type of " + key);
        GgufValueType type = GgufValueType.fromId(typeId)
                .orElseThrow(() -> in.corrupt("metadata " + key + " has unknown element type " + typeId));
        int n = in.count("length of " + key, type.minSizeBytes());
        String what = key;
        return switch (type) {
            case UINT8, INT8 -> {
                byte[] a = new byte[n];
                for (int i = 0; i < n; i++) {
                    a[i] = in.i8(what);
                }
                yield new GgufValue.Array(type, a);
            }
            case UINT16, INT16 -> {
                short[] a = new short[n];
                for (int i = 0; i < n; i++) {
                    a[i] = in.i16(what);
                }
                yield new GgufValue.Array(type, a);
            }
            case UINT32, INT32 -> {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) {
                    a[i] = in.i32(what);
                }
                yield new GgufValue.Array(type, a);
            }
            case UINT64, INT64 -> {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) {
                    a[i] = in.i64(what);
                }
                yield new GgufValue.Array(type, a);
            }
            case FLOAT32 -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) {
                    a[i] = in.f32(what);
                }
                yield new GgufValue.Array(type, a);
            }
            case FLOAT64 -> {
                double[] a = new double[n];
                for (int i = 0; i < n; i++) {
                    a[i] = in.f64(what);
                }
                yield new GgufValue.Array(type, a);
            }
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) {
                    a[i] = readBool(in, what);
                }
                yield new GgufValue.Array(type, a);
            }
            case STRING -> {
                String[] a = new String[n];
                for (int i = 0; i < n; i++) {
                    a[i] = in.string(what);
                }
                yield new GgufValue.Array(type, a);
            }
            case ARRAY -> {
                GgufValue.Array[] a = new GgufValue.Array[n];
                for (int i = 0; i < n; i++) {
                    a[i] = readArray(in, what, depth + 1);
                }
                yield new GgufValue.Array(type, a);
            }
        };
    }
}
