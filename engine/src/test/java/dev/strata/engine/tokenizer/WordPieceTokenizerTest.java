package dev.strata.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WordPieceTokenizerTest {
    private final Tokenizer bert = TokenizerTestData.vocab("bert-bge");

    @Test
    void addsClsAndSepAroundTheText() {
        int[] ids = bert.encode("Hello world!", true, false);
        assertThat(ids[0]).isEqualTo(101);
        assertThat(ids[ids.length - 1]).isEqualTo(102);
        assertThat(bert.encode("Hello world!", false, false)).containsExactly(7592, 2088, 999);
    }

    @Test
    void lowerCasesStripsAccentsAndSplitsPunctuation() {
        assertThat(bert.encode("HELLO", false, false)).isEqualTo(bert.encode("hello", false, false));
        assertThat(bert.encode("café", false, false)).isEqualTo(bert.encode("cafe", false, false));
        assertThat(WordPieceTokenizer.words("Hello, WORLD!你好 a\u0000b")).containsExactly(
                "hello", ",", "world", "!", "你", "好", "ab");
    }

    @Test
    void decodeJoinsWordsWithSpaces() {
        assertThat(bert.decode(bert.encode("hello world", true, false))).isEqualTo("hello world");
    }

    @Test
    void anUncoverableWordIsUnknown() {
        assertThat(bert.encode("\uE000", false, false)).isEmpty(); // private use: a control character, dropped
        assertThat(bert.encode("𓀀", false, false)).containsExactly(100);
    }
}
