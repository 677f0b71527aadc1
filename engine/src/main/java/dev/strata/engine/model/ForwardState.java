package dev.strata.engine.model;

/**
 * Scratch buffers of forward passes, allocated once for up to {@code maxTokens} tokens and
 * {@code maxLogits} logit rows per pass. One state serves one forward pass at a time. Shapes are
 * row-major, one row per batch token (n = tokens in the pass).
 */
public final class ForwardState {
    final int maxTokens;
    final int maxLogits;
    /** [n, d] residual stream. */
    final float[] x;
    /** [n, d] normalized input of a sub-block, then its output. */
    final float[] xb;
    /** [n, H*hd], [n, Hkv*hd], [n, Hkv*hv]: projections. */
    final float[] q;
    final float[] k;
    final float[] v;
    /** [n, H*hv] attention output before the output projection. */
    final float[] att;
    /** [n, ffn] gate and up projections. */
    final float[] hb;
    final float[] hb2;
    /** [n, pairs] rope angles of each token, for full-attention and sliding-window layers. */
    final float[] cos;
    final float[] sin;
    final float[] slidingCos;
    final float[] slidingSin;
    /** [chunk][context] attention scores, one row per parallel chunk. */
    final float[][] scores;
    /** [maxLogits, vocab] output logits. */
    final float[] logits;

    public ForwardState(ModelConfig config, int maxTokens, int maxLogits, int parallelChunks) {
        if (maxTokens < 1 || maxLogits < 1 || maxLogits > maxTokens || parallelChunks < 1) {
            throw new IllegalArgumentException("need 1 <= maxLogits <= maxTokens and parallelChunks >= 1, got "
                    + maxLogits + ", " + maxTokens + ", " + parallelChunks);
        }
        this.maxTokens = maxTokens;
        this.maxLogits = maxLogits;
        int d = config.embeddingLength();
        x = new float[maxTokens * d];
        xb = new float[maxTokens * d];
        q = new float[maxTokens * config.queryWidth()];
        k = new float[maxTokens * config.keyWidth()];
        v = new float[maxTokens * config.valueWidth()];
        att = new float[maxTokens * config.numHeads() * config.valueLength()];
        hb = new float[maxTokens * config.feedForwardLength()];
        hb2 = new float[maxTokens * config.feedForwardLength()];
        cos = new float[maxTokens * config.rope().dimensions() / 2];
        sin = new float[cos.length];
        slidingCos = new float[maxTokens * config.slidingRope().dimensions() / 2];
        slidingSin = new float[slidingCos.length];
        scores = new float[parallelChunks][config.contextLength()];
        logits = new float[maxLogits * config.vocabSize()];
    }

    public int maxTokens() {
        return maxTokens;
    }

    public int maxLogits() {
        return maxLogits;
    }
}
