package dev.strata.bench.gen;

import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.gguf.GgufValue;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A tokenizer vocabulary as GGUF metadata: every {@code tokenizer.*} key of a model or
 * {@code ggml-vocab-*.gguf} file, copied verbatim into generated models.
 */
public record Vocab(String source, Map<String, GgufValue> metadata) {
    static final String TOKENS = "tokenizer.ggml.tokens";
    static final String SCORES = "tokenizer.ggml.scores";
    static final String TOKEN_TYPES = "tokenizer.ggml.token_type";
    /** llama.cpp's {@code LLAMA_TOKEN_TYPE_UNUSED}, the type of padding tokens. */
    static final int TOKEN_TYPE_UNUSED = 5;

    public Vocab {
        Objects.requireNonNull(source, "source");
        metadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        if (!(metadata.get(TOKENS) instanceof GgufValue.Array tokens) || !(tokens.values() instanceof String[])) {
            throw new IllegalArgumentException(source + " has no " + TOKENS + " string array");
        }
    }

    /** The {@code tokenizer.*} metadata of {@code file}. */
    public static Vocab fromGguf(Path file) {
        try (GgufFile gguf = GgufFile.open(file)) {
            Map<String, GgufValue> keys = new LinkedHashMap<>();
            gguf.metadata().forEach((k, v) -> {
                if (k.startsWith("tokenizer.")) {
                    keys.put(k, v);
                }
            });
            if (!keys.containsKey(TOKENS)) {
                throw new IllegalArgumentException(file + " has no tokenizer vocabulary (" + TOKENS + ")");
            }
            return new Vocab(file.getFileName().toString(), keys);
        }
    }

    public int size() {
        return ((GgufValue.Array) metadata.get(TOKENS)).length();
    }

    /**
     * This vocabulary padded with unused tokens {@code [PAD<i>]} up to {@code vocabSize} entries, as
     * llama.cpp's converter pads models whose embedding has more rows than the tokenizer has tokens.
     */
    public Vocab paddedTo(int vocabSize) {
        int size = size();
        if (vocabSize < size) {
            throw new IllegalArgumentException(source + " has " + size + " tokens, more than the " + vocabSize
                    + " rows of the embedding");
        }
        if (vocabSize == size) {
            return this;
        }
        Map<String, GgufValue> padded = new LinkedHashMap<>(metadata);
        String[] tokens = Arrays.copyOf((String[]) ((GgufValue.Array) metadata.get(TOKENS)).values(), vocabSize);
        for (int i = size; i < vocabSize; i++) {
            tokens[i] = "[PAD" + i + "]";
        }
        padded.put(TOKENS, new GgufValue.Array(((GgufValue.Array) metadata.get(TOKENS)).elementType(), tokens));
        if (metadata.get(TOKEN_TYPES) instanceof GgufValue.Array types && types.values() instanceof int[] ints) {
            int[] grown = Arrays.copyOf(ints, vocabSize);
            Arrays.fill(grown, size, vocabSize, TOKEN_TYPE_UNUSED);
            padded.put(TOKEN_TYPES, new GgufValue.Array(types.elementType(), grown));
        }
        if (metadata.get(SCORES) instanceof GgufValue.Array scores && scores.values() instanceof float[] floats) {
            padded.put(SCORES, new GgufValue.Array(scores.elementType(), Arrays.copyOf(floats, vocabSize)));
        }
        return new Vocab(source + " padded to " + vocabSize, padded);
    }
}
