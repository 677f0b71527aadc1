package dev.strata.engine.model;

import dev.strata.engine.EngineException;

/**
 * The model families the forward pass implements, by their GGUF {@code general.architecture} name.
 * Each answers the structural questions that differ between families; everything numeric comes
 * from metadata ({@link ModelConfig}).
 */
public enum Architecture {
    LLAMA("llama"),
    QWEN2("qwen2"),
    QWEN3("qwen3"),
    GEMMA("gemma"),
    GEMMA2("gemma2"),
    GEMMA3("gemma3"),
    PHI3("phi3");

    private final String ggufName;

    Architecture(String ggufName) {
        this.ggufName = ggufName;
    }

    /** The value of {@code general.architecture} and the prefix of its metadata keys. */
    public String ggufName() {
        return ggufName;
    }

    /** @throws EngineException.Unsupported for a family the engine does not implement */
    public static Architecture fromGguf(String name) {
        for (Architecture a : values()) {
            if (a.ggufName.equals(name)) {
                return a;
            }
        }
        throw new EngineException.Unsupported("unsupported model architecture '" + name
                + "' (supported: llama, qwen2, qwen3, gemma, gemma2, gemma3, phi3)");
    }

    public RopeType ropeType() {
        return switch (this) {
            case LLAMA -> RopeType.NORM;
            case QWEN2, QWEN3, GEMMA, GEMMA2, GEMMA3, PHI3 -> RopeType.NEOX;
        };
    }

    public Activation activation() {
        return switch (this) {
            case LLAMA, QWEN2, QWEN3, PHI3 -> Activation.SILU;
            case GEMMA, GEMMA2, GEMMA3 -> Activation.GELU_TANH;
        };
    }

    /** Per-head RMS norm of queries and keys before rope ({@code attn_q_norm}, {@code attn_k_norm}). */
    public boolean hasQkNorm() {
        return this == QWEN3 || this == GEMMA3;
    }

    /** RMS norms after attention and after the feed-forward block, before the residual add. */
    public boolean hasPostNorms() {
        return this == GEMMA2 || this == GEMMA3;
    }

    /** Token embeddings are multiplied by {@code sqrt(embedding_length)}. */
    public boolean scalesEmbeddings() {
        return this == GEMMA || this == GEMMA2 || this == GEMMA3;
    }

    /**
     * Every how many layers one uses full attention, the others a sliding window (layer {@code l}
     * slides when {@code l % pattern < pattern - 1}); 0 when the architecture has no sliding window.
     * Phi-3 files carry {@code sliding_window}, but llama.cpp ignores it (its PR 13676: the
     * converters fill it wrongly for several models), and so does Strata.
     */
    public int slidingWindowPattern() {
        return switch (this) {
            case GEMMA2 -> 2;
            case GEMMA3 -> 6;
            case LLAMA, QWEN2, QWEN3, GEMMA, PHI3 -> 0;
        };
    }

    /**
     * The file may hold Q, K and V as one {@code attn_qkv} matrix and gate and up as one
     * {@code ffn_up} matrix of twice the height (gate rows first); the loader splits them into views.
     */
    public boolean mayFuseProjections() {
        return this == PHI3;
    }
}
