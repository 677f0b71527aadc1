/**
 * Tensors and kernels. {@link dev.strata.engine.tensor.FloatTensor} is a read-only view of weights
 * of one {@link dev.strata.engine.gguf.GgmlType} (usually a slice of the memory-mapped GGUF file, zero
 * copy) with fused dequantize-and-dot kernels; {@link dev.strata.engine.tensor.MatMul} runs
 * matrix-vector and matrix-matrix products over a {@link dev.strata.engine.tensor.ComputePool}.
 * One final package-private class per type; scalar reference paths are the oracles of vector ones.
 */
package dev.strata.engine.tensor;
