/**
 * Tensors, kernels and quantization. {@link dev.strata.engine.tensor.FloatTensor} is a read-only view
 * of weights of one {@link dev.strata.engine.gguf.GgmlType} (usually a slice of the memory-mapped
 * GGUF file, zero copy) with fused dequantize-and-dot kernels; {@link dev.strata.engine.tensor.MatMul}
 * runs matrix-vector and matrix-matrix products over a {@link dev.strata.engine.tensor.ComputePool};
 * {@link dev.strata.engine.tensor.Quantizer} writes every type with ggml's reference algorithms and
 * {@link dev.strata.engine.tensor.ModelQuantizer} converts whole GGUF models.
 *
 * <p>One final package-private class per type ({@code Q4_KTensor} …) holds its block layout as named
 * constants (as ggml's {@code ggml-common.h} defines it), its scalar reference kernels and, in a
 * nested {@code Simd} class, the Vector API kernels with the same signatures; the scalar paths are
 * the oracles of the vector ones in the tests. {@code Kernels} picks one path per JVM.
 */
package dev.strata.engine.tensor;
