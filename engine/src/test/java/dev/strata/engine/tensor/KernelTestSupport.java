package dev.strata.engine.tensor;

import dev.strata.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/** Scalar and vector kernels of every type behind one interface, and random tensors for tests. */
final class KernelTestSupport {
    static final GgmlType[] TYPES = {GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0,
        GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K,
        GgmlType.Q6_K, GgmlType.Q8_K};

    /** The signature shared by every scalar and vector dot kernel. */
    interface DotKernel {
        float dot(MemorySegment data, long offset, float[] x, int xOffset, int length);
    }

    /** The signature of the scalar reference dequantization kernels. */
    interface DequantizeKernel {
        void dequantize(MemorySegment data, long offset, float[] out, int outOffset, int length);
    }

    private KernelTestSupport() {}

    /** The scalar dequantization of types that also have a vector one; null for F32 and Q8_K. */
    static DequantizeKernel scalarDequantize(GgmlType type) {
        return switch (type) {
            case F16 -> F16Tensor::scalarDequantize;
            case BF16 -> BF16Tensor::scalarDequantize;
            case Q8_0 -> Q8_0Tensor::scalarDequantize;
            case Q4_0 -> Q4_0Tensor::scalarDequantize;
            case Q4_1 -> Q4_1Tensor::scalarDequantize;
            case Q5_0 -> Q5_0Tensor::scalarDequantize;
            case Q5_1 -> Q5_1Tensor::scalarDequantize;
            case Q2_K -> Q2_KTensor::scalarDequantize;
            case Q3_K -> Q3_KTensor::scalarDequantize;
            case Q4_K -> Q4_KTensor::scalarDequantize;
            case Q5_K -> Q5_KTensor::scalarDequantize;
            case Q6_K -> Q6_KTensor::scalarDequantize;
            default -> null;
        };
    }

    /** Parameter source: every supported type. */
    static GgmlType[] types() {
        return TYPES.clone();
    }

    static DotKernel scalar(GgmlType type) {
        return switch (type) {
            case F32 -> F32Tensor::scalarDot;
            case F16 -> F16Tensor::scalarDot;
            case BF16 -> BF16Tensor::scalarDot;
            case Q8_0 -> Q8_0Tensor::scalarDot;
            case Q4_0 -> Q4_0Tensor::scalarDot;
            case Q4_1 -> Q4_1Tensor::scalarDot;
            case Q5_0 -> Q5_0Tensor::scalarDot;
            case Q5_1 -> Q5_1Tensor::scalarDot;
            case Q2_K -> Q2_KTensor::scalarDot;
            case Q3_K -> Q3_KTensor::scalarDot;
            case Q4_K -> Q4_KTensor::scalarDot;
            case Q5_K -> Q5_KTensor::scalarDot;
            case Q6_K -> Q6_KTensor::scalarDot;
            case Q8_K -> Q8_KTensor::scalarDot;
            default -> throw new IllegalArgumentException(type.toString());
        };
    }

    static DotKernel vector(GgmlType type) {
        return switch (type) {
            case F32 -> F32Tensor.Simd::dot;
            case F16 -> F16Tensor.Simd::dot;
            case BF16 -> BF16Tensor.Simd::dot;
            case Q8_0 -> Q8_0Tensor.Simd::dot;
            case Q4_0 -> Q4_0Tensor.Simd::dot;
            case Q4_1 -> Q4_1Tensor.Simd::dot;
            case Q5_0 -> Q5_0Tensor.Simd::dot;
            case Q5_1 -> Q5_1Tensor.Simd::dot;
            case Q2_K -> Q2_KTensor.Simd::dot;
            case Q3_K -> Q3_KTensor.Simd::dot;
            case Q4_K -> Q4_KTensor.Simd::dot;
            case Q5_K -> Q5_KTensor.Simd::dot;
            case Q6_K -> Q6_KTensor.Simd::dot;
            case Q8_K -> Q8_KTensor.Simd::dot;
            default -> throw new IllegalArgumentException(type.toString());
        };
    }

    static float[] gaussian(Random random, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian() * scale;
        }
        return v;
    }

    /** ggml's test-quantize-fns data: {@code 0.1 + 2 cos(i + offset)}. */
    static float[] cosine(int n, float offset) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = 0.1f + 2 * (float) Math.cos(i + offset);
        }
        return v;
    }

    /** A tensor of {@code type} holding {@code values} (quantized with {@link Quantizer}). */
    static MemorySegment quantized(GgmlType type, float[] values) {
        return MemorySegment.ofArray(Quantizer.quantize(type, values));
    }
}
