package dev.strata.engine.model;

import dev.strata.engine.EngineException;
import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.kv.KvCache;
import dev.strata.engine.kv.KvRows;
import dev.strata.engine.tensor.ComputePool;
import dev.strata.engine.tensor.FloatTensor;
import dev.strata.engine.tensor.MatMul;
import dev.strata.engine.tensor.Softmax;

/**
 * A decoder-only transformer: immutable {@link ModelConfig}, read-only {@link ModelWeights} and the
 * batched {@link #forward} pass. Thread-safe as long as each concurrent pass has its own
 * {@link ForwardState} and no two passes touch the same sequence's cache.
 *
 * <p>Notation in comments: n tokens in the pass, d = embedding length, H / Hkv query / key-value
 * heads of hd (keys) and hv (values) floats, ffn = feed-forward length, V = vocabulary.
 */
public final class Model {
    private final ModelConfig config;
    private final ModelWeights weights;
    private final MatMul matMul;
    private final ComputePool pool;
    private final Rope rope;
    private final Rope slidingRope;
    /** The attention job, one per calling thread, refilled per layer (no allocation per pass). */
    private final ThreadLocal<Attention> attentionJobs = ThreadLocal.withInitial(Attention::new);

    public Model(ModelConfig config, ModelWeights weights, MatMul matMul) {
        this.config = config;
        this.weights = weights;
        this.matMul = matMul;
        this.pool = matMul.pool();
        this.rope = new Rope(config.rope(), weights.ropeFreqFactors());
        // llama.cpp applies rope_freqs only to full-attention layers' rope; sliding layers use their own.
        this.slidingRope = config.slidingRope().equals(config.rope()) ? rope : new Rope(config.slidingRope(), null);
    }

    /** Reads config and weights of {@code gguf} (which must stay open while the model is used). */
    public static Model load(GgufFile gguf, ComputePool pool) {
        ModelConfig config = ModelConfig.from(gguf);
        return new Model(config, ModelWeights.load(gguf, config), new MatMul(pool));
    }

    public ModelConfig config() {
        return config;
    }

    public ModelWeights weights() {
        return weights;
    }

    /** A state sized for passes of up to {@code maxTokens} tokens and {@code maxLogits} logit rows. */
    public ForwardState newState(int maxTokens, int maxLogits) {
        return new ForwardState(config, maxTokens, maxLogits, pool.threads());
    }

    /**
     * Runs {@code batch} through the model: writes every token's keys and values into its
     * sequence's cache and returns {@code state}'s logits array, whose row {@code r}
     * ({@code [r * V, (r + 1) * V)}) holds the next-token logits of the r-th
     * {@link ForwardBatch#requestLogits} request. The array is overwritten by the next pass.
     */
    public float[] forward(ForwardBatch batch, ForwardState s) {
        int n = batch.size();
        if (n == 0 || n > s.maxTokens || batch.numLogits() > s.maxLogits) {
            throw new IllegalArgumentException("batch of " + n + " tokens / " + batch.numLogits()
                    + " logit rows does not fit a state for " + s.maxTokens + " / " + s.maxLogits);
        }
        embed(batch, s);
        ropeAngles(batch, s);
        for (int layer = 0; layer < config.numLayers(); layer++) {
            attentionBlock(batch, s, layer);
            feedForwardBlock(n, s, weights.layers().get(layer));
        }
        return logits(batch, s);
    }

    /** x[n, d] = embedding rows of the tokens (gemma: times sqrt(d)). */
    private void embed(ForwardBatch batch, ForwardState s) {
        int d = config.embeddingLength();
        int vocab = config.vocabSize();
        float scale = config.architecture().scalesEmbeddings() ? (float) Math.sqrt(d) : 1f;
        for (int i = 0; i < batch.size(); i++) {
            int token = batch.token(i);
            if (token < 0 || token >= vocab) {
                throw new EngineException.InvalidRequest("token id " + token + " is outside the vocabulary [0, " + vocab + ")");
            }
            weights.tokenEmbedding().dequantize((long) token * d, s.x, i * d, d);
            if (scale != 1f) {
                for (int j = i * d; j < (i + 1) * d; j++) {
                    s.x[j] *= scale;
                }
            }
        }
    }

    /** cos/sin[n, pairs] at each token's position, for both kinds of layer. */
    private void ropeAngles(ForwardBatch batch, ForwardState s) {
        for (int i = 0; i < batch.size(); i++) {
            rope.angles(batch.position(i), s.cos, s.sin, i * rope.pairs());
            if (slidingRope != rope) {
                slidingRope.angles(batch.position(i), s.slidingCos, s.slidingSin, i * slidingRope.pairs());
            }
        }
    }

