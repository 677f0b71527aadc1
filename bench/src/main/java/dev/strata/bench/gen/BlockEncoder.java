package dev.strata.bench.gen;

import dev.strata.bench.peer.GgmlQuantizer;
import dev.strata.engine.gguf.GgmlType;
import dev.strata.engine.tensor.Quantizer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Turns float rows into the bytes of a tensor type (quantizing when the type is a block type). */
@FunctionalInterface
public interface BlockEncoder {
    /**
     * Encodes {@code values}, whole rows of {@code rowLength}, as {@code type}; returns exactly
     * {@code type.sizeBytes(values.length)} bytes.
     */
    byte[] encode(GgmlType type, float[] values, int rowLength);

    /** F32, F16 and BF16 in Java (round to nearest even, as ggml); refuses block types. */
    static BlockEncoder floats() {
        return BlockEncoder::encodeFloats;
    }

    /** Strata's own quantizer ({@code engine.tensor.Quantizer}, pure Java): every type the engine reads. */
    static BlockEncoder strata() {
        return (type, values, rowLength) -> Quantizer.quantize(type, values);
    }

    /** Float types in Java, block types with ggml's quantizer (llama.cpp loaded on first use). */
    static BlockEncoder withLlamaCppQuantizer() {
        return new BlockEncoder() {
            private GgmlQuantizer quantizer;

            @Override
            public byte[] encode(GgmlType type, float[] values, int rowLength) {
                if (!type.isQuantized()) {
                    return encodeFloats(type, values, rowLength);
                }
                synchronized (this) {
                    if (quantizer == null) {
                        quantizer = GgmlQuantizer.load();
                    }
                }
                return quantizer.quantize(type, values, rowLength);
            }
        };
    }

    private static byte[] encodeFloats(GgmlType type, float[] values, int rowLength) {
        ByteBuffer out;
        switch (type) {
            case F32 -> {
                out = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                out.asFloatBuffer().put(values);
            }
            case F16 -> {
                out = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : values) {
                    out.putShort(Float.floatToFloat16(v));
                }
            }
            case BF16 -> {
                out = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : values) {
                    out.putShort(toBfloat16(v));
                }
            }
            default -> throw new IllegalArgumentException(type + " needs a quantizer (BlockEncoder.withLlamaCppQuantizer)");
        }
        return out.array();
    }

    /** Round to nearest even on the upper 16 bits; NaN stays a quiet NaN. */
    private static short toBfloat16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 64);
        }
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }
}
