package dev.strata.engine.gguf;

import dev.strata.engine.EngineException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A bounds-checked little-endian reader over a mapped file. Every read first checks that the
 * bytes exist, so a lie in the file (a length past its end) becomes an {@link
 * EngineException.InvalidModelFile} that names what was being read and where.
 */
final class GgufCursor {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Largest Java array we are willing to create for one string or metadata array. */
    static final long MAX_JAVA_ARRAY = Integer.MAX_VALUE - 16;

    private final MemorySegment segment;
    private final long size;
    private long position;

    GgufCursor(MemorySegment segment) {
        this.segment = segment;
        this.size = segment.byteSize();
    }

    long position() {
        return position;
    }

    long remaining() {
        return size - position;
    }

    void seek(long newPosition) {
        if (newPosition < 0 || newPosition > size) {
            throw corrupt("offset " + newPosition + " is outside the file (" + size + " bytes)");
        }
        position = newPosition;
    }

    private long take(long bytes, String what) {
        if (bytes < 0 || bytes > remaining()) {
            throw new EngineException.InvalidModelFile("truncated or corrupt GGUF file: " + what + " at offset "
                    + position + " needs " + Long.toUnsignedString(bytes) + " bytes, " + remaining() + " remain");
        }
        long at = position;
        position += bytes;
        return at;
    }

    byte i8(String what) {
        return segment.get(ValueLayout.JAVA_BYTE, take(1, what));
    }

    short i16(String what) {
        return segment.get(I16, take(2, what));
    }

    int i32(String what) {
        return segment.get(I32, take(4, what));
    }

    long i64(String what) {
        return segment.get(I64, take(8, what));
    }

    float f32(String what) {
        return segment.get(F32, take(4, what));
    }

    double f64(String what) {
        return segment.get(F64, take(8, what));
    }

    /** A uint64 count that must fit both the remaining bytes (at {@code minBytesEach}) and a Java array. */
    int count(String what, int minBytesEach) {
        long n = i64(what);
        if (n < 0 || n > MAX_JAVA_ARRAY || (minBytesEach > 0 && n > remaining() / minBytesEach)) {
            throw new EngineException.InvalidModelFile("truncated or corrupt GGUF file: " + what + " "
                    + Long.toUnsignedString(n) + " does not fit in the " + remaining()
                    + " bytes that remain");
        }
        return (int) n;
    }

    /** A GGUF string: uint64 byte length, then UTF-8 bytes (no terminator). */
    String string(String what) {
        int length = count(what + " length", 1);
        long at = take(length, what);
        byte[] bytes = segment.asSlice(at, length).toArray(ValueLayout.JAVA_BYTE);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            // Real vocabularies contain invalid UTF-8 pieces (partial byte sequences); keep them readable.
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    EngineException.InvalidModelFile corrupt(String message) {
        return new EngineException.InvalidModelFile("corrupt GGUF file: " + message);
    }
}
