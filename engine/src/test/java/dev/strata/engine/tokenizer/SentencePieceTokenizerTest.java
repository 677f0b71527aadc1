package dev.strata.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SentencePieceTokenizerTest {
    private final Tokenizer demo = TokenizerTestData.demo();

    @Test
    void demoModelMatchesLlamaCppAndLlama2c() {
        for (TokenizerTestData.Vector v : TokenizerTestData.demoVectors()) {
            assertThat(demo.encode(v.text(), true, false)).as(v.toString()).containsExactly(v.ids());
        }
        assertThat(TokenizerTestData.demoVectors()).hasSize(18);
    }

    @Test
    void demoDecodeIsTheInverseOfEncode() {
        for (TokenizerTestData.Vector v : TokenizerTestData.demoVectors()) {
            assertThat(demo.decode(v.ids())).as(v.toString()).isEqualTo(v.text());
        }
    }

    @Test
    void decodingTheGreedyRunsGivesRunCsText() {
        List<TokenizerTestData.GreedyRun> runs = TokenizerTestData.demoGreedyRuns();
        assertThat(runs).hasSize(4);
        for (TokenizerTestData.GreedyRun run : runs) {
            assertThat(demo.decode(run.ids())).isEqualTo(run.text());
            TokenDecoder streaming = new TokenDecoder(demo);
            StringBuilder sb = new StringBuilder();
            for (int id : run.ids()) {
                sb.append(streaming.next(id));
            }
            assertThat(sb.append(streaming.flush()).toString()).isEqualTo(run.text());
        }
    }

    @Test
    void specialIdsAndFlagsComeFromTheFile() {
        assertThat(demo.vocabSize()).isEqualTo(512);
        assertThat(demo.bosId()).isEqualTo(1);
        assertThat(demo.eosId()).isEqualTo(2);
        assertThat(demo.isEndOfGeneration(2)).isTrue();
        assertThat(demo.isEndOfGeneration(1)).isFalse();
        assertThat(demo.isSpecial(1)).isTrue();
        assertThat(demo.isSpecial(300)).isFalse();
        assertThat(demo.piece(1)).isEqualTo("<s>");
        assertThat(demo.piece(13)).isEqualTo("<0x0A>");
        assertThat(demo.tokenType(13)).isEqualTo(TokenType.BYTE);
        assertThat(demo.tokenBytes(13)).containsExactly('\n');
        assertThat(demo.tokenBytes(1)).isEmpty();
        assertThat(demo.addsSpacePrefix()).isTrue();
    }

    @Test
    void controlTokensInTextAreParsedOnlyWhenAsked() {
        int[] plain = demo.encode("<s>a", false, false);
        assertThat(plain).doesNotContain(1);
        int[] parsed = demo.encode("<s>a", false, true);
        assertThat(parsed[0]).isEqualTo(1);
        // the text after a special token gets the space prefix again
        assertThat(Arrays.copyOfRange(parsed, 1, parsed.length)).containsExactly(demo.encode("a", false, false));
        assertThat(demo.decode(parsed)).isEqualTo("a");
    }

    @Test
    void unknownCharactersFallBackToUtf8Bytes() {
        int[] ids = demo.encode("日", false, false);
        byte[] utf8 = "日".getBytes(StandardCharsets.UTF_8);
        // "▁" then the three bytes of 日
        assertThat(ids).hasSize(4);
        for (int i = 0; i < 3; i++) {
            assertThat(demo.tokenBytes(ids[i + 1])).containsExactly(utf8[i]);
        }
    }

    @Test
    void eosIsAddedWhenTheVocabularySaysSo() {
        assertThat(demo.encode("a", true, false)).containsExactly(1, 261);
        assertThat(demo.encode("", false, false)).isEmpty();
    }
}
