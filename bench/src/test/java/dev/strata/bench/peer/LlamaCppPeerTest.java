package dev.strata.bench.peer;

import org.junit.jupiter.api.parallel.ResourceLock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The peer reproduces llama.cpp's golden greedy run of the demo model (shared testdata PROVENANCE, LCPP-A). */
@ResourceLock(PeerLock.LLAMA_CPP)
class LlamaCppPeerTest {
    /**
     * llama.cpp c392e50 greedy output after "Once upon a time" on models/stories260K.gguf, F32 KV cache
     * (testdata/golden/stories260K-greedy-llamacpp.json, run 2).
     */
    static final int[] GOLDEN_PROMPT = {1, 403, 407, 261, 378};
    static final int[] GOLDEN_OUTPUT = {
            432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426, 338, 401, 396, 267, 337, 410, 408, 419, 292, 
            411, 322, 265, 282, 295, 433, 426, 385, 328, 432, 358, 394, 261, 370, 432, 352, 266, 268, 388, 426, 
            338, 391, 266, 267, 337, 335, 312, 432, 398, 312, 286, 267, 414, 270, 333, 415, 426, 13, 438, 310, 
            439, 419, 357, 336, 432, 313, 438, 310, 432, 278, 316, 439, 419, 298, 414, 267, 265, 282, 295, 433, 
            426, 436, 317, 286, 296, 418, 269, 279, 292, 416, 439, 413, 409, 416, 327, 263, 415, 294, 267, 400, 
            426, 338, 336, 432, 313, 442, 391, 267, 337, 335, 364, 420, 268, 388, 432, 398, 359, 280, 303, 439, 
            413, 272, 417, 264
    };

    private static LlamaCppPeer peer;

    static Path demoModel() {
        return Path.of(System.getProperty("strata.models.dir", "../models"), "stories260K.gguf");
    }

    @BeforeAll
    static void open() {
        peer = LlamaCppPeer.open(demoModel(), LlamaCppPeer.Options.forParity(1, 512));
    }

    @AfterAll
    static void close() {
        peer.close();
    }

    @Test
    void tokenizesLikeTheGoldenRun() {
        assertThat(peer.vocabSize()).isEqualTo(512);
        assertThat(peer.tokenize("Once upon a time", true)).containsExactly(GOLDEN_PROMPT);
        assertThat(new String(peer.tokenPiece(432), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(",");
    }

    @Test
    void greedyGenerationMatchesTheGoldenTokens() {
        PeerGeneration run = peer.generate(GOLDEN_PROMPT, GOLDEN_OUTPUT.length, 10);
        assertThat(run.generated()).containsExactly(GOLDEN_OUTPUT);
        assertThat(run.topProbs()).hasSize(GOLDEN_OUTPUT.length);
        for (int i = 0; i < GOLDEN_OUTPUT.length; i++) {
            TokenProb[] top = run.topProbs().get(i);
            assertThat(top).hasSize(10);
            assertThat(top[0].token()).isEqualTo(GOLDEN_OUTPUT[i]);
            for (int j = 1; j < top.length; j++) {
                assertThat(top[j].prob()).isLessThanOrEqualTo(top[j - 1].prob());
            }
        }
        assertThat(run.prefillNanos()).isPositive();
        assertThat(run.decodeNanos()).isPositive();
    }

    @Test
    void promptDistributionsAgreeWithGeneration() {
        List<TokenProb[]> atPrompt = peer.promptTopProbs(GOLDEN_PROMPT, 5);
        assertThat(atPrompt).hasSize(GOLDEN_PROMPT.length);
        PeerGeneration run = peer.generate(GOLDEN_PROMPT, 1, 5);
        TokenProb[] last = atPrompt.get(GOLDEN_PROMPT.length - 1);
        TokenProb[] first = run.topProbs().get(0);
        for (int j = 0; j < 5; j++) {
            assertThat(last[j].token()).isEqualTo(first[j].token());
            assertThat(last[j].prob()).isCloseTo(first[j].prob(), org.assertj.core.data.Offset.offset(1e-6f));
        }
        // position 0 (BOS) predicts the golden run's first token after an empty prompt
        assertThat(atPrompt.get(1)[0].token()).isEqualTo(407);
    }

    @Test
    void refusesBadInputWithOneLine(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> peer.generate(new int[] {1, 512}, 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the vocabulary");
        Path junk = dir.resolve("junk.gguf");
        Files.write(junk, new byte[] {'G', 'G', 'U', 'F', 3, 0, 0, 0});
        assertThatThrownBy(() -> LlamaCppPeer.open(junk, LlamaCppPeer.Options.forParity(1, 64)))
                .isInstanceOf(LlamaCppException.class).hasMessageContaining("cannot load");
    }
}
