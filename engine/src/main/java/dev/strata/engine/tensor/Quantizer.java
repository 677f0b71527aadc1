package dev.strata.engine.tensor;

import dev.strata.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Converts float32 values to any {@link FloatTensor} type, following ggml's reference quantizers
 * ({@code quantize_row_*_ref} in {@code ggml-quants.c}, which {@code llama-quantize} also uses when
 * no importance matrix is given). Q8_0, Q4_0, Q4_1, Q5_0 and Q5_1 are bit-exact with ggml's
 * reference; the K-quants run the same scale searches in the same float arithmetic (no fused
 * multiply-add), so they match a reference build compiled without FMA contraction.
 *
 * <p>Rows are independent: quantizing a matrix row by row or all at once gives the same bytes.
 */
public final class Quantizer {
    private Quantizer() {}

    /** Types {@link #quantize} can produce (all types {@link FloatTensor} reads). */
    public static boolean supports(GgmlType type) {
        return FloatTensor.supports(type);
    }

    /**
     * Quantizes {@code src} to a new array of {@code type.sizeBytes(src.length)} bytes.
     *
     * @throws IllegalArgumentException if the type is unsupported or {@code src.length} is not a
     *     multiple of its block size
     */
    public static byte[] quantize(GgmlType type, float[] src) {
        long size = checkedSize(type, src.length);
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(src.length + " " + type + " elements do not fit a byte array");
        }
        byte[] out = new byte[(int) size];
        quantize(type, src, 0, src.length, MemorySegment.ofArray(out), 0);
        return out;
    }

    /**
     * Quantizes {@code src[srcOffset, srcOffset + length)} into {@code dst} at {@code dstOffset},
     * writing {@code type.sizeBytes(length)} bytes.
     */
    public static void quantize(GgmlType type, float[] src, int srcOffset, int length, MemorySegment dst,
            long dstOffset) {
        Objects.requireNonNull(dst, "dst");
        long size = checkedSize(type, length);
        Objects.checkFromIndexSize(srcOffset, length, src.length);
        Objects.checkFromIndexSize(dstOffset, size, dst.byteSize());
        switch (type) {
            case F32 -> F32Tensor.quantize(src, srcOffset, length, dst, dstOffset);
            case F16 -> F16Tensor.quantize(src, srcOffset, length, dst, dstOffset);
            case BF16 -> BF16Tensor.quantize(src, srcOffset, length, dst, dstOffset);
            case Q8_0 -> Q8_0Tensor.quantize(src, srcOffset, length, dst, dstOffset);
            case Q4_0 -> Q4_0Tensor.quantize(src, srcOffset, length, dst, dstOffset);
            case Q4_1 -> Q4_1Tensor.quantize(src, srcOffset, length, dst, dstOffset);
            case Q5_0 -> Q5_0Tensor.quantize(src, srcOffset, length, dst, dstOffset);
            case Q5_1 -> Q5_1Tensor.quantize(src, srcOffset, length, dst, dstOffset);
            case Q2_K -> Q2_KTensor.quantize(src, srcOffset, length, dst, dstOffset);
            case Q3_K -> Q3_KTensor.quantize(src, srcOffset, length, dst, dstOffset);
            case Q4_K -> Q4_KTensor.quantize(src, srcOffset, length, dst, dstOffset);
            case Q5_K -> Q5_KTensor.quantize(src, srcOffset, length, dst, dstOffset);
            case Q6_K -> Q6_KTensor.quantize(src, srcOffset, length, dst, dstOffset);
            case Q8_K -> Q8_KTensor.quantize(src, srcOffset, length, dst, dstOffset);
            default -> throw new IllegalArgumentException("cannot quantize to " + type);
        }
    }

    private static long checkedSize(GgmlType type, int length) {
        Objects.requireNonNull(type, "type");
        if (!supports(type)) {
            throw new IllegalArgumentException("cannot quantize to " + type);
        }
        long size = type.sizeBytes(length);
        if (size < 0) {
            throw new IllegalArgumentException(length + " elements is not a multiple of " + type + "'s block size "
                    + type.blockSize());
        }
        return size;
    }
}