    /** x += [postAttnNorm] Wo . attention(rope(Wq xb), rope(Wk xb), Wv xb) with xb = rmsnorm(x). */
    private void attentionBlock(ForwardBatch batch, ForwardState s, int layer) {
        LayerWeights w = weights.layers().get(layer);
        int n = batch.size();
        int d = config.embeddingLength();
        int qw = config.queryWidth();
        int kw = config.keyWidth();
        int vw = config.valueWidth();
        rmsNormRows(s.x, s.xb, n, d, w.attnNorm());
        project(w.wq(), qw, d, s.xb, n, s.q);                        // q[n, H*hd]
        project(w.wk(), kw, d, s.xb, n, s.k);                        // k[n, Hkv*hd]
        project(w.wv(), vw, d, s.xb, n, s.v);                        // v[n, Hkv*hv]
        addBias(s.q, n, w.qBias());
        addBias(s.k, n, w.kBias());
        addBias(s.v, n, w.vBias());
        int hd = config.keyLength();
        if (w.qNorm() != null) {
            rmsNormRows(s.q, s.q, n * config.numHeads(), hd, w.qNorm());
            rmsNormRows(s.k, s.k, n * config.numKvHeads(), hd, w.kNorm());
        }
        boolean sliding = config.isSlidingLayer(layer);
        Rope r = sliding ? slidingRope : rope;
        float[] cos = sliding && slidingRope != rope ? s.slidingCos : s.cos;
        float[] sin = sliding && slidingRope != rope ? s.slidingSin : s.sin;
        for (int i = 0; i < n; i++) {
            for (int h = 0; h < config.numHeads(); h++) {
                r.rotate(s.q, i * qw + h * hd, cos, sin, i * r.pairs());
            }
            for (int h = 0; h < config.numKvHeads(); h++) {
                r.rotate(s.k, i * kw + h * hd, cos, sin, i * r.pairs());
            }
            KvCache cache = batch.cache(i);
            int slot = cache.slot(batch.position(i));
            cache.keys(layer).write(slot, s.k, i * kw);              // rounded/quantized as the cache's type says
            cache.values(layer).write(slot, s.v, i * vw);
        }
        attend(batch, s, layer, sliding);                          // att[n, H*hv]
        int attWidth = config.numHeads() * config.valueLength();
        project(w.wo(), d, attWidth, s.att, n, s.xb);                // xb[n, d]
        if (w.postAttnNorm() != null) {
            rmsNormRows(s.xb, s.xb, n, d, w.postAttnNorm());
        }
        addInto(s.x, s.xb, n * d);
    }

    /**
     * att[i, h] = softmax_t(scale * q[i, h] . K[t, h/g]) . V[t, h/g] over the positions t the token
     * may see (its own and earlier ones, within the sliding window), K and V read through the
     * cache's block table and dequantized on the fly ({@link KvRows#dot}, {@link KvRows#addScaled}).
     * Parallel over (token, head) pairs, one scores row per chunk.
     */
    private void attend(ForwardBatch batch, ForwardState s, int layer, boolean sliding) {
        int items = batch.size() * config.numHeads();
        Attention job = attentionJobs.get();
        job.batch = batch;
        job.state = s;
        job.layer = layer;
        job.sliding = sliding;
        job.items = items;
        job.chunks = Math.min(s.scores.length, items);
        try {
            pool.parallelFor(job.chunks, job);
        } finally {
            job.batch = null;
            job.state = null;
        }
    }

    /** The attention of one layer as a reusable parallel job over chunks of (token, head) pairs. */
    private final class Attention implements ComputePool.RangeTask {
        private ForwardBatch batch;
        private ForwardState state;
        private int layer;
        private boolean sliding;
        private int items;
        private int chunks;

        @Override
        public void run(int fromChunk, int toChunk) {
            int heads = config.numHeads();
            for (int c = fromChunk; c < toChunk; c++) {
                int from = (int) ((long) items * c / chunks);
                int to = (int) ((long) items * (c + 1) / chunks);
                for (int item = from; item < to; item++) {
                    attendHead(batch, state, layer, sliding, item / heads, item % heads, state.scores[c]);
                }
            }
        }
    }

