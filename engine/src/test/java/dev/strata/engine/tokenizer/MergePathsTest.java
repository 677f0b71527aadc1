package dev.strata.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.gguf.GgufFile;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The linear-scan merge (short words) must pick exactly the merges the priority queue (llama.cpp's loop) picks. */
class MergePathsTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"llama-spm", "gpt-2", "qwen2"})
    void scanAndQueueGiveTheSameTokens(String name) {
        Tokenizer scan = TokenizerTestData.vocab(name);
        Tokenizer queue;
        try (GgufFile gguf = GgufFile.open(TokenizerTestData.resource("ggml-vocab-" + name + ".gguf"))) {
            queue = Tokenizers.fromGguf(gguf, 0);
        }
        for (TokenizerTestData.Vector v : TokenizerTestData.vectors(name)) {
            assertThat(queue.encode(v.text(), false, false)).as(v.toString()).containsExactly(v.ids());
        }
        SplittableRandom random = new SplittableRandom(name.hashCode() * 31L);
        for (int i = 0; i < 500; i++) {
            String s = TokenizerRoundTripTest.randomText(random, 1 + random.nextInt(120), false);
            assertThat(scan.encode(s, false, false)).as(TokenizerTestData.escape(s))
                    .containsExactly(queue.encode(s, false, false));
        }
        String english = "The quick brown fox jumps over the lazy dog; it's 2024 and we're counting: 1234567. "
                + "Antidisestablishmentarianism, supercalifragilisticexpialidocious!";
        assertThat(scan.encode(english, true, false)).containsExactly(queue.encode(english, true, false));
    }
}
