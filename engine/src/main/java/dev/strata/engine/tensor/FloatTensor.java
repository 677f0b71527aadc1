package dev.strata.engine.tensor;

import dev.strata.engine.EngineException;
import dev.strata.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * A read-only tensor of {@code size()} logical float elements stored as one {@link GgmlType}. A
 * matrix of {@code rows x cols} is stored row-major: element (r, c) is at index {@code r * cols + c},
 * and every row starts on a block boundary because {@code cols} is a multiple of the block size.
 *
 * <p>Implementations are final package-private classes, one per type, created by {@link #of}.
 */
public abstract class FloatTensor {
    private final long size;

    FloatTensor(long size) {
        this.size = size;
    }

    /**
     * Wraps {@code data} (exactly {@code type.sizeBytes(size)} bytes, e.g. a slice of a mapped
     * GGUF file) as a tensor of {@code size} elements.
     *
     * @throws EngineException.Unsupported for a type without kernels
     */
    public static FloatTensor of(GgmlType type, MemorySegment data, long size) {
        long expected = type.sizeBytes(size);
        if (expected < 0 || expected != data.byteSize()) {
            throw new EngineException.InvalidModelFile("tensor of " + size + " " + type + " elements needs "
                    + expected + " bytes, got " + data.byteSize());
        }
        return switch (type) {
            case F32 -> new F32Tensor(data, size);
            default -> throw new EngineException.Unsupported("tensor type " + type + " is not supported");
        };
    }

    public abstract GgmlType type();

    /** Number of logical elements. */
    public final long size() {
        return size;
    }

    /** Element {@code index}, dequantized. Slow; for tests and one-off reads. */
    public abstract float getFloat(long index);

    /**
     * Dot product of elements {@code [offset, offset + length)} with {@code x[xOffset, xOffset + length)}.
     * For quantized types {@code offset} and {@code length} are multiples of the block size.
     */
    public abstract float dot(long offset, float[] x, int xOffset, int length);

    /** Dequantizes elements {@code [offset, offset + length)} into {@code out[outOffset ...]}. */
    public void dequantize(long offset, float[] out, int outOffset, int length) {
        for (int i = 0; i < length; i++) {
            out[outOffset + i] = getFloat(offset + i);
        }
    }
}
