package dev.strata.engine.generate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenTextTest {
    /** Ids 3.. are byte tokens {@code <0x00>..<0xFF>}, id 259 is "▁a". */
    private static VocabTestTokenizer byteVocab() {
        String[] pieces = new String[260];
        pieces[0] = "<unk>";
        pieces[1] = "<s>";
        pieces[2] = "</s>";
        for (int b = 0; b < 256; b++) {
            pieces[3 + b] = String.format("<0x%02X>", b);
        }
        pieces[259] = "\u2581a";
        return new VocabTestTokenizer(pieces, 1, 2);
    }

    private static int byteToken(int b) {
        return 3 + b;
    }

    @Test
    void holdsBackACharacterSplitAcrossTokens() {
        TokenText t = new TokenText(byteVocab());
        byte[] euro = "€".getBytes(java.nio.charset.StandardCharsets.UTF_8); // E2 82 AC
        assertThat(t.next(259)).isEqualTo(" a");
        assertThat(t.next(byteToken(euro[0] & 0xFF))).isEmpty();
        assertThat(t.next(byteToken(euro[1] & 0xFF))).isEmpty();
        assertThat(t.next(byteToken(euro[2] & 0xFF))).isEqualTo("€");
        byte[] smile = "🙂".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        for (byte b : smile) {
            out.append(t.next(byteToken(b & 0xFF)));
        }
        assertThat(out.toString()).isEqualTo("🙂");
    }

    @Test
    void malformedBytesBecomeReplacementCharacters() {
        TokenText t = new TokenText(byteVocab());
        assertThat(t.next(byteToken(0x80))).isEqualTo("\uFFFD");  // a stray continuation byte
        assertThat(t.next(byteToken(0xE2))).isEmpty();
        assertThat(t.next(259)).isEqualTo("\uFFFD a");            // the lead byte never completed
        assertThat(t.next(byteToken(0xF0))).isEmpty();
        assertThat(t.flush()).isEqualTo("\uFFFD");
    }
}
