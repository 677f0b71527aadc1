package dev.strata.bench.tokenizer;

import org.junit.jupiter.api.parallel.ResourceLock;
import dev.strata.bench.peer.PeerLock;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.bench.peer.LlamaCppVocab;
import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.tokenizer.Tokenizer;
import dev.strata.engine.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Strata's tokenizers against llama.cpp itself (b4916 inside de.kherud:llama) on far more text than
 * the shipped vectors: the vectors with and without special tokens, random Unicode, special-token
 * markup, and 100 kB of English. Every encoding must be identical.
 */
@ResourceLock(PeerLock.LLAMA_CPP)
class LlamaCppTokenizerParityTest {
    private static final Path VOCABS = Path.of("../engine/src/test/resources/tokenizers");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"llama-spm", "phi-3", "gpt-2", "llama-bpe", "qwen2", "deepseek-llm", "deepseek-coder",
        "falcon", "mpt", "refact", "starcoder", "bert-bge"})
    void encodesExactlyAsLlamaCpp(String name) throws IOException {
        Path file = VOCABS.resolve("ggml-vocab-" + name + ".gguf");
        Tokenizer strata;
        try (GgufFile gguf = GgufFile.open(file)) {
            strata = Tokenizers.fromGguf(gguf);
        }
        List<String> texts = new ArrayList<>(vectors(name));
        SplittableRandom random = new SplittableRandom(name.hashCode());
        for (int i = 0; i < 300; i++) {
            texts.add(RandomText.of(random, 1 + random.nextInt(100)));
        }
        for (int i = 0; i < 50; i++) {
            texts.add(withSpecialTokens(strata, random));
        }
        texts.add(EnglishText.generate(100_000, 7));
        int checked = 0;
        List<String> failures = new ArrayList<>();
        try (LlamaCppVocab llama = LlamaCppVocab.open(file)) {
            assertThat(llama.vocabSize()).isEqualTo(strata.vocabSize());
            for (String text : texts) {
                for (int mode = 0; mode < 4; mode++) {
                    boolean addSpecial = (mode & 1) != 0;
                    boolean parseSpecial = (mode & 2) != 0;
                    int[] expected = llama.tokenize(text, addSpecial, parseSpecial);
                    int[] actual = strata.encode(text, addSpecial, parseSpecial);
                    checked++;
                    if (!Arrays.equals(expected, actual) && failures.size() < 10) {
                        failures.add("addSpecial=" + addSpecial + " parseSpecial=" + parseSpecial + " "
                                + shorten(text) + "\n  llama.cpp " + shorten(Arrays.toString(expected))
                                + "\n  strata    " + shorten(Arrays.toString(actual)));
                    }
                }
            }
        }
        System.out.printf("llama.cpp parity %-16s %d encodings compared, %d differ%n", name, checked, failures.size());
        assertThat(failures).as(name).isEmpty();
    }

    /** Text with a few of the vocabulary's special tokens written into it. */
    private static String withSpecialTokens(Tokenizer t, SplittableRandom random) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < 4; k++) {
            int id = random.nextInt(t.vocabSize());
            for (int tries = 0; tries < 50 && !t.isSpecial(id); tries++) {
                id = random.nextInt(t.vocabSize());
            }
            sb.append(RandomText.of(random, random.nextInt(12))).append(t.piece(id));
            if (random.nextBoolean()) {
                sb.append(random.nextBoolean() ? "\n" : " ");
            }
        }
        return sb.toString();
    }

    private static List<String> vectors(String name) throws IOException {
        String inp = Files.readString(VOCABS.resolve("ggml-vocab-" + name + ".gguf.inp"), StandardCharsets.UTF_8);
        return Arrays.asList(inp.split("\n__ggml_vocab_test__\n"));
    }

    private static String shorten(String s) {
        String escaped = s.replace("\n", "\\n");
        return escaped.length() > 300 ? escaped.substring(0, 300) + "..." : escaped;
    }
}
