package dev.strata.engine.model;

import dev.strata.engine.EngineException;
import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.gguf.GgufTensorInfo;

/**
 * Immutable hyper-parameters of a model, read from GGUF metadata only ({@code {arch}.*} keys, as
 * llama.cpp names them). Dimensions: {@code embeddingLength} = d, heads {@code numHeads} = H with
 * {@code keyLength} = hd each, {@code numKvHeads} = Hkv (GQA: H is a multiple of Hkv).
 *
 * @param slidingRope       rope of sliding-window layers (differs from {@code rope} in gemma3)
 * @param slidingWindow     tokens a sliding-window layer attends to (its own included); 0 = none
 * @param attentionScale    multiplies q.k before the softmax
 * @param attnLogitSoftcap  {@code c * tanh(score / c)} on attention scores when > 0 (gemma2)
 * @param finalLogitSoftcap the same on output logits when > 0 (gemma2)
 */
public record ModelConfig(Architecture architecture, String name, int embeddingLength, int numLayers, int numHeads,
        int numKvHeads, int keyLength, int valueLength, int feedForwardLength, int vocabSize, int contextLength,
        float rmsNormEps, RopeConfig rope, RopeConfig slidingRope, int slidingWindow, float attentionScale,
        float attnLogitSoftcap, float finalLogitSoftcap) {

    public ModelConfig {
        requirePositive("embeddingLength", embeddingLength);
        requirePositive("numLayers", numLayers);
        requirePositive("numHeads", numHeads);
        requirePositive("numKvHeads", numKvHeads);
        requirePositive("keyLength", keyLength);
        requirePositive("valueLength", valueLength);
        requirePositive("feedForwardLength", feedForwardLength);
        requirePositive("vocabSize", vocabSize);
        requirePositive("contextLength", contextLength);
        if (numHeads % numKvHeads != 0) {
            throw new EngineException.InvalidModelFile("attention.head_count " + numHeads
                    + " is not a multiple of attention.head_count_kv " + numKvHeads);
        }
        if (rope.dimensions() > keyLength || slidingRope.dimensions() > keyLength) {
            throw new EngineException.InvalidModelFile("rope.dimension_count " + rope.dimensions()
                    + " exceeds the head size " + keyLength);
        }
        if (slidingWindow < 0) {
            throw new EngineException.InvalidModelFile("attention.sliding_window must be >= 0, got " + slidingWindow);
        }
    }

    private static void requirePositive(String field, int value) {
        if (value <= 0) {
            throw new EngineException.InvalidModelFile("model " + field + " must be > 0, got " + value);
        }
    }

    /** Floats per token of all query heads (H x hd). */
    public int queryWidth() {
        return numHeads * keyLength;
    }

    /** Floats per token of all key heads (Hkv x hd). */
    public int keyWidth() {
        return numKvHeads * keyLength;
    }

    /** Floats per token of all value heads (Hkv x hv), also the width of the attention output. */
    public int valueWidth() {
        return numKvHeads * valueLength;
    }

    /** True when layer {@code layer} uses the sliding window rather than full attention. */
    public boolean isSlidingLayer(int layer) {
        int pattern = architecture.slidingWindowPattern();
        return slidingWindow > 0 && pattern > 0 && layer % pattern < pattern - 1;
    }

    /**
     * Reads the configuration of {@code gguf}.
     *
     * @throws EngineException.Unsupported     for an architecture or rope scaling the engine lacks
     * @throws EngineException.InvalidModelFile when a required key is missing or out of range
     */
    public static ModelConfig from(GgufFile gguf) {
        String archName = gguf.getString("general.architecture")
                .orElseThrow(() -> new EngineException.InvalidModelFile("metadata general.architecture is missing"));
        Architecture arch = Architecture.fromGguf(archName);
        Keys k = new Keys(gguf, archName);
        int dim = k.requireInt("embedding_length");
        int numLayers = k.requireInt("block_count");
        int numHeads = k.requireInt("attention.head_count");
        int numKvHeads = k.optInt("attention.head_count_kv", numHeads);
        int keyLength = k.optInt("attention.key_length", dim / numHeads);
        int valueLength = k.optInt("attention.value_length", keyLength);
        int ffn = k.requireInt("feed_forward_length");
        int context = k.requireInt("context_length");
        float eps = (float) k.optDouble("attention.layer_norm_rms_epsilon", 1e-5);
        int vocab = vocabSize(gguf, k);

        float freqBase = (float) k.optDouble("rope.freq_base", 10000.0);
        int ropeDims = k.optInt("rope.dimension_count", keyLength);
        float freqScale = ropeFreqScale(k);
        RopeConfig rope = new RopeConfig(arch.ropeType(), ropeDims, freqBase, freqScale);
        RopeConfig slidingRope = arch == Architecture.GEMMA3
                ? new RopeConfig(arch.ropeType(), ropeDims, (float) k.optDouble("rope.freq_base_swa", 10000.0), 1f)
                : rope;
        int window = arch.slidingWindowPattern() > 0 ? k.optInt("attention.sliding_window", 0) : 0;

        float scale = (float) (1.0 / Math.sqrt(keyLength));
        if ((arch == Architecture.GEMMA2 && numLayers == 46) || (arch == Architecture.GEMMA3 && numLayers == 62)) {
            scale = (float) (1.0 / Math.sqrt((double) dim / numHeads)); // the 27B variants, as llama.cpp does
        }
        scale = (float) k.optDouble("attention.scale", scale);
        float attnSoftcap = arch == Architecture.GEMMA2 ? (float) k.optDouble("attn_logit_softcapping", 50.0) : 0f;
        float finalSoftcap = arch == Architecture.GEMMA2 ? (float) k.optDouble("final_logit_softcapping", 30.0) : 0f;
        String name = gguf.getString("general.name").orElse(gguf.path().getFileName().toString());
        return new ModelConfig(arch, name, dim, numLayers, numHeads, numKvHeads, keyLength, valueLength, ffn, vocab,
                context, eps, rope, slidingRope, window, scale, attnSoftcap, finalSoftcap);
    }

    private static int vocabSize(GgufFile gguf, Keys k) {
        GgufTensorInfo embd = gguf.tensor("token_embd.weight")
                .orElseThrow(() -> new EngineException.InvalidModelFile("missing tensor token_embd.weight"));
        if (embd.numDims() != 2) {
            throw new EngineException.InvalidModelFile("tensor token_embd.weight should be 2-D, has shape "
                    + java.util.Arrays.toString(embd.shape()));
        }
        long rows = embd.dim(1);
        if (rows <= 0 || rows > Integer.MAX_VALUE) {
            throw new EngineException.InvalidModelFile("tensor token_embd.weight has " + rows + " rows");
        }
        return k.optInt("vocab_size", (int) rows);
    }

    private static float ropeFreqScale(Keys k) {
        String type = k.optString("rope.scaling.type", "none");
        return switch (type) {
            case "none" -> {
                double legacy = k.optDouble("rope.scale_linear", 1.0);
                yield (float) (1.0 / legacy);
            }
            case "linear" -> (float) (1.0 / k.optDouble("rope.scaling.factor", 1.0));
            default -> throw new EngineException.Unsupported("unsupported rope scaling type '" + type + "'");
        };
    }

    /** Metadata access under the {@code {arch}.} prefix with messages that name the key. */
    private record Keys(GgufFile gguf, String arch) {
        /** A required key whose value must be positive. */
        int requireInt(String key) {
            int value = gguf.getInt(arch + "." + key)
                    .orElseThrow(() -> new EngineException.InvalidModelFile("metadata " + arch + "." + key + " is missing"));
            if (value <= 0) {
                throw new EngineException.InvalidModelFile("metadata " + arch + "." + key + " must be > 0, got " + value);
            }
            return value;
        }

        int optInt(String key, int fallback) {
            return gguf.getInt(arch + "." + key).orElse(fallback);
        }

        double optDouble(String key, double fallback) {
            return gguf.getDouble(arch + "." + key).orElse(fallback);
        }

        String optString(String key, String fallback) {
            return gguf.getString(arch + "." + key).orElse(fallback);
        }
    }
}
