package dev.strata.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ByteLevelBpeTokenizerTest {

    @Test
    void llama3AddsBosAndKnowsItsEndTokens() {
        Tokenizer t = TokenizerTestData.vocab("llama-bpe");
        assertThat(t.vocabSize()).isEqualTo(128256);
        assertThat(t.bosId()).isEqualTo(128000);
        assertThat(t.eosId()).isEqualTo(128009);
        assertThat(t.encode("Hello", true, false)).containsExactly(128000, 9906);
        assertThat(t.encode("Hello", false, false)).containsExactly(9906);
        assertThat(t.isEndOfGeneration(128009)).isTrue(); // <|eot_id|>
        assertThat(t.isEndOfGeneration(128001)).isTrue(); // <|end_of_text|>
        assertThat(t.isEndOfGeneration(128008)).isTrue(); // <|eom_id|>
        assertThat(t.isEndOfGeneration(9906)).isFalse();
        assertThat(t.isSpecial(128006)).isTrue();
        assertThat(t.tokenBytes(128006)).isEmpty();
        assertThat(t.piece(9906)).isEqualTo("Hello");
        assertThat(t.piece(22691)).isEqualTo("ĠHello");
    }

    @Test
    void chatMarkersAreTokensOnlyWhenParsingSpecial() {
        Tokenizer t = TokenizerTestData.vocab("llama-bpe");
        String header = "<|start_header_id|>user<|end_header_id|>";
        assertThat(t.encode(header, false, true)).containsExactly(128006, 882, 128007);
        assertThat(t.encode(header, false, false)).doesNotContain(128006, 128007);
        assertThat(t.decode(t.encode(header, false, false))).isEqualTo(header);
        assertThat(t.decode(new int[] {128006, 882, 128007})).isEqualTo("user"); // control tokens decode to nothing
    }

    @Test
    void qwen2ChatMarkersAndEndOfGeneration() {
        Tokenizer t = TokenizerTestData.vocab("qwen2");
        int[] ids = t.encode("<|im_start|>user\nhi<|im_end|>", true, true);
        assertThat(ids[0]).isEqualTo(151644); // no BOS: add_bos_token is false
        assertThat(ids[ids.length - 1]).isEqualTo(151645);
        assertThat(t.isEndOfGeneration(151645)).isTrue();
        assertThat(t.isEndOfGeneration(151643)).isTrue();
        assertThat(t.tokenType(151700)).isEqualTo(TokenType.UNUSED);
        assertThat(t.tokenBytes(151700)).isEmpty();
    }

    @Test
    void numbersSplitAsThePreTokenizerSays() {
        assertThat(TokenizerTestData.vocab("qwen2").encode("12345", false, false)).hasSize(5); // one digit each
        assertThat(TokenizerTestData.vocab("llama-bpe").encode("12345", false, false)).hasSize(2); // 123 45
    }

    @Test
    void everyByteRoundTripsEvenInvalidUtf8Pieces() {
        Tokenizer t = TokenizerTestData.vocab("gpt-2");
        String s = "naïve café 😀 \u0000\u0007\u007F日本語 \t\n\r ";
        assertThat(t.decode(t.encode(s, false, false))).isEqualTo(s);
    }
}
