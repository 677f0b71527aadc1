package dev.strata.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Property: {@code decode(encode(s)) == s} for random Unicode text wherever the tokenizer promises
 * it. Byte-level BPE can spell any byte, so it always does; SentencePiece with byte fallback does
 * too, given that decoding drops the space the encoder put in front and that a literal {@code ▁}
 * in the input reads back as a space (so the generator leaves U+2581 out for those). Lone
 * surrogates have no UTF-8 form; the encoder reads them as U+FFFD. WordPiece lower-cases and
 * strips accents, so it makes no such promise and is not tested here.
 */
class TokenizerRoundTripTest {
    private static final int STRINGS_PER_VOCAB = 400;

    /** Pools the generator draws from: a mix of scripts, emoji, marks and white space. */
    private static final int[][] POOLS = {
        range('a', 'z'), range('A', 'Z'), range('0', '9'),
        {' ', ' ', ' ', '\n', '\t', '\r', ' '},
        chars(".,;:!?'\"()[]{}<>-_/\\@#$%^&*+=|~`"),
        range(0x4E00, 0x9FFF),       // CJK ideographs
        range(0x3040, 0x30FF),       // kana
        range(0x0400, 0x04FF),       // Cyrillic
        range(0x0600, 0x06FF),       // Arabic
        range(0x0300, 0x036F),       // combining marks
        range(0x1F600, 0x1F64F),     // emoji
        range(0x1F300, 0x1F5FF),     // symbols and pictographs
        {0x200D, 0xFE0F, 0x00A0, 0x3000, 0x2028, 0x0085, 0xFEFF}, // ZWJ, VS16, odd spaces, BOM
        range(0x00C0, 0x024F),       // Latin with diacritics
        range(0x0E00, 0x0E7F),       // Thai
        {0xD800, 0xDC00, 0xDBFF},    // lone surrogates
    };

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gpt-2", "llama-bpe", "qwen2", "deepseek-llm", "deepseek-coder", "falcon", "mpt", "refact",
        "starcoder", "llama-spm", "phi-3"})
    void decodeInvertsEncodeOnRandomUnicode(String name) {
        Tokenizer tokenizer = TokenizerTestData.vocab(name);
        boolean spaceMarkIsSpace = tokenizer instanceof SentencePieceTokenizer;
        SplittableRandom random = new SplittableRandom(name.hashCode());
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < STRINGS_PER_VOCAB; i++) {
            String s = randomText(random, 1 + random.nextInt(80), spaceMarkIsSpace);
            String expected = Utf8.withoutLoneSurrogates(s);
            boolean addSpecial = random.nextBoolean();
            String actual = tokenizer.decode(tokenizer.encode(s, addSpecial, false));
            if (!actual.equals(expected)) {
                failures.add(TokenizerTestData.escape(expected) + " -> " + TokenizerTestData.escape(actual));
            }
        }
        assertThat(failures).as(name + ": decode(encode(s)) != s").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gpt-2", "llama-bpe", "qwen2", "llama-spm"})
    void streamingDecodeNeverSplitsACharacter(String name) {
        Tokenizer tokenizer = TokenizerTestData.vocab(name);
        SplittableRandom random = new SplittableRandom(~name.hashCode());
        for (int i = 0; i < 100; i++) {
            // no U+FFFD in the input, so any in the output would come from a split character
            String s = Utf8.withoutLoneSurrogates(randomText(random, 1 + random.nextInt(60), true)).replace("\uFFFD", "");
            TokenDecoder decoder = new TokenDecoder(tokenizer);
            StringBuilder streamed = new StringBuilder();
            for (int id : tokenizer.encode(s, false, false)) {
                String part = decoder.next(id);
                assertThat(part.chars().noneMatch(c -> c == 0xFFFD)).as("no replacement characters mid-stream").isTrue();
                if (!part.isEmpty()) {
                    assertThat(Character.isHighSurrogate(part.charAt(part.length() - 1))).isFalse();
                }
                streamed.append(part);
            }
            streamed.append(decoder.flush());
            assertThat(streamed.toString()).isEqualTo(s);
        }
    }

    static String randomText(SplittableRandom random, int length, boolean withoutSpaceMark) {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < length) {
            int[] pool = POOLS[random.nextInt(POOLS.length)];
            int run = 1 + random.nextInt(6);
            for (int k = 0; k < run; k++) {
                int cp = pool[random.nextInt(pool.length)];
                if (withoutSpaceMark && cp == 0x2581) {
                    continue;
                }
                if (cp >= 0xD800 && cp <= 0xDFFF) {
                    sb.append((char) cp); // a lone surrogate
                } else {
                    sb.appendCodePoint(cp);
                }
            }
        }
        return sb.toString();
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from + 1];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }

    private static int[] chars(String s) {
        return s.chars().toArray();
    }
}
