package dev.strata.engine.tensor;

import dev.strata.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Plain little-endian float32 elements. */
final class F32Tensor extends FloatTensor {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private final MemorySegment data;

    F32Tensor(MemorySegment data, long size) {
        super(size);
        this.data = data;
    }

    @Override
    public GgmlType type() {
        return GgmlType.F32;
    }

    @Override
    public float getFloat(long index) {
        return data.getAtIndex(F32, index);
    }

    @Override
    public float dot(long offset, float[] x, int xOffset, int length) {
        float sum = 0f;
        for (int i = 0; i < length; i++) {
            sum += data.getAtIndex(F32, offset + i) * x[xOffset + i];
        }
        return sum;
    }
}
