package dev.strata.bench.gen;

import org.junit.jupiter.api.parallel.ResourceLock;
import dev.strata.bench.peer.PeerLock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.bench.peer.LlamaCppException;
import dev.strata.bench.peer.LlamaCppPeer;
import dev.strata.bench.peer.PeerGeneration;
import dev.strata.bench.peer.TokenProb;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * llama.cpp loads and runs generated models quantized by ggml itself: the files are valid models, not
 * just valid GGUF. (The parity test runs every shape and type written with Strata's quantizer.)
 */
@ResourceLock(PeerLock.LLAMA_CPP)
class GeneratedModelsLoadInLlamaCppTest {
    static final List<String> SHAPES = List.of("tiny-llama3");

    @TempDir
    static Path dir;

    static Stream<Arguments> shapesAndTypes() {
        List<Arguments> cases = new ArrayList<>();
        for (String shape : SHAPES) {
            for (WeightType type : WeightType.values()) {
                cases.add(Arguments.of(shape, type));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("shapesAndTypes")
    void llamaCppRunsTheModel(String shapeName, WeightType type) {
        ModelShape shape = ModelShape.named(shapeName);
        Path file = dir.resolve(shapeName + "-" + type + ".gguf");
        new ModelGenerator(BlockEncoder.withLlamaCppQuantizer(), 1)
                .generate(shape, type, ModelGeneratorTest.demoVocab(), 11, file);
        try (LlamaCppPeer peer = LlamaCppPeer.open(file, LlamaCppPeer.Options.forParity(1, 128))) {
            assertThat(peer.vocabSize()).isEqualTo(shape.vocabSize());
            int[] prompt = peer.tokenize("Once upon a time", true);
            PeerGeneration run = peer.generate(prompt, 16, 10);
            assertThat(run.generated()).hasSize(16);
            float lowestTop = 1;
            for (TokenProb[] top : run.topProbs()) {
                lowestTop = Math.min(lowestTop, top[0].prob());
                float sum = 0;
                for (TokenProb p : top) {
                    assertThat(Float.isFinite(p.prob())).isTrue();
                    sum += p.prob();
                }
                assertThat(top[0].prob()).isGreaterThan(0.01f); // not flat over 512 tokens
                assertThat(sum).isLessThanOrEqualTo(1.0001f);
            }
            assertThat(lowestTop).isLessThan(0.95f); // not one-hot everywhere
        }
    }

    @Test
    void theBundledLlamaCppPredatesQwen3() {
        // de.kherud:llama 4.2.0 bundles llama.cpp b4916 (March 2025); qwen3 arrived in llama.cpp in April 2025.
        // When this fails, the peer has been upgraded: add tiny-qwen3 to SHAPES and to the parity test.
        Path file = dir.resolve("tiny-qwen3.gguf");
        new ModelGenerator(BlockEncoder.floats(), 1)
                .generate(ModelShape.named("tiny-qwen3"), WeightType.F32, ModelGeneratorTest.demoVocab(), 11, file);
        assertThatThrownBy(() -> LlamaCppPeer.open(file, LlamaCppPeer.Options.forParity(1, 128)))
                .isInstanceOf(LlamaCppException.class).hasMessageContaining("qwen3");
    }
}
