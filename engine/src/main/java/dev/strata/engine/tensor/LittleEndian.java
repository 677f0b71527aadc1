package dev.strata.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Little-endian, unaligned reads and writes of the scalar fields found in ggml blocks (fp16 and fp32
 * scales, packed 32-bit high-bit masks, bytes). ggml files are little-endian on every platform.
 */
final class LittleEndian {
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private LittleEndian() {}

    /** An IEEE half-precision value at {@code byteOffset}, widened exactly to float. */
    static float f16(MemorySegment data, long byteOffset) {
        return Float.float16ToFloat(data.get(I16, byteOffset));
    }

    /** Stores {@code value} as IEEE half precision, rounded to nearest even (ggml's GGML_FP32_TO_FP16). */
    static void putF16(MemorySegment data, long byteOffset, float value) {
        data.set(I16, byteOffset, Float.floatToFloat16(value));
    }

    /** A bfloat16 value (the high half of a float32) at {@code byteOffset}. */
    static float bf16(MemorySegment data, long byteOffset) {
        return Float.intBitsToFloat((data.get(I16, byteOffset) & 0xFFFF) << 16);
    }

    /**
     * Rounds {@code value} to bfloat16 bits the way ggml does: nearest even, NaN kept quiet
     * (ggml_compute_fp32_to_bf16).
     */
    static short toBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000) {
            return (short) ((bits >>> 16) | 64);
        }
        return (short) ((bits + (0x7FFF + ((bits >>> 16) & 1))) >>> 16);
    }

    static float f32(MemorySegment data, long byteOffset) {
        return data.get(F32, byteOffset);
    }

    static int u8(MemorySegment data, long byteOffset) {
        return data.get(ValueLayout.JAVA_BYTE, byteOffset) & 0xFF;
    }

    static int i8(MemorySegment data, long byteOffset) {
        return data.get(ValueLayout.JAVA_BYTE, byteOffset);
    }

    static int i32(MemorySegment data, long byteOffset) {
        return data.get(I32, byteOffset);
    }

    static long i64(MemorySegment data, long byteOffset) {
        return data.get(I64, byteOffset);
    }

    static void putU8(MemorySegment data, long byteOffset, int value) {
        data.set(ValueLayout.JAVA_BYTE, byteOffset, (byte) value);
    }
}