    private void attendHead(ForwardBatch batch, ForwardState s, int layer, boolean sliding, int i, int h,
            float[] scores) {
        int hd = config.keyLength();
        int hv = config.valueLength();
        int kvHead = h / (config.numHeads() / config.numKvHeads());
        KvCache cache = batch.cache(i);
        KvRows keys = cache.keys(layer);
        KvRows values = cache.values(layer);
        int position = batch.position(i);
        int start = sliding ? Math.max(0, position - config.slidingWindow() + 1) : 0;
        int qOffset = i * config.queryWidth() + h * hd;
        float scale = config.attentionScale();
        float softcap = config.attnLogitSoftcap();
        float max = Float.NEGATIVE_INFINITY;
        int blockSize = cache.blockSize();
        // Slots are consecutive within a block: look the block table up once per block, not per position.
        for (int t = start; t <= position; ) {
            int slot = cache.slot(t);
            for (int blockEnd = Math.min(position, t - t % blockSize + blockSize - 1); t <= blockEnd; t++, slot++) {
                float score = keys.dot(slot, kvHead * hd, s.q, qOffset, hd) * scale;
                if (softcap > 0f) {
                    score = softcap * (float) Math.tanh(score / softcap);
                }
                scores[t - start] = score;
                max = Math.max(max, score);
            }
        }
        float sum = Softmax.expShifted(scores, 0, position - start + 1, max);
        int outOffset = i * config.numHeads() * hv + h * hv;
        java.util.Arrays.fill(s.att, outOffset, outOffset + hv, 0f);
        float inverseSum = 1f / sum;
        for (int t = start; t <= position; ) {
            int slot = cache.slot(t);
            for (int blockEnd = Math.min(position, t - t % blockSize + blockSize - 1); t <= blockEnd; t++, slot++) {
                values.addScaled(slot, kvHead * hv, scores[t - start] * inverseSum, s.att, outOffset, hv);
            }
        }
    }

    /** x += [postFfnNorm] Wdown (act(Wgate xb) * Wup xb) with xb = rmsnorm(x). */
    private void feedForwardBlock(int n, ForwardState s, LayerWeights w) {
        int d = config.embeddingLength();
        int ffn = config.feedForwardLength();
        rmsNormRows(s.x, s.xb, n, d, w.ffnNorm());
        project(w.wGate(), ffn, d, s.xb, n, s.hb);                   // hb[n, ffn]
        project(w.wUp(), ffn, d, s.xb, n, s.hb2);                    // hb2[n, ffn]
        Activation act = config.architecture().activation();
        for (int j = 0; j < n * ffn; j++) {
            s.hb[j] = act.apply(s.hb[j]) * s.hb2[j];
        }
        project(w.wDown(), d, ffn, s.hb, n, s.xb);                   // xb[n, d]
        if (w.postFfnNorm() != null) {
            rmsNormRows(s.xb, s.xb, n, d, w.postFfnNorm());
        }
        addInto(s.x, s.xb, n * d);
    }

    /** logits[r, V] = Wout rmsnorm(x[token of row r]) for each requested row. */
    private float[] logits(ForwardBatch batch, ForwardState s) {
        int d = config.embeddingLength();
        int rows = batch.numLogits();
        if (rows == 0) {
            return s.logits;
        }
        for (int r = 0; r < rows; r++) {
            System.arraycopy(s.x, batch.logitToken(r) * d, s.xb, r * d, d);
        }
        rmsNormRows(s.xb, s.xb, rows, d, weights.outputNorm());
        int vocab = config.vocabSize();
        project(weights.output(), vocab, d, s.xb, rows, s.logits); // logits[rows, V]
        float cap = config.finalLogitSoftcap();
        if (cap > 0f) {
            for (int j = 0; j < rows * vocab; j++) {
                s.logits[j] = cap * (float) Math.tanh(s.logits[j] / cap);
            }
        }
        return s.logits;
    }

    /** out[t, rows] = w[rows, cols] . in[t, cols] for t < tokens. */
    private void project(FloatTensor w, int rows, int cols, float[] in, int tokens, float[] out) {
        if (tokens == 1) {
            matMul.matvec(w, rows, cols, in, out);
        } else {
            matMul.matmul(w, rows, cols, in, tokens, out);
        }
    }

    private static void addBias(float[] x, int n, float[] bias) {
        if (bias == null) {
            return;
        }
        int width = bias.length;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < width; j++) {
                x[i * width + j] += bias[j];
            }
        }
    }

    private static void addInto(float[] x, float[] y, int length) {
        for (int j = 0; j < length; j++) {
            x[j] += y[j];
        }
    }

    /** out[r] = in[r] / sqrt(mean(in[r]^2) + eps) * weight for each of {@code rows} rows of {@code width}. */
    private void rmsNormRows(float[] in, float[] out, int rows, int width, float[] weight) {
        float eps = config.rmsNormEps();
        for (int r = 0; r < rows; r++) {
            int o = r * width;
            float ss = 0f;
            for (int j = 0; j < width; j++) {
                ss += in[o + j] * in[o + j];
            }
            float inv = (float) (1.0 / Math.sqrt(ss / width + eps));
            for (int j = 0; j < width; j++) {
                out[o + j] = in[o + j] * inv * weight[j];
            }
        }
    }
}
