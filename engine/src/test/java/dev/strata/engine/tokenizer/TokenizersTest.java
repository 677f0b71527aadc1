package dev.strata.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.engine.EngineException;
import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.gguf.GgufValueType;
import dev.strata.engine.gguf.GgufWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizersTest {
    @TempDir
    Path dir;

    private Tokenizer build(GgufWriter writer) {
        Path file = dir.resolve("vocab-" + System.nanoTime() + ".gguf");
        writer.write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            return Tokenizers.fromGguf(gguf);
        }
    }

    private static GgufWriter vocab(String model, String... tokens) {
        return new GgufWriter().putString("tokenizer.ggml.model", model)
                .putArray("tokenizer.ggml.tokens", GgufValueType.STRING, tokens);
    }

    @Test
    void choosesTheAlgorithmByModel() {
        assertThat(TokenizerTestData.vocab("llama-spm")).isInstanceOf(SentencePieceTokenizer.class);
        assertThat(TokenizerTestData.vocab("gpt-2")).isInstanceOf(ByteLevelBpeTokenizer.class);
        assertThat(TokenizerTestData.vocab("bert-bge")).isInstanceOf(WordPieceTokenizer.class);
    }

    @Test
    void unknownModelsAndPreTokenizersAreUnsupported() {
        assertThatThrownBy(() -> build(vocab("rwkv", "a", "b")))
                .isInstanceOf(EngineException.Unsupported.class)
                .hasMessage("tokenizer model 'rwkv' is not supported (supported: llama, gpt2, bert)");
        assertThatThrownBy(() -> build(vocab("gpt2", "a", "b").putString("tokenizer.ggml.pre", "martian")
                .putArray("tokenizer.ggml.merges", GgufValueType.STRING, new String[] {"a b"})))
                .isInstanceOf(EngineException.Unsupported.class)
                .hasMessageContaining("pre-tokenizer 'martian'");
    }

    @Test
    void missingOrInconsistentMetadataIsAnInvalidFile() {
        assertThatThrownBy(() -> build(new GgufWriter().putString("general.name", "x")))
                .isInstanceOf(EngineException.InvalidModelFile.class).hasMessageContaining("tokenizer.ggml.model");
        assertThatThrownBy(() -> build(vocab("gpt2", "a", "b")))
                .isInstanceOf(EngineException.InvalidModelFile.class).hasMessageContaining("tokenizer.ggml.merges");
        assertThatThrownBy(() -> build(vocab("llama", "a", "b")
                .putArray("tokenizer.ggml.scores", GgufValueType.FLOAT32, new float[] {1f})))
                .isInstanceOf(EngineException.InvalidModelFile.class).hasMessageContaining("scores has 1 entries");
        assertThatThrownBy(() -> build(vocab("llama")))
                .isInstanceOf(EngineException.InvalidModelFile.class).hasMessageContaining("empty");
    }

    @Test
    void aTinyBpeVocabularyMergesByRank() {
        Tokenizer t = build(vocab("gpt2", "a", "b", "c", "ab", "bc", "abc")
                .putString("tokenizer.ggml.pre", "gpt-2")
                .putArray("tokenizer.ggml.merges", GgufValueType.STRING, new String[] {"b c", "a b", "a bc"}));
        assertThat(t.encode("abc", false, false)).containsExactly(5); // b+c first (rank 0), then a+bc
        assertThat(t.encode("ab", false, false)).containsExactly(3);
        assertThat(t.encode("cab", false, false)).containsExactly(2, 3);
        assertThat(t.encode("abd", false, false)).containsExactly(3); // 'd' has no token: dropped, as llama.cpp does
    }

    @Test
    void userDefinedTokensAreAlwaysMatchedControlOnlyWhenAsked() {
        Tokenizer t = build(vocab("gpt2", "a", "b", "<ctl>", "<usr>", "<", ">", "c", "t", "l", "u", "s", "r")
                .putString("tokenizer.ggml.pre", "gpt-2")
                .putArray("tokenizer.ggml.token_type", GgufValueType.INT32, new int[] {1, 1, 3, 4, 1, 1, 1, 1, 1, 1, 1, 1})
                .putArray("tokenizer.ggml.merges", GgufValueType.STRING, new String[0]));
        assertThat(t.encode("a<usr>b", false, false)).containsExactly(0, 3, 1);
        assertThat(t.encode("a<ctl>b", false, false)).doesNotContain(2);
        assertThat(t.encode("a<ctl>b", false, true)).containsExactly(0, 2, 1);
        assertThat(t.decode(new int[] {0, 3, 2, 1})).isEqualTo("a<usr>b");
        assertThat(t.isSpecial(3)).isTrue();
        assertThat(t.tokenType(2)).isEqualTo(TokenType.CONTROL);
    }
}
