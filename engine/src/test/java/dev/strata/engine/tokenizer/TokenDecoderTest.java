package dev.strata.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TokenDecoderTest {
    /** Token i stands for bytes[i]; token 0 is a control token. */
    private record FakeTokenizer(byte[][] bytes, boolean addsSpacePrefix) implements Tokenizer {
        @Override public int vocabSize() { return bytes.length; }
        @Override public int[] encode(String text, boolean addSpecial, boolean parseSpecial) { throw new UnsupportedOperationException(); }
        @Override public byte[] tokenBytes(int id) { return bytes[id].clone(); }
        @Override public String piece(int id) { return new String(bytes[id], StandardCharsets.UTF_8); }
        @Override public String decode(int[] ids) { throw new UnsupportedOperationException(); }
        @Override public int bosId() { return 0; }
        @Override public int eosId() { return 0; }
        @Override public boolean isEndOfGeneration(int id) { return id == 0; }
        @Override public boolean isSpecial(int id) { return id == 0; }
    }

    private static byte[] b(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    private static final byte[][] TOKENS = {
        {},                          // 0: control
        b(0xC3), b(0xA9),            // 1, 2: the two bytes of é
        b(0xF0, 0x9F), b(0x98), b(0x80), // 3..5: 😀 in three pieces
        b('a'), b(' ', 'b'),         // 6, 7
        b(0xFF), b(0xE2, 0x82),      // 8: never valid; 9: a 3-byte lead missing its last byte
    };

    @Test
    void holdsBackAPartialCharacterUntilItCompletes() {
        TokenDecoder d = new TokenDecoder(new FakeTokenizer(TOKENS, false));
        assertThat(d.next(1)).isEmpty();
        assertThat(d.hasPending()).isTrue();
        assertThat(d.next(2)).isEqualTo("é");
        assertThat(d.next(3)).isEmpty();
        assertThat(d.next(4)).isEmpty();
        assertThat(d.next(5)).isEqualTo("😀");
        assertThat(d.next(6)).isEqualTo("a");
        assertThat(d.flush()).isEmpty();
    }

    @Test
    void malformedBytesComeOutAsReplacementCharactersAtOnce() {
        TokenDecoder d = new TokenDecoder(new FakeTokenizer(TOKENS, false));
        assertThat(d.next(8)).isEqualTo("\uFFFD");
        assertThat(d.next(9)).isEmpty();
        assertThat(d.next(6)).isEqualTo("\uFFFDa"); // E2 82 then 'a': one U+FFFD, as decoding all at once gives
        assertThat(d.next(1)).isEmpty();
        assertThat(d.flush()).isEqualTo("\uFFFD"); // a lead byte left at the end
        assertThat(d.hasPending()).isFalse();
    }

    @Test
    void streamedTextEqualsDecodingAllBytesAtOnce() {
        int[] ids = {6, 9, 1, 2, 8, 3, 4, 6, 5, 1, 7, 3, 4, 5};
        TokenDecoder d = new TokenDecoder(new FakeTokenizer(TOKENS, false));
        StringBuilder streamed = new StringBuilder();
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (int id : ids) {
            streamed.append(d.next(id));
            all.writeBytes(TOKENS[id]);
        }
        streamed.append(d.flush());
        assertThat(streamed.toString()).isEqualTo(all.toString(StandardCharsets.UTF_8));
    }

    @Test
    void dropsTheSpacePrefixAtTheStartAndAfterSpecialTokens() {
        TokenDecoder d = new TokenDecoder(new FakeTokenizer(TOKENS, true));
        assertThat(d.next(7)).isEqualTo("b");
        assertThat(d.next(7)).isEqualTo(" b");
        assertThat(d.next(0)).isEmpty();
        assertThat(d.next(7)).isEqualTo("b");
        TokenDecoder plain = new TokenDecoder(new FakeTokenizer(TOKENS, false));
        assertThat(plain.next(7)).isEqualTo(" b");
    }
}
