package dev.strata.engine.tokenizer;

import dev.strata.engine.EngineException;
import dev.strata.engine.gguf.GgufFile;

/**
 * Builds the {@link Tokenizer} a GGUF file describes: the algorithm from
 * {@code tokenizer.ggml.model} ({@code llama} = SentencePiece, {@code gpt2} = byte-level BPE with
 * the pre-tokenizer named by {@code tokenizer.ggml.pre}, {@code bert} = WordPiece), the vocabulary,
 * special ids and flags from the other {@code tokenizer.ggml.*} keys.
 */
public final class Tokenizers {
    private Tokenizers() {}

    /**
     * The tokenizer of {@code gguf}. The result does not keep the file open.
     *
     * @throws EngineException.Unsupported for a tokenizer model Strata does not implement
     * @throws EngineException.InvalidModelFile when the tokenizer metadata is missing or inconsistent
     */
    public static Tokenizer fromGguf(GgufFile gguf) {
        return fromGguf(gguf, SentencePieceTokenizer.MERGE_SCAN_LIMIT);
    }

    /** As {@link #fromGguf(GgufFile)}, choosing when merges scan rather than queue (0: always queue; for tests). */
    static Tokenizer fromGguf(GgufFile gguf, int mergeScanLimit) {
        String model = gguf.getString("tokenizer.ggml.model")
                .orElseThrow(() -> new EngineException.InvalidModelFile("the file has no tokenizer.ggml.model"));
        return switch (model) {
            case "llama" -> new SentencePieceTokenizer(Vocabulary.fromGguf(gguf, SentencePieceTokenizer.defaults()),
                    mergeScanLimit);
            case "gpt2" -> byteLevelBpe(gguf, mergeScanLimit);
            case "bert" -> new WordPieceTokenizer(Vocabulary.fromGguf(gguf, WordPieceTokenizer.defaults()));
            default -> throw new EngineException.Unsupported("tokenizer model '" + model
                    + "' is not supported (supported: llama, gpt2, bert)");
        };
    }

    private static Tokenizer byteLevelBpe(GgufFile gguf, int mergeScanLimit) {
        PreTokenizer pre = PreTokenizer.forName(gguf.getString("tokenizer.ggml.pre").orElse(null));
        String[] merges = Vocabulary.array(gguf, "tokenizer.ggml.merges", String[].class);
        if (merges == null) {
            throw new EngineException.InvalidModelFile("a gpt2 tokenizer needs tokenizer.ggml.merges, which is missing");
        }
        return new ByteLevelBpeTokenizer(Vocabulary.fromGguf(gguf, ByteLevelBpeTokenizer.defaults(pre)), merges, pre,
                mergeScanLimit);
    }
}
