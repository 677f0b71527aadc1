package dev.strata.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every vector of every vocabulary llama.cpp ships tests for must tokenize exactly as llama.cpp's
 * {@code test-tokenizer-0} expects (add_special=false, parse_special=false), and decode back.
 */
class TokenizerParityTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"llama-spm", "phi-3", "gpt-2", "llama-bpe", "qwen2", "deepseek-llm", "deepseek-coder", "falcon", "mpt", "refact", "starcoder", "bert-bge"})
    void everyVectorMatchesLlamaCpp(String name) {
        Tokenizer tokenizer = TokenizerTestData.vocab(name);
        List<TokenizerTestData.Vector> vectors = TokenizerTestData.vectors(name);
        List<String> failures = new ArrayList<>();
        for (TokenizerTestData.Vector v : vectors) {
            int[] actual = tokenizer.encode(v.text(), false, false);
            if (!Arrays.equals(actual, v.ids())) {
                failures.add(v + "\n    expected " + Arrays.toString(v.ids()) + "\n    actual   " + Arrays.toString(actual));
            }
        }
        System.out.printf("parity %-16s %d/%d vectors match%n", name, vectors.size() - failures.size(), vectors.size());
        assertThat(failures).as(name + ": %d of %d vectors differ", failures.size(), vectors.size()).isEmpty();
    }
}
