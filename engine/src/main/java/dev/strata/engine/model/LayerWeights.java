package dev.strata.engine.model;

import dev.strata.engine.tensor.FloatTensor;

/**
 * Read-only weights of one transformer block. Matrices are zero-copy views of the mapped file,
 * stored {@code [out rows][in cols]}; norm vectors and biases are small and copied to float arrays
 * once at load (callers must not write to them). Optional parts are null when the architecture has
 * none.
 *
 * @param wq       [H*hd, d]       @param wk [Hkv*hd, d]      @param wv [Hkv*hv, d]
 * @param wo       [d, H*hv]
 * @param wGate    [ffn, d]        @param wUp [ffn, d]        @param wDown [d, ffn]
 * @param qBias    [H*hd] or null (qwen2)     @param kBias [Hkv*hd] or null   @param vBias [Hkv*hv] or null
 * @param qNorm    [hd] or null (qwen3, gemma3)                @param kNorm [hd] or null
 * @param postAttnNorm [d] or null (gemma2, gemma3)            @param postFfnNorm [d] or null
 */
public record LayerWeights(float[] attnNorm, FloatTensor wq, FloatTensor wk, FloatTensor wv, FloatTensor wo,
        float[] qBias, float[] kBias, float[] vBias, float[] qNorm, float[] kNorm, float[] postAttnNorm,
        float[] ffnNorm, FloatTensor wGate, FloatTensor wUp, FloatTensor wDown, float[] postFfnNorm) {}
